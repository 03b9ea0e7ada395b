"""Web pages: real <table>s are expanded to their grid (rowspan/colspan) and read row by row;
everything else (paragraphs, tables flattened into <p>s, page chrome) is read as lines."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from ..document import Document, add_line, add_row
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
_PLACEHOLDER = "\u2063TABLE{}\u2063"
_PLACEHOLDER_RE = re.compile("\u2063TABLE(\\d+)\u2063")


def decode_html(data: bytes) -> tuple[str, str]:
    """A declared charset is tried first; GB2312/GBK declarations are read as GB18030, their
    superset. A wrong declaration falls back to detection."""
    m = _META_CHARSET.search(data[:4096])
    if m:
        enc = m.group(1).decode("ascii").lower()
        enc = "gb18030" if enc in ("gb2312", "gbk", "gb_2312-80", "x-gbk") else enc
        try:
            return data.decode(enc), enc
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(data)


def table_grid(table) -> list[list[tuple[int, str]]]:
    """The rows of a table as (grid column, text) pairs, each spanning cell listed once at its
    top-left position; positions covered by a rowspan from above are left out."""
    covered: dict[tuple[int, int], bool] = {}
    rows = []
    for r, tr in enumerate(table.find_all("tr")):
        out, col = [], 0
        for td in tr.find_all(["td", "th"], recursive=False):
            while covered.get((r, col)):
                col += 1
            rs = _span(td.get("rowspan"))
            cs = _span(td.get("colspan"))
            for dr in range(rs):
                for dc in range(cs):
                    covered[(r + dr, col + dc)] = True
            out.append((col, td.get_text(" ", strip=True)))
            col += cs
        rows.append(out)
    return rows


def _span(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), 200))
    except (TypeError, ValueError):
        return 1


def read_html(data: bytes) -> Document:
    text, encoding = decode_html(data)
    soup = BeautifulSoup(text, "lxml")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    doc = Document("html", "html_table", properties={"encoding": encoding})
    grids = []
    # data tables are the innermost ones; layout tables around them are read as text
    leaves = [t for t in soup.find_all("table") if t.find("table") is None]
    for table in leaves:
        grids.append(table_grid(table))
        table.replace_with(soup.new_string(f"\n{_PLACEHOLDER.format(len(grids) - 1)}\n"))
    for tag in soup.find_all(_BLOCK):
        tag.insert_before("\n")
        tag.insert_after("\n")
    body = soup.body or soup
    for i, line in enumerate(body.get_text("").split("\n")):
        m = _PLACEHOLDER_RE.search(line)
        if not m:
            add_line(doc, line, {"line": i + 1})
            continue
        t = int(m.group(1))
        for r, row in enumerate(grids[t]):
            add_row(doc, [(cell, {"table": t, "row": r, "col": c}) for c, cell in row])
    return doc
