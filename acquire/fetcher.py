"""Fetching report pages and their attachments from government websites, politely, into a
content-addressed landing folder, with a fetch log and detection of reports changed after
publication (发布后有变动).

Politeness: a clear user agent, robots.txt obeyed, per-host minimum interval and concurrency cap,
timeouts, retries with backoff on 5xx and network errors (honouring Retry-After), conditional
requests (ETag / Last-Modified) on re-fetch, a size cap, http(s) only."""

from __future__ import annotations

import hashlib
import mimetypes
import re
import threading
import time
import urllib.robotparser
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from urllib.parse import urlparse

import duckdb
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from extract.normalize import clean
from extract.readers.html import decode_html

from .discover import attachment_links

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
USER_AGENT = "ogi-warehouse/0.1 (+government information-disclosure annual report research; polite crawler)"
LOG_DDL = """
create schema if not exists raw;
create table if not exists raw.fetch_log (
    url varchar, page_url varchar, agency varchar, report_year integer, fetched_at timestamp,
    http_status integer, outcome varchar, content_type varchar, encoding varchar, sha256 varchar,
    path varchar, etag varchar, last_modified varchar, size_bytes bigint, error varchar);
alter table raw.fetch_log add column if not exists page_title varchar;
"""
EXTENSIONS = {
    "text/html": ".html",
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
}


@dataclass
class Settings:
    user_agent: str = USER_AGENT
    timeout: float = 20
    max_bytes: int = 40 * 1024 * 1024
    host_interval: float = 1.0  # seconds between two requests to one host
    host_concurrency: int = 2
    workers: int = 8
    retries: int = 3
    backoff: float = 0.5


@dataclass
class Fetched:
    url: str
    page_url: str
    outcome: str  # new, unchanged, not_modified, changed, robots_disallowed, too_large, error, bad_scheme
    http_status: int | None = None
    content: bytes | None = None
    content_type: str | None = None
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    page_title: str | None = None  # the <title> of the report page (for an attachment: of its page)
    attachments: list[Fetched] = field(default_factory=list)


class PoliteClient:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.session = requests.Session()
        self.session.headers["User-Agent"] = settings.user_agent
        retry = Retry(
            total=settings.retries,
            backoff_factor=settings.backoff,
            status_forcelist=(500, 502, 503, 504),
            allowed_methods=("GET",),
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._host_locks: dict[str, threading.Semaphore] = {}
        self._host_last: dict[str, float] = {}
        self._guard = threading.Lock()

    def allowed(self, url: str) -> bool:
        parts = urlparse(url)
        host = f"{parts.scheme}://{parts.netloc}"
        with self._guard:
            rp = self._robots.get(host)
        if rp is None:
            rp = urllib.robotparser.RobotFileParser()
            try:
                resp = self._get(f"{host}/robots.txt")
                rp.parse(resp.text.splitlines() if resp.status_code == 200 else [])
            except requests.RequestException:
                rp.parse([])  # unreachable robots.txt: treated as no rules
            with self._guard:
                self._robots[host] = rp
        return rp.can_fetch(self.settings.user_agent, url)

    def _get(self, url: str, headers: dict | None = None) -> requests.Response:
        host = urlparse(url).netloc
        with self._guard:
            sem = self._host_locks.setdefault(host, threading.Semaphore(self.settings.host_concurrency))
        with sem:
            with self._guard:
                wait = self._host_last.get(host, 0) + self.settings.host_interval - time.monotonic()
                self._host_last[host] = max(
                    time.monotonic(), self._host_last.get(host, 0) + self.settings.host_interval
                )
            if wait > 0:
                time.sleep(wait)
            return self.session.get(
                url, headers=headers or {}, timeout=self.settings.timeout, stream=True, allow_redirects=True
            )

    def fetch(self, url: str, page_url: str, previous: dict | None) -> Fetched:
        if urlparse(url).scheme not in ("http", "https"):
            return Fetched(url, page_url, "bad_scheme", error="only http and https are fetched")
        if not self.allowed(url):
            return Fetched(url, page_url, "robots_disallowed")
        headers = {}
        if previous and previous.get("etag"):
            headers["If-None-Match"] = previous["etag"]
        if previous and previous.get("last_modified"):
            headers["If-Modified-Since"] = previous["last_modified"]
        try:
            with self._get(url, headers) as resp:
                if resp.status_code == 304:
                    return Fetched(url, page_url, "not_modified", 304)
                if resp.status_code >= 400:
                    return Fetched(url, page_url, "error", resp.status_code, error=f"HTTP {resp.status_code}")
                body = bytearray()
                for chunk in resp.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > self.settings.max_bytes:
                        return Fetched(
                            url, page_url, "too_large", resp.status_code, error=f"over {self.settings.max_bytes} bytes"
                        )
                ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                return Fetched(
                    url,
                    page_url,
                    "new",
                    resp.status_code,
                    bytes(body),
                    ctype or None,
                    etag=resp.headers.get("ETag"),
                    last_modified=resp.headers.get("Last-Modified"),
                )
        except requests.RequestException as exc:
            return Fetched(url, page_url, "error", error=f"{type(exc).__name__}: {exc}")


def _extension(url: str, content_type: str | None, content: bytes) -> str:
    suffix = Path(urlparse(url).path).suffix.lower()
    if suffix in (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".html", ".htm", ".txt"):
        return suffix
    return (
        EXTENSIONS.get(content_type or "")
        or mimetypes.guess_extension(content_type or "")
        or (".pdf" if content.startswith(b"%PDF") else ".html")
    )


def fetch_page(client: PoliteClient, url: str, previous: dict[str, dict]) -> Fetched:
    """A report page and, when it is HTML, the attachments it links."""
    page = client.fetch(url, url, previous.get(url))
    html = None
    if page.content is not None and (page.content_type or "").startswith("text/html"):
        html = page.content
    elif page.outcome == "not_modified" and str((previous.get(url) or {}).get("path", "")).endswith(".html"):
        html = Path(previous[url]["path"]).read_bytes()  # unchanged page: its attachments may still change
    if html is not None:
        text, encoding, _ = decode_html(html)
        page.encoding = page.encoding or encoding
        m = _TITLE.search(text)
        page.page_title = clean(unescape(m.group(1)))[:500] if m else None
        page.attachments = [client.fetch(a, url, previous.get(a)) for a in attachment_links(text, url)]
        for a in page.attachments:
            a.page_title = page.page_title
    return page


@dataclass
class Version:
    url: str
    agency: str | None
    year: int | None
    old_path: Path
    new_path: Path


def store(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    item: Fetched,
    meta: tuple,
    previous: dict[str, dict],
    changed: list[Version],
    counts: Counter,
) -> None:
    """Content-addressed storage and one fetch_log row; a changed document is kept beside the old."""
    now = datetime.now(UTC).replace(tzinfo=None)
    sha = path = None
    outcome = item.outcome
    before = previous.get(item.url)
    if item.content is not None:
        sha = hashlib.sha256(item.content).hexdigest()
        target = landing / f"{sha[:20]}{_extension(item.url, item.content_type, item.content)}"
        if not target.exists():
            landing.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.content)
        path = str(target)
        if before and before.get("sha256"):
            outcome = "unchanged" if before["sha256"] == sha else "changed"
            if outcome == "changed":
                changed.append(Version(item.url, meta[0], meta[1], Path(before["path"]), target))
    elif outcome == "not_modified" and before:
        sha, path = before.get("sha256"), before.get("path")
    con.execute(
        "insert into raw.fetch_log values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            item.url,
            item.page_url,
            meta[0],
            meta[1],
            now,
            item.http_status,
            outcome,
            item.content_type,
            item.encoding,
            sha,
            path,
            item.etag or (before or {}).get("etag"),
            item.last_modified or (before or {}).get("last_modified"),
            len(item.content) if item.content is not None else None,
            item.error,
            item.page_title,
        ],
    )
    counts[outcome] += 1
    for a in item.attachments:
        store(con, landing, a, meta, previous, changed, counts)


def previous_fetches(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """The last successful fetch of each URL."""
    rows = con.execute("""
        select url, sha256, path, etag, last_modified from raw.fetch_log
        where sha256 is not null qualify row_number() over (partition by url order by fetched_at desc) = 1
    """).fetchall()
    return {u: {"sha256": s, "path": p, "etag": e, "last_modified": lm} for u, s, p, e, lm in rows}


def read_url_list(path: Path) -> list[tuple[str, str | None, int | None]]:
    """One URL per line, optionally followed by agency and year (tab or comma separated)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.replace("\t", ",").split(",")]
        year = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
        out.append((parts[0], parts[1] if len(parts) > 1 and parts[1] else None, year))
    return out


def fetch_all(
    urls: list[tuple[str, str | None, int | None]],
    landing: Path,
    con: duckdb.DuckDBPyConnection,
    settings: Settings | None = None,
) -> tuple[dict[str, int], list[Version]]:
    """Fetch every listed page and its attachments; returns outcome counts and changed documents."""
    con.execute(LOG_DDL)
    previous = previous_fetches(con)
    client = PoliteClient(settings or Settings())
    changed: list[Version] = []
    with ThreadPoolExecutor(max_workers=client.settings.workers) as pool:
        pages = list(pool.map(lambda u: fetch_page(client, u[0], previous), urls))
    counts: Counter = Counter()
    for (_, agency, year), page in zip(urls, pages, strict=True):
        store(con, landing, page, (agency, year), previous, changed, counts)
    return dict(counts), changed
