"""The fetcher against loopback servers built to misbehave: each ends within seconds with its
outcome in raw.fetch_log, the run goes on past a bad URL-list line, nothing is written outside
the landing folder, and the fetcher's memory stays small."""

import gzip
import os
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import psutil
import pytest

from tests.conftest import OGI, SAMPLES

MB = 1024 * 1024
REPORT = (SAMPLES / "pingtan-2025.html").read_bytes()


class Hostile(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _head(self, status=200, length=None, **headers):
        self.send_response(status)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()

    def do_GET(self):  # noqa: N802 (http.server's naming)
        path = self.path
        try:
            if path == "/robots.txt":  # 200 MB of rules: read up to the cap, then treated as none
                self._head(200, 200 * MB, Content_Type="text/plain")
                line = b"Disallow: /nothing-here/\n" * 4096
                for _ in range(200 * MB // len(line)):
                    self.wfile.write(line)
            elif path == "/trickle.pdf":  # one byte at a time, for ever
                self._head(200, 10 * MB, Content_Type="application/pdf")
                for _ in range(10 * MB):
                    self.wfile.write(b"%")
                    self.wfile.flush()
                    time.sleep(0.05)
            elif path == "/silent.html":  # accepts and never answers
                time.sleep(120)
            elif path == "/endless.pdf":  # no length, never ends
                self._head(200, None, Content_Type="application/pdf", Connection="close")
                while True:
                    self.wfile.write(b"%PDF" * 16384)
            elif path == "/short.pdf":  # fewer bytes than Content-Length, then the connection closes
                self._head(200, 100_000, Content_Type="application/pdf", Connection="close")
                self.wfile.write(b"%PDF-1.4 too short")
                self.close_connection = True
            elif path == "/gzip-bomb.pdf":  # 2 MB on the wire, 2 GB once decoded
                body = gzip.compress(b"\0" * (200 * MB), 9) * 10
                self._head(200, len(body), Content_Type="application/pdf", Content_Encoding="gzip")
                self.wfile.write(body)
            elif path == "/to-file":
                self._head(302, 0, Location="file:///etc/passwd")
            elif path == "/to-other-site":
                self._head(302, 0, Location=f"http://localhost:{self.server.server_port}/report.html")
            elif path == "/many.html":  # 21 attachments of 3 MB each, named to escape the folder
                links = "".join(f'<a href="/big/{i}/..%2F..%2Fescape-{i}.pdf">附件{i}</a>' for i in range(21))
                body = REPORT.replace(b"</body>", links.encode() + b"</body>")
                self._head(200, len(body), Content_Type="text/html; charset=utf-8")
                self.wfile.write(body)
            elif path.startswith("/big/"):
                body = b"%PDF-1.4\n" + path.encode() + os.urandom(3 * MB)
                self._head(
                    200,
                    len(body),
                    Content_Type="application/pdf",
                    Content_Disposition='attachment; filename="../../x.pdf"',
                )
                self.wfile.write(body)
            elif path == "/report.html":
                self._head(200, len(REPORT), Content_Type="text/html; charset=utf-8")
                self.wfile.write(REPORT)
            else:
                self._head(404, 0)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # the fetcher hangs up on these servers on purpose


@pytest.fixture
def hostile_site():
    server = QuietServer(("127.0.0.1", 0), Hostile)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _fetch(tmp_path, urls: list[str], **env) -> tuple[int, str, float, float]:
    """``ogi fetch`` of the URL list: exit code, stderr, seconds, peak memory in MB."""
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join(urls), encoding="utf-8")
    settings = {
        "OGI_FETCH_ALLOW_PRIVATE": "1",
        "OGI_FETCH_HOST_INTERVAL": "0",
        "OGI_FETCH_TIMEOUT": "3",
        "OGI_FETCH_TOTAL_TIMEOUT": "5",
        "OGI_FETCH_MAX_BYTES": str(8 * MB),
        "OGI_FETCH_PAGE_BUDGET": str(10 * MB),
        "OGI_FETCH_BACKOFF": "0",
    }
    args = [*OGI, "fetch", "--urls", listing, "--landing", tmp_path / "landing", "--warehouse", tmp_path / "w.duckdb"]
    started, peak = time.monotonic(), [0]
    with open(tmp_path / "stderr", "w+") as err:
        proc = subprocess.Popen(list(map(str, args)), env={**os.environ, **settings, **env}, stderr=err)
        watched = psutil.Process(proc.pid)

        def sample() -> None:  # the fetcher's resident memory, every 20 ms (ru_maxrss would include the
            while proc.poll() is None:  # pytest process's own, inherited at fork)
                try:
                    peak[0] = max(peak[0], watched.memory_info().rss)
                except psutil.Error:
                    return
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        code = proc.wait(timeout=120)
        sampler.join()
        err.seek(0)
        return code, err.read(), time.monotonic() - started, peak[0] / MB


def _log(tmp_path) -> dict[str, tuple]:
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        rows = con.execute("select url, outcome, size_bytes, error from raw.fetch_log").fetchall()
    return {url.rsplit("/", 1)[-1] or url: (outcome, size, error) for url, outcome, size, error in rows}


def test_misbehaving_servers_end_in_seconds_and_are_logged(tmp_path, hostile_site):
    urls = [
        f"{hostile_site}/report.html,示例局,²",  # a year that is not one: logged, the run goes on
        f"{hostile_site}/report.html,示例局,2024",
        f"{hostile_site}/trickle.pdf",
        f"{hostile_site}/silent.html",
        f"{hostile_site}/endless.pdf",
        f"{hostile_site}/short.pdf",
        f"{hostile_site}/gzip-bomb.pdf",
        f"{hostile_site}/to-file",
        f"{hostile_site}/to-other-site",
        f"{hostile_site}/many.html",
    ]
    code, err, seconds, peak_mb = _fetch(tmp_path, urls)
    assert code == 0, err
    assert seconds < 30 and peak_mb < 300, (seconds, peak_mb)
    log = _log(tmp_path)
    assert log["report.html,示例局,²"][0] == "bad_line"
    assert log["report.html"][0] == "new"
    assert log["trickle.pdf"][0] == "timeout" and log["silent.html"][0] == "timeout"
    assert log["endless.pdf"][0] == "too_large" and log["gzip-bomb.pdf"][0] == "too_large"
    assert log["short.pdf"][0] == "error"
    assert log["to-file"][0] == "bad_scheme" and "file" in log["to-file"][2]
    assert log["to-other-site"][0] == "other_site"
    attachments = [v for k, v in log.items() if k.startswith("..%2F..%2Fescape")]
    assert len(attachments) == 21  # every link has its row
    fetched = [size for outcome, size, _ in attachments if outcome == "new"]
    assert fetched and sum(fetched) <= 10 * MB  # the page's budget
    assert {outcome for outcome, _, _ in attachments} - {"new", "too_large"} == {"over_budget"}
    # content-addressed names only, and nothing outside the landing folder
    assert not [p for p in tmp_path.parent.rglob("*") if "escape" in p.name or p.name == "x.pdf"]
    assert not any((tmp_path / ".landing.incoming").iterdir())  # no partial download left
    assert all(len(p.stem) == 20 for p in (tmp_path / "landing").iterdir())


def test_private_addresses_are_refused_unless_configured(tmp_path, hostile_site):
    code, err, _, _ = _fetch(tmp_path, [f"{hostile_site}/report.html"], OGI_FETCH_ALLOW_PRIVATE="0")
    assert code == 0, err
    assert _log(tmp_path)["report.html"][0] == "private_address"
    assert not any((tmp_path / "landing").iterdir())
