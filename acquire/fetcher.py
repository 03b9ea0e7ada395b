"""Fetching report pages and their attachments from government websites, politely, into a
content-addressed landing folder, with a fetch log and detection of reports changed after
publication (发布后有变动).

Politeness: a clear user agent, robots.txt obeyed, per-host minimum interval and concurrency cap,
retries with backoff on 5xx and connection errors (honouring Retry-After), conditional requests
(ETag / Last-Modified) on re-fetch.

The sites are untrusted: http(s) only, also after a redirect (followed hop by hop, each checked);
the page's own site only unless allowed, never a private or loopback address unless configured;
every response bounded in size (after decompression) and in total time, and refused when it
trickles; a budget per page and per run; bodies streamed to disk under their content hash, never
under a name the site chose."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import os
import re
import socket
import tempfile
import threading
import time
import urllib.robotparser
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlparse

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError
from urllib3.util.retry import Retry

from extract.document import Unreadable
from extract.normalize import clean
from extract.readers import MAX_BYTES, ocr
from extract.readers.html import decode_html

from .discover import attachment_links, picture_links

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
USER_AGENT = "ogi-warehouse/0.1 (+government information-disclosure annual report research; polite crawler)"
EXTENSIONS = {
    "text/html": ".html",
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
}
_SECOND_LEVEL = {"gov", "com", "org", "edu", "net", "ac"}  # www.x.gov.cn and file.x.gov.cn: one site


@dataclass
class Settings:
    user_agent: str = USER_AGENT
    connect_timeout: float = 10.0
    timeout: float = 15.0  # seconds one read may wait (a silent server)
    total_timeout: float = 120.0  # seconds one response may take in all (a server that never ends)
    min_rate: float = 1024.0  # bytes/s a body must keep up after the first 10 s (a server that trickles)
    retry_after_max: int = 60  # seconds a Retry-After header may make the fetcher wait
    max_bytes: int = 40 * 1024 * 1024  # one attachment or page, after decompression
    max_robots_bytes: int = 512 * 1024
    page_budget: int = 200 * 1024 * 1024  # bytes of attachments per page
    max_attachments: int = 30  # per page
    run_budget: int = 4 * 1024 * 1024 * 1024  # bytes per run
    max_redirects: int = 5
    allow_hosts: tuple[str, ...] = ()  # other sites whose links are followed (a host or a .suffix)
    allow_private: bool = False  # private, loopback and link-local addresses (tests, intranets)
    host_interval: float = 1.0  # seconds between two requests to one host
    host_concurrency: int = 2  # requests to one host at a time (a download runs after its request)
    workers: int = 8
    retries: int = 3
    backoff: float = 0.5

    @classmethod
    def from_env(cls) -> Settings:
        """Defaults, each overridden by ``OGI_FETCH_<NAME>`` (OGI_FETCH_ALLOW_HOSTS=a.gov.cn,.b.cn;
        OGI_FETCH_ALLOW_PRIVATE=1; OGI_FETCH_TOTAL_TIMEOUT=60 …)."""
        out = cls()
        for f in fields(cls):
            raw = os.environ.get(f"OGI_FETCH_{f.name.upper()}")
            if raw is None:
                continue
            default = getattr(out, f.name)
            if isinstance(default, bool):
                value = raw.strip().lower() in ("1", "true", "yes")
            elif isinstance(default, tuple):
                value = tuple(h.strip() for h in raw.split(",") if h.strip())
            else:
                value = type(default)(raw)
            setattr(out, f.name, value)
        return out


@dataclass
class Fetched:
    url: str
    page_url: str
    outcome: str  # new, not_modified, robots_disallowed, too_large, timeout, error, bad_scheme, other_site,
    # private_address, over_budget (stored later as new / unchanged / changed)
    http_status: int | None = None
    path: Path | None = None  # the downloaded body, until it is moved into the landing folder
    sha256: str | None = None
    size: int | None = None
    content_type: str | None = None
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    page_title: str | None = None  # the <title> of the report page (for an attachment: of its page)
    attachments: list[Fetched] = field(default_factory=list)


class Refused(Exception):
    """A response or redirect the fetcher will not take; ``outcome`` says why."""

    def __init__(self, outcome: str, message: str, status: int | None = None):
        super().__init__(message)
        self.outcome, self.status = outcome, status


def site_of(host: str) -> str:
    """The registrable part of a host name (x.gov.cn for www.x.gov.cn), or the address itself."""
    host = host.lower().rstrip(".")
    labels = host.split(".")
    if host.replace(".", "").isdigit() or ":" in host or len(labels) < 3:
        return host
    keep = 3 if labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


class Budget:
    """Bytes a run may still download; shared by the worker threads."""

    def __init__(self, total: int):
        self.left, self._lock = total, threading.Lock()

    def take(self, n: int) -> bool:
        with self._lock:
            if n > self.left:
                self.left = 0
                return False
            self.left -= n
            return True


class PoliteClient:
    def __init__(self, settings: Settings, landing: Path):
        self.settings = settings
        # partial downloads beside the landing folder (same file system: moved in by a rename),
        # never inside it, where a refresh would meet them
        self.incoming = landing.parent / f".{landing.name}.incoming"
        self.incoming.mkdir(parents=True, exist_ok=True)
        for stale in self.incoming.iterdir():  # left by a run that was killed
            stale.unlink(missing_ok=True)
        self.run_budget = Budget(settings.run_budget)
        self.session = requests.Session()
        self.session.headers["User-Agent"] = settings.user_agent
        retry = Retry(
            total=settings.retries,
            read=0,  # a server that stopped answering is not asked again: it only makes the run longer
            backoff_factor=settings.backoff,
            status_forcelist=(500, 502, 503, 504),
            allowed_methods=("GET",),
            respect_retry_after_header=True,
            retry_after_max=settings.retry_after_max,
            raise_on_status=False,
            redirect=False,
        )
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self._host_locks: dict[str, threading.Semaphore] = {}
        self._host_last: dict[str, float] = {}
        self._guard = threading.Lock()

    # --- what may be fetched

    def check_target(self, url: str, origin: str) -> None:
        """Refuse a URL that is not http(s), not on the origin's site (unless allowed), or whose
        host resolves to a private or loopback address (unless configured)."""
        try:
            parts = urlparse(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:  # a port out of range, a broken IPv6 literal
            raise Refused("error", f"not a usable URL ({exc}): {url[:200]}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Refused("bad_scheme", f"only http and https are fetched, not {parts.scheme or 'this'}: {url[:200]}")
        host = parts.hostname
        allowed = self.settings.allow_hosts
        same = site_of(host) == site_of(urlparse(origin).hostname or "")
        if not same and not any(host == a or (a.startswith(".") and host.endswith(a)) for a in allowed):
            raise Refused("other_site", f"{host} is not the listed page's site; allow it with allow_hosts")
        if not self.settings.allow_private:
            try:
                addresses = {info[4][0] for info in socket.getaddrinfo(host, port)}
            except (OSError, UnicodeError) as exc:
                raise Refused("error", f"cannot resolve {host}: {exc}") from None
            for address in addresses:
                ip = ipaddress.ip_address(address.split("%")[0])
                if not ip.is_global:
                    raise Refused("private_address", f"{host} resolves to {ip}, not a public address")

    def allowed(self, url: str) -> bool:
        parts = urlparse(url)
        host = f"{parts.scheme}://{parts.netloc}"
        with self._guard:
            rp = self._robots.get(host)
        if rp is None:
            rp = urllib.robotparser.RobotFileParser()
            try:
                with self._follow(f"{host}/robots.txt", url, {}, robots=False) as resp:
                    body = self._read_capped(resp, self.settings.max_robots_bytes) if resp.status_code == 200 else b""
                rp.parse(body.decode("utf-8", "replace").splitlines())
            except (requests.RequestException, Refused):
                rp.parse([])  # unreachable or oversized robots.txt: treated as no rules
            with self._guard:
                self._robots[host] = rp
        return rp.can_fetch(self.settings.user_agent, url)

    # --- transport

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
                url,
                headers=headers or {},
                timeout=(self.settings.connect_timeout, self.settings.timeout),
                stream=True,
                allow_redirects=False,
            )

    def _chunks(self, resp: requests.Response, limit: int):
        """The decoded body in chunks, stopped past ``limit`` bytes, past the total time, or when
        it arrives slower than the minimum rate."""
        started, size = time.monotonic(), 0
        while True:
            # read1: whatever has arrived (at most 64 KB, decoded), so the clock is checked as
            # bytes trickle in; read() would wait for a whole chunk
            try:
                chunk = resp.raw.read1(64 * 1024, decode_content=True)
            except ProtocolError as exc:  # a body shorter than its Content-Length
                raise Refused("error", f"the body was cut short ({str(exc)[:200]})", resp.status_code) from None
            except ReadTimeoutError:
                raise Refused("timeout", f"no byte for {self.settings.timeout:g} s", resp.status_code) from None
            except DecodeError as exc:
                raise Refused("error", f"the body cannot be decoded ({str(exc)[:200]})", resp.status_code) from None
            if not chunk:
                return
            size += len(chunk)
            if size > limit:
                raise Refused("too_large", f"over {limit} bytes", resp.status_code)
            elapsed = time.monotonic() - started
            if elapsed > self.settings.total_timeout:
                raise Refused("timeout", f"the body took over {self.settings.total_timeout:g} s", resp.status_code)
            if elapsed > 10 and size / elapsed < self.settings.min_rate:
                raise Refused("timeout", f"the body trickles at {size / elapsed:.0f} bytes/s", resp.status_code)
            yield chunk

    def _read_capped(self, resp: requests.Response, limit: int) -> bytes:
        return b"".join(self._chunks(resp, limit))

    def _follow(self, url: str, origin: str, headers: dict, robots: bool = True) -> requests.Response:
        """The response after redirects, each hop checked like the first request (``robots``:
        against the host's robots.txt too; not when fetching robots.txt itself)."""
        for _ in range(self.settings.max_redirects + 1):
            self.check_target(url, origin)
            if robots and not self.allowed(url):
                raise Refused("robots_disallowed", "robots.txt disallows it")
            resp = self._get(url, headers)
            if resp.is_redirect and resp.headers.get("Location"):
                resp.close()
                url = urljoin(url, resp.headers["Location"])
                continue
            return resp
        raise Refused("error", f"more than {self.settings.max_redirects} redirects")

    def fetch(self, url: str, page_url: str, previous: dict | None, limit: int | None = None) -> Fetched:
        """One document into the landing folder's incoming area, hashed as it streams; ``limit``
        lowers the size cap (what is left of a budget)."""
        headers = {}
        if previous and previous.get("etag"):
            headers["If-None-Match"] = previous["etag"]
        if previous and previous.get("last_modified"):
            headers["If-Modified-Since"] = previous["last_modified"]
        limit = self.settings.max_bytes if limit is None else min(limit, self.settings.max_bytes)
        try:
            with self._follow(url, page_url, headers) as resp:
                if resp.status_code == 304:
                    return Fetched(url, page_url, "not_modified", 304)
                if resp.status_code >= 400:
                    return Fetched(url, page_url, "error", resp.status_code, error=f"HTTP {resp.status_code}")
                sha, size, tmp = hashlib.sha256(), 0, None
                with tempfile.NamedTemporaryFile(dir=self.incoming, delete=False) as out:
                    tmp = Path(out.name)
                    try:
                        for chunk in self._chunks(resp, limit):
                            sha.update(chunk)
                            out.write(chunk)
                            size += len(chunk)
                    except BaseException:
                        tmp.unlink(missing_ok=True)
                        raise
                ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                return Fetched(
                    url,
                    page_url,
                    "new",
                    resp.status_code,
                    tmp,
                    sha.hexdigest(),
                    size,
                    ctype or None,
                    etag=resp.headers.get("ETag"),
                    last_modified=resp.headers.get("Last-Modified"),
                )
        except Refused as exc:
            if exc.outcome == "too_large" and limit < self.settings.max_bytes:
                return Fetched(
                    url, page_url, "over_budget", exc.status, error=f"over the {limit} bytes left of a budget"
                )
            return Fetched(url, page_url, exc.outcome, exc.status, error=str(exc))
        except requests.RequestException as exc:
            timed_out = isinstance(exc, requests.Timeout) or "timed out" in str(exc)
            return Fetched(
                url, page_url, "timeout" if timed_out else "error", error=f"{type(exc).__name__}: {exc}"[:300]
            )


def _extension(url: str, content_type: str | None, head: bytes) -> str:
    suffix = Path(urlparse(url).path).suffix.lower()
    if suffix in (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".html", ".htm", ".txt"):
        return suffix
    return EXTENSIONS.get(content_type or "") or (".pdf" if head.startswith(b"%PDF") else ".html")


def fetch_page(client: PoliteClient, url: str, previous: dict[str, dict]) -> Fetched:
    """A report page and, when it is HTML, the attachments it links, within the page's budget
    and what is left of the run's."""
    if client.run_budget.left <= 0:
        return Fetched(url, url, "over_budget", error="the run's download budget is spent")
    page = client.fetch(url, url, previous.get(url), limit=client.run_budget.left)
    if page.size and not client.run_budget.take(page.size):
        page.outcome, page.error = "over_budget", "the run's download budget is spent"
        page.path.unlink(missing_ok=True)
        page.path = None
    html_file = None
    if page.path is not None and (page.content_type or "").startswith("text/html"):
        html_file = page.path
    elif page.outcome == "not_modified" and str((previous.get(url) or {}).get("path", "")).endswith(".html"):
        html_file = Path(previous[url]["path"])  # unchanged page: its attachments may still change
    if html_file is None or not html_file.is_file():
        return page
    try:
        text, encoding, _ = decode_html(html_file.read_bytes())  # a page is at most max_bytes
    except Unreadable:  # a binary body served as text/html: kept, no links to follow
        return page
    page.encoding = page.encoding or encoding
    m = _TITLE.search(text)
    page.page_title = clean(unescape(m.group(1)))[:500] if m else None
    left = client.settings.page_budget
    attachments = attachment_links(text, url)
    if page.path is not None and not attachments and ocr.TABLE3_WORD not in text:
        left -= _embed_pictures(client, page, text, left)
    for n, link in enumerate(attachments):
        if n >= client.settings.max_attachments or min(left, client.run_budget.left) <= 0:
            item = Fetched(link, url, "over_budget", error="the page's or the run's download budget is spent")
        else:
            item = client.fetch(link, url, previous.get(link), limit=min(left, client.run_budget.left))
            if item.size:
                left -= item.size
                if not client.run_budget.take(item.size):
                    item.path.unlink(missing_ok=True)
                    item = Fetched(link, url, "over_budget", error="the run's download budget is spent")
        item.page_title = page.page_title
        page.attachments.append(item)
    return page


def _embed_pictures(client: PoliteClient, page: Fetched, text: str, left: int) -> int:
    """A page that links no attachment and whose text lacks 表三's words may show the report's
    tables as pictures: its pictures (not those it draws small) are fetched within the page's and
    the run's budgets, and those large enough to be a table or a page are embedded in the saved page
    as ``data:`` URIs, so that the landed file holds the whole report, up to what the reader takes
    (readers.MAX_BYTES). A picture that could not be fetched is named in the page's ``error``.
    Returns the bytes spent."""
    codec = (page.encoding or "utf-8").lower().replace("_", "-")
    if "16" in codec or "32" in codec:
        return 0  # a page in UTF-16/32: its bytes are not ASCII-compatible, written as they came
    codec = "utf-8" if codec.startswith("utf-8") else codec  # no byte-order mark in what is matched
    body, spent, missed = page.path.read_bytes(), 0, []
    room = (MAX_BYTES - len(body)) * 3 // 4  # base64 writes 4 bytes for 3
    for n, (src, link) in enumerate(picture_links(text, page.url)):
        budget = min(left - spent, client.run_budget.left, room)
        if n >= client.settings.max_attachments or budget <= 0:
            missed.append(link)
            continue
        item = client.fetch(link, page.url, None, limit=budget)
        if item.path is None:
            missed.append(link)
            continue
        data = item.path.read_bytes()
        item.path.unlink()
        client.run_budget.take(len(data))
        spent += len(data)
        picture = ocr.picture(data)
        if picture is None:
            continue
        room -= len(data)
        uri = f"data:image/{picture.format.lower()};base64,{base64.b64encode(data).decode()}".encode()
        for written in {src, src.replace("&", "&amp;")}:  # as the page's bytes spell it
            for quote in (b'"', b"'"):
                body = body.replace(quote + written.encode(codec, "replace") + quote, quote + uri + quote)
    if spent:
        page.path.write_bytes(body)
        page.sha256, page.size = hashlib.sha256(body).hexdigest(), len(body)
    if missed:
        page.error = f"{len(missed)} picture(s) not fetched, the first {missed[0]}"[:300]
    return spent


@dataclass
class Version:
    url: str
    agency: str | None
    year: int | None
    old_path: Path
    new_path: Path


LOG_COLUMNS = (
    "url",
    "page_url",
    "agency",
    "report_year",
    "fetched_at",
    "http_status",
    "outcome",
    "content_type",
    "encoding",
    "sha256",
    "path",
    "etag",
    "last_modified",
    "size_bytes",
    "error",
    "page_title",
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def settle(
    landing: Path, item: Fetched, meta: tuple, previous: dict[str, dict], now: datetime
) -> tuple[dict, Version | None]:
    """Move a downloaded body to its content-addressed name (a changed document is kept beside
    the old) and make its fetch_log row; also the change, when the URL's content changed."""
    outcome, sha, path, change = item.outcome, item.sha256, None, None
    before = previous.get(item.url)
    if item.path is not None:
        with open(item.path, "rb") as f:
            head = f.read(8)
        target = landing / f"{sha[:20]}{_extension(item.url, item.content_type, head)}"
        if target.exists():
            item.path.unlink()
        else:
            os.replace(item.path, target)
        path = str(target)
        if before and before.get("sha256"):
            outcome = "unchanged" if before["sha256"] == sha else "changed"
            if outcome == "changed":
                change = Version(item.url, meta[0], meta[1], Path(before["path"]), target)
    elif outcome == "not_modified" and before:
        sha, path = before.get("sha256"), before.get("path")
    row = {
        "url": item.url,
        "page_url": item.page_url,
        "agency": meta[0],
        "report_year": meta[1],
        "fetched_at": now,
        "http_status": item.http_status,
        "outcome": outcome,
        "content_type": item.content_type,
        "encoding": item.encoding,
        "sha256": sha,
        "path": path,
        "etag": item.etag or (before or {}).get("etag"),
        "last_modified": item.last_modified or (before or {}).get("last_modified"),
        "size_bytes": item.size,
        "error": item.error,
        "page_title": item.page_title,
    }
    return row, change


@dataclass
class Listed:
    """One line of the URL list: a URL with its agency and year, or the line and what is wrong."""

    url: str
    agency: str | None = None
    year: int | None = None
    error: str | None = None


_YEAR = re.compile(r"(?:19|20)[0-9]{2}")


def parse_url_list(text: str) -> list[Listed]:
    """One URL per line, optionally followed by agency and year (tab or comma separated); blank
    lines and # comments skipped. A line that cannot be used is kept with its error, to be logged."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.replace("\t", ",").split(",")]
        year = parts[2] if len(parts) > 2 else ""
        if year and not _YEAR.fullmatch(year):
            out.append(Listed(line[:500], error=f"line {n}: the year {year[:20]!r} is not a year like 2024"))
        else:
            out.append(Listed(parts[0], parts[1] if len(parts) > 1 and parts[1] else None, int(year) if year else None))
    return out


def fetch_all(
    listed: list[Listed],
    landing: Path,
    previous: dict[str, dict],
    write_log,
    settings: Settings | None = None,
) -> tuple[dict[str, int], list[Version]]:
    """Fetch every listed page and its attachments; ``write_log(rows)`` is called as each page is
    done, so a run that is stopped keeps the record of what it fetched. Returns outcome counts and
    the changed documents."""
    landing.mkdir(parents=True, exist_ok=True)
    client = PoliteClient(settings or Settings.from_env(), landing)
    counts: Counter = Counter()
    changed: list[Version] = []
    bad = [x for x in listed if x.error]
    if bad:
        blank = dict.fromkeys(LOG_COLUMNS)
        write_log([blank | {"url": x.url, "outcome": "bad_line", "error": x.error, "fetched_at": _now()} for x in bad])
        counts["bad_line"] += len(bad)
    good = [x for x in listed if not x.error]
    with ThreadPoolExecutor(max_workers=client.settings.workers) as pool:
        futures = {pool.submit(fetch_page, client, x.url, previous): x for x in good}
        for future in as_completed(futures):
            x = futures[future]
            try:
                page = future.result()
            except Exception as exc:  # a page the fetcher did not foresee: one error row, the run goes on
                page = Fetched(x.url, x.url, "error", error=f"{type(exc).__name__}: {exc}"[:300])
            rows = []
            for item in [page, *page.attachments]:
                row, change = settle(landing, item, (x.agency, x.year), previous, _now())
                rows.append(row)
                counts[row["outcome"]] += 1
                if change:
                    changed.append(change)
            write_log(rows)
    return dict(counts), changed
