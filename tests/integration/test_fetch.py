"""Fetching from a local fixture site (loopback only): report pages with attachments, a GBK page,
a slow page, a 500 that recovers, a redirect, robots.txt, and a page that changes."""

import json
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from acquire.discover import report_links
from acquire.fetcher import Settings
from acquire.run import run_fetch
from alerting.sinks import Sinks
from bench.generate import random_truth
from bench.render import Sample, render_html
from tests.conftest import SAMPLES


class Site(BaseHTTPRequestHandler):
    pages: dict = {}
    hits: dict = {}
    fail_once: set = set()

    def do_GET(self):  # noqa: N802 (http.server's naming)
        Site.hits[self.path] = Site.hits.get(self.path, 0) + 1
        if self.path in Site.fail_once and Site.hits[self.path] == 1:
            self.send_response(500)
            self.end_headers()
            return
        if self.path == "/old-report":
            self.send_response(301)
            self.send_header("Location", "/report-a.html")
            self.end_headers()
            return
        if self.path == "/slow.html":
            time.sleep(1.5)
        body, ctype = Site.pages.get(self.path, (None, None))
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        etag = '"' + str(hash(body)) + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _html(truth, encoding="utf-8", attachment=None):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.html"
        render_html(Sample(truth), path, encoding)
        body = path.read_bytes()
    if attachment:
        body = body.replace(b"</body>", f'<a href="{attachment}">附件：年度报告</a></body>'.encode())
    return body


@pytest.fixture
def site():
    rng = random.Random(9)
    Site.pages = {
        "/robots.txt": (b"User-agent: *\nDisallow: /private/\n", "text/plain"),
        "/report-a.html": (_html(random_truth(rng, "gb2021"), attachment="/files/report-b.pdf"), "text/html"),
        "/files/report-b.pdf": ((SAMPLES / "huaian-2024.pdf").read_bytes(), "application/pdf"),
        "/report-gbk.html": (_html(random_truth(rng, "gb2019"), "gb18030"), "text/html; charset=gbk"),
        "/slow.html": (_html(random_truth(rng, "gb2021")), "text/html"),
        "/flaky.html": (_html(random_truth(rng, "gb2021")), "text/html"),
        "/private/x.html": (b"<html>secret</html>", "text/html"),
    }
    Site.hits, Site.fail_once = {}, {"/flaky.html"}
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_fetch_run_lands_each_report_once_and_detects_a_change(tmp_path, site):
    urls = tmp_path / "urls.txt"
    urls.write_text(
        "\n".join(
            [
                f"{site}/old-report,示例局,2022",
                f"{site}/report-gbk.html",
                f"{site}/slow.html",
                f"{site}/flaky.html",
                f"{site}/private/x.html",
                f"{site}/missing.html",
                "ftp://example.invalid/x.pdf",
            ]
        ),
        encoding="utf-8",
    )
    landing, warehouse, alerts = tmp_path / "landing", tmp_path / "w.duckdb", tmp_path / "alerts.jsonl"
    settings = Settings(host_interval=0.05, backoff=0.05, allow_private=True)
    first = run_fetch(urls, landing, warehouse, Sinks(alerts), settings)
    out = first["outcomes"]
    assert out["new"] == 5  # four pages (one through a redirect, one after a 500) and the PDF attachment
    assert out["robots_disallowed"] == 1 and out["error"] == 1 and out["bad_scheme"] == 1
    assert len(list(landing.iterdir())) == 5
    assert Site.hits["/flaky.html"] == 2  # retried after the 500

    second = run_fetch(urls, landing, warehouse, Sinks(alerts), settings)
    assert second["outcomes"].get("new", 0) == 0 and second["outcomes"]["not_modified"] == 5
    assert len(list(landing.iterdir())) == 5 and not alerts.exists()

    page = Site.pages["/report-gbk.html"][0]
    Site.pages["/report-gbk.html"] = (_changed(page), "text/html")
    third = run_fetch(urls, landing, warehouse, Sinks(alerts), settings)
    assert third["changed"] == 1 and len(list(landing.iterdir())) == 6  # the new version beside the old
    [alert] = [json.loads(x) for x in alerts.read_text(encoding="utf-8").splitlines()]
    assert alert["kind"] == "report_changed" and alert["url"].endswith("/report-gbk.html")
    assert [c["cell"] for c in alert["changed_cells"]] == ["table3.new_received.natural_person"]

    assert run_fetch(urls, landing, warehouse, Sinks(alerts), settings)["changed"] == 0
    assert len(alerts.read_text(encoding="utf-8").splitlines()) == 1  # no alert twice


def _changed(page: bytes) -> bytes:
    """The same page with the first 表三 value (本年新收, 自然人) raised by 1000."""
    text = page.decode("gb18030")
    head, tail = text.split("一、本年新收政府信息公开申请数量", 1)
    cell_start = tail.index("<td>") + 4
    cell_end = tail.index("</td>", cell_start)
    value = int(tail[cell_start:cell_end] or 0) + 1000
    return (head + "一、本年新收政府信息公开申请数量" + tail[:cell_start] + str(value) + tail[cell_end:]).encode(
        "gb18030"
    )


def test_discovery_finds_report_links():
    listing = """<html><body><ul>
      <li><a href="/art/2023/1/20/a1.html">金平县人民政府2022年政府信息公开工作年度报告</a></li>
      <li><a href="a2.html" title="2021年政府信息公开工作年度报告">2021年度报告</a></li>
      <li><a href="/news/1.html">关于开展安全检查的通知</a></li></ul></body></html>"""
    links = report_links(listing, "http://www.example.gov.cn/col/nb/index.html")
    assert [(x["url"], x["year"]) for x in links] == [
        ("http://www.example.gov.cn/art/2023/1/20/a1.html", 2022),
        ("http://www.example.gov.cn/col/nb/a2.html", 2021),
    ]


def test_a_page_of_table_pictures_lands_with_its_pictures_embedded(tmp_path, site):
    """A report page that shows its tables as pictures: the pictures large enough to be a table are
    fetched and embedded in the landed page (the reader OCRs them, see test_scans); the site's logo
    and the pictures of a page that prints its tables as text are left alone."""
    import base64
    import io

    from PIL import Image

    def png(size):
        buf = io.BytesIO()
        Image.new("L", size, 255).save(buf, "PNG")
        return buf.getvalue()

    table, logo = png((900, 640)), png((120, 40))
    Site.pages["/img/t1.png"] = (table, "image/png")
    Site.pages["/img/logo.png"] = (logo, "image/png")
    Site.pages["/pictures.html"] = (
        '<html><head><meta charset="utf-8"><title>某局2024年政府信息公开工作年度报告</title></head><body>'
        '<img src="/img/logo.png"><p>三、收到和处理政府信息公开申请情况</p><img src="img/t1.png?a=1&amp;b=2">'
        "</body></html>".encode(),
        "text/html",
    )
    Site.pages["/img/t1.png?a=1&b=2"] = (table, "image/png")
    text_page = Site.pages["/report-gbk.html"][0].replace(b"</body>", b'<img src="/img/t1.png"></body>')
    Site.pages["/text.html"] = (text_page, "text/html; charset=gbk")
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{site}/pictures.html\n{site}/text.html\n", encoding="utf-8")
    settings = Settings(host_interval=0.05, backoff=0.05, allow_private=True)
    run_fetch(urls, tmp_path / "landing", tmp_path / "w.duckdb", Sinks(tmp_path / "a.jsonl"), settings)
    pages = {p.read_bytes().count(b"<img"): p.read_bytes() for p in (tmp_path / "landing").iterdir()}
    assert len(pages) == 2
    pictured = pages[2]
    assert b'src="data:image/png;base64,' + base64.b64encode(table) + b'"' in pictured
    assert b'src="/img/logo.png"' in pictured  # a logo is no table
    assert "/img/t1.png" not in Site.hits  # the text page's picture is not fetched
    assert pages[1] == text_page
