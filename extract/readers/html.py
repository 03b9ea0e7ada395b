"""Web pages, parsed with lxml (about 10x faster than BeautifulSoup here). Real <table>s are
expanded to their grid (rowspan/colspan) and read row by row; everything else (paragraphs, tables
flattened into <p>s, page chrome) is read as lines."""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote_to_bytes

import lxml.html
from lxml import etree

from ..document import Document, Unreadable, add_line, add_row
from . import ocr
from .page_rows import emit_pages
from .text import decode

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)
_BLOCK = (
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "table",
    "title",
    "dd",
    "dt",
    "pre",
)
MAX_GRID_CELLS = 200_000  # the statutory tables have a few hundred; a bigger grid is refused
MAX_PAGE_CELLS = 50_000
_PLACEHOLDER = "\u2063TABLE{}\u2063"
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_PLACEHOLDER_RE = re.compile("\u2063TABLE(\\d+)\u2063")
_PICTURE = "\u2063PICTURE{}\u2063"
_PICTURE_RE = re.compile("\u2063PICTURE(\\d+)\u2063")
_DATA_URI = re.compile(r"^data:image/[\w.+-]+(;[^,]*)?,", re.I)


def decode_html(data: bytes) -> tuple[str, str, list[int]]:
    """A declared charset is tried first; GB2312/GBK declarations are read as GB18030, their
    superset. A wrong declaration falls back to detection."""
    m = _META_CHARSET.search(data[:4096])
    if m:
        enc = m.group(1).decode("ascii").lower()
        enc = "gb18030" if enc in ("gb2312", "gbk", "gb_2312-80", "x-gbk") else enc
        try:
            return data.decode(enc), enc, []
        except (LookupError, UnicodeError):
            pass
    return decode(data)


_HUGE = lxml.html.HTMLParser(huge_tree=True)  # pages nested past libxml2's default depth of 256
_WRAPPER = re.compile(r"</?(?:div|span|section|article|main|aside|header|footer|nav|font|center)\b[^>]*>", re.I)
_TD = re.compile(rb"<t[dh][\s>]", re.I)


def parse_page(text: str):
    """The page's tree. A page nested deeper than libxml2 goes even with huge_tree (2048, seen in
    pages built by nesting editors) is read again with its wrapper elements flattened into line
    breaks: tables and text survive, the nesting does not."""
    for attempt in (text, None):
        if attempt is None:
            attempt = _WRAPPER.sub("<br>", text)
        root = lxml.html.document_fromstring(attempt, parser=_HUGE)
        if not any("Excessive depth" in e.message for e in _HUGE.error_log):
            return root
    raise Unreadable("too_deep", "elements nested too deep to parse, even with the wrappers flattened")


def _cell_text(td) -> str:
    return " ".join(filter(None, (part.strip() for part in td.itertext())))


def table_grid(table) -> list[list[tuple[int, str]]]:
    """The rows of a table as (grid column, text) pairs, each spanning cell listed once at its
    top-left position; positions covered by a rowspan from above are left out."""
    covered: set[tuple[int, int]] = set()
    rows = []
    trs = list(table.iter("tr"))
    for r, tr in enumerate(trs):
        out, col = [], 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while (r, col) in covered:
                col += 1
            # a span never reaches past the table's last row; hostile spans cannot blow the grid up
            rs, cs = min(_span(td.get("rowspan")), len(trs) - r), _span(td.get("colspan"))
            if rs > 1:  # positions to the right in this row are passed by col
                covered.update((r + dr, col + dc) for dr in range(1, rs) for dc in range(cs))
                if len(covered) > MAX_GRID_CELLS:
                    raise Unreadable("too_large", f"a table spans over {MAX_GRID_CELLS} grid cells")
            out.append((col, _cell_text(td)))
            col += cs
        rows.append(out)
    return rows


def _span(value) -> int:
    if value is None:
        return 1
    try:
        return max(1, min(int(str(value).strip()), 200))
    except (TypeError, ValueError):
        return 1


def _page_properties(root) -> dict:
    """The page's <title> and named <meta> contents (ArticleTitle, PubDate, ContentSource …),
    names lower-cased."""
    title = root.find(".//title")
    meta = {}
    for m in root.iter("meta"):
        name, content = (m.get("name") or "").strip().lower(), (m.get("content") or "").strip()
        if name and content and name not in meta:
            meta[name] = content[:500]
    out = {"meta": meta}
    if title is not None and (title.text_content() or "").strip():
        out["html_title"] = title.text_content().strip()[:500]
    return out


def read_html(data: bytes) -> Document:
    cells = len(_TD.findall(data))
    if cells > MAX_PAGE_CELLS:  # counted on the bytes: parsing a million cells takes a gigabyte
        raise Unreadable("too_large", f"{cells} table cells, over the {MAX_PAGE_CELLS} read in a page")
    text, encoding, replaced = decode_html(data)
    text = _XML_DECL.sub("", text, count=1)
    try:
        root = parse_page(text)
    except (etree.ParserError, ValueError) as exc:
        raise Unreadable("corrupt", f"HTML cannot be parsed ({exc})") from None
    for el in root.xpath("//script|//style|//noscript|//template"):
        el.drop_tree()
    doc = Document(
        "html", "html_table", properties={"encoding": encoding, "damaged_offsets": replaced, **_page_properties(root)}
    )
    pictures = _pictures(root)
    if pictures:
        doc.layout = "ocr"
    # data tables are the innermost ones; layout tables around them (or a picture) are read as text
    leaves = [t for t in root.iter("table") if not t.xpath(".//table|.//p[@data-picture]")]
    grids = []
    for table in leaves:
        grids.append(table_grid(table))
        marker = etree.Element("p")
        marker.text = _PLACEHOLDER.format(len(grids) - 1)
        marker.tail = table.tail
        table.getparent().replace(table, marker)
    for el in root.iter(*_BLOCK):
        el.text = "\n" + (el.text or "")
        el.tail = "\n" + (el.tail or "")
    body = root.find("body")
    pending: list[list[tuple]] = []  # pictures in a row, read as pages: a table cut between them is joined
    for i, line in enumerate((body if body is not None else root).text_content().split("\n")):
        if p := _PICTURE_RE.search(line):
            pending.append(pictures[int(p.group(1))])
            continue
        if line.strip():
            emit_pages(doc, pending)
            pending.clear()
        m = _PLACEHOLDER_RE.search(line)
        if not m:
            add_line(doc, line, {"line": i + 1})
            continue
        t = int(m.group(1))
        for r, row in enumerate(grids[t]):
            add_row(doc, [(cell, {"table": t, "row": r, "col": c}) for c, cell in row])
    emit_pages(doc, pending)
    return doc


def _pictures(root) -> list[list[tuple]]:
    """A page whose text lacks 表三's words may hold its tables (or the whole report) as pictures:
    the pictures embedded in it (``data:`` URIs, as a page saved whole or by the fetcher carries
    them) large enough to be a page or a table are read by OCR, each replaced by a placeholder line
    where it stands; returns each one's page items. Pictures linked by address are not fetched here."""
    embedded = [(img, m) for img in root.iter("img") if (m := _DATA_URI.match((img.get("src") or "").strip()))]
    if not embedded or ocr.TABLE3_WORD in root.text_content():
        return []
    images = []
    for img, m in embedded:
        payload = img.get("src").strip()[m.end() :]
        try:
            data = base64.b64decode(payload) if "base64" in (m.group(1) or "").lower() else unquote_to_bytes(payload)
        except ValueError:
            continue  # a broken data URI: no picture
        if (image := ocr.picture(data)) is not None:
            marker = etree.Element("p", {"data-picture": ""})
            marker.text = _PICTURE.format(len(images))
            marker.tail = img.tail
            img.getparent().replace(img, marker)
            images.append(image)
    return ocr.read_pages(images) if images else []
