"""Finding annual-report links on a site's listing page (政府信息公开年报 column), and report
attachments on a report page. Pure functions over HTML."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

import lxml.html

REPORT_TITLE = re.compile(r"政府信息公开(工作)?(的)?年度?报告|信息公开年报")
YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
ATTACHMENT = re.compile(r"\.(pdf|docx?|xlsx?|wps)$", re.I)


def _targets(html: str, base: str, tag: str, attr: str):
    """(value as written, absolute http(s) URL, element) of each ``tag``'s ``attr``."""
    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return
    for el in root.iter(tag):
        raw = (el.get(attr) or "").strip()
        if not raw or raw.startswith(("javascript:", "mailto:", "#", "data:")):
            continue
        try:
            url = urljoin(base, raw)
            scheme = urlparse(url).scheme
        except ValueError:  # a broken link (an unclosed IPv6 bracket): not followed
            continue
        if scheme in ("http", "https"):
            yield raw, url, el


def _links(html: str, base: str):
    for _, url, a in _targets(html, base, "a", "href"):
        yield url, " ".join(a.text_content().split()), a.get("title") or ""


def _small(img) -> bool:
    """A picture whose page says it is drawn small (an icon, a logo): no table."""
    sizes = [re.match(r"\s*(\d+)", img.get(a) or "") for a in ("width", "height")]
    return any(m is not None and int(m.group(1)) < 200 for m in sizes)


def picture_links(html: str, base: str) -> list[tuple[str, str]]:
    """The pictures a page shows by address, but those it draws small: (``src`` as written,
    absolute URL), once each."""
    out: list[tuple[str, str]] = []
    for src, url, img in _targets(html, base, "img", "src"):
        if not _small(img) and all(s != src for s, _ in out):
            out.append((src, url))
    return out


def report_links(html: str, base: str) -> list[dict]:
    """Links whose text or title names an annual report, with the year when it is printed."""
    out, seen = [], set()
    for url, text, title in _links(html, base):
        label = text or title
        if url in seen or not (REPORT_TITLE.search(label) or REPORT_TITLE.search(title)):
            continue
        seen.add(url)
        year = YEAR.search(label)
        out.append({"url": url, "title": label, "year": int(year.group(1)) if year else None})
    return out


def attachment_links(html: str, base: str) -> list[str]:
    """Report attachments (PDF, Word, WPS, Excel) linked from a page."""
    out: list[str] = []
    for url, _, _ in _links(html, base):
        if ATTACHMENT.search(urlparse(url).path) and url not in out:
            out.append(url)
    return out
