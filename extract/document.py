"""What every format reader produces: the document's lines and its cell tokens, in reading order,
each with provenance back to the source file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from .normalize import clean, is_page_furniture
from .values import UNITS, looks_like_value

# "blank": an empty cell of a flat export, possibly merged-cell padding (trimmed at row edges);
# "empty": an empty cell of a real table grid (HTML, DOCX), which is a blank value.
TokenKind = Literal["text", "value", "blank", "empty"]
MAX_LINES = 50_000  # a report is a few thousand lines; past this a file is refused, not parsed for minutes


class Unreadable(Exception):
    """A file that cannot be read as a report. ``reason`` is a stable code (report-format.md
    has the list: empty, binary, image_only, garbled_text_layer, encrypted, corrupt, needs_converter,
    conversion_failed, conversion_timeout, not_a_report, too_large, unsupported_format)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Token:
    text: str
    kind: TokenKind
    line: int  # index into Document.lines
    row: int | None  # tokens sharing a row id were printed in one table row
    prov: dict


@dataclass
class Line:
    text: str
    prov: dict


@dataclass
class Document:
    source_format: str  # txt, pdf, html, docx
    layout: str  # tsv, cell_per_line, docx_indented, pdf_text, html_table
    lines: list[Line] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    properties: dict = field(default_factory=dict)  # e.g. PDF metadata, never printed text


_PART = re.compile(r"\S+")


def tokenize_segment(text: str, line: int, row: int | None, prov_for, tokens: list[Token]) -> None:
    """Split one printed segment into tokens: every whitespace-separated part that reads as a
    value becomes a value token; runs of other parts stay together as one text token.
    ``prov_for(start, end)`` gives the provenance of a character span of ``text``."""
    if len(text) < 40 and text.isprintable() and " " not in text:
        # most table cells are one number or one label: one token, no regex
        if text:
            kind = "value" if looks_like_value(text) else "text"
            tokens.append(Token(text, kind, line, row, prov_for(0, len(text))))
        return
    spans = [(m.start(), m.end()) for m in _PART.finditer(text)]
    # '169974800 元': PDF text layers put a space between a number and its unit; keep them together
    for k in range(len(spans) - 2, -1, -1):
        s, e = spans[k]
        if text[spans[k + 1][0] : spans[k + 1][1]] in UNITS and looks_like_value(text[s:e]):
            spans[k : k + 2] = [(s, spans[k + 1][1])]
    i = 0
    while i < len(spans):
        s, e = spans[i]
        if looks_like_value(text[s:e]):
            tokens.append(Token(text[s:e], "value", line, row, prov_for(s, e)))
            i += 1
            continue
        j = i
        while j + 1 < len(spans) and not looks_like_value(text[spans[j + 1][0] : spans[j + 1][1]]):
            j += 1
        s2, e2 = spans[i][0], spans[j][1]
        tokens.append(Token(text[s2:e2], "text", line, row, prov_for(s2, e2)))
        i = j + 1


def add_row(doc: Document, cells: list[tuple[str, dict]]) -> None:
    """Append one row of a real table grid: (cell text, provenance) pairs, merged-cell
    continuations already left out. Empty cells are blank values."""
    if not any(clean(text) for text, _ in cells):
        return
    n = len(doc.lines)
    doc.lines.append(Line("\t".join(text for text, _ in cells), cells[0][1]))
    for text, prov in cells:
        if not clean(text):
            doc.tokens.append(Token("", "empty", n, n, prov))
        else:
            tokenize_segment(
                text.replace("\u00a0", " ").replace("\u3000", " "), n, n, lambda s, e, p=prov: dict(p), doc.tokens
            )


def add_line(doc: Document, text: str, prov: dict, cells: list[tuple[int, str]] | None = None, prov_for=None) -> None:
    """Append a line and its tokens. ``cells`` (offset, text) marks a table row whose empty
    cells matter (TSV, HTML and DOCX rows); otherwise the line is split on whitespace."""
    if is_page_furniture(text) or not clean(text):
        return
    n = len(doc.lines)
    if n >= MAX_LINES:
        raise Unreadable("too_large", f"over {MAX_LINES} lines of text: not a report")
    doc.lines.append(Line(text, prov))
    prov_for = prov_for or (lambda s, e, base=0: {**prov, "offset": base + s})
    if cells is None:
        tokenize_segment(text.replace("\u00a0", " ").replace("\u3000", " "), n, n, prov_for, doc.tokens)
        return
    for offset, cell in cells:
        if not clean(cell):
            doc.tokens.append(Token("", "blank", n, n, prov_for(offset, offset)))
            continue
        cell_text = cell.replace("\u00a0", " ").replace("\u3000", " ")
        tokenize_segment(cell_text, n, n, lambda s, e, o=offset: prov_for(o + s, o + e), doc.tokens)
