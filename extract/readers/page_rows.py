"""Laid-out pages (PDF text layers, OCR) into a Document: each page gives its items in reading
order, ("line", text, prov_for) or ("row", [(cell text, provenance, (x0, x1))]); a table row
that a page break cut is joined to its rest at the top of the next page."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..document import Document, add_line, add_row
from ..normalize import clean
from ..values import looks_like_value

_FRAGMENT = re.compile(r"^[0-9０-９,，.]+$")


def _joined(row: list, nxt: list) -> list | None:
    """``row`` (the last table row of a page) with ``nxt`` (the first of the next) joined into it
    when ``nxt`` is its rest, cut by the page break: most of the value cells above it are empty in
    it, its text goes to text cells and its digits to value cells ('3,93' + '0'). None when ``nxt``
    is a row of its own."""

    def above(x0: float, x1: float) -> int | None:
        overlap = [min(x1, b) - max(x0, a) for _, _, (a, b) in row]
        best = max(range(len(row)), key=overlap.__getitem__)
        return best if overlap[best] > 0 else None

    is_value = [looks_like_value(clean(t)) or bool(_FRAGMENT.match(clean(t))) for t, _, _ in row]
    filled = {above(*span) for t, _, span in nxt if clean(t)}
    values_above = [i for i, v in enumerate(is_value) if v]
    if not values_above or sum(1 for i in values_above if i in filled) * 2 > len(values_above):
        return None
    out = [list(c) for c in row]
    for text, _, span in nxt:
        text = clean(text)
        if not text:
            continue
        k = above(*span)
        if k is None or is_value[k] != bool(_FRAGMENT.match(text)):
            return None
        out[k][0] = out[k][0].rstrip() + text
    return [tuple(c) for c in out]


def _emit(doc: Document, item: tuple) -> None:
    if item[0] == "row":
        add_row(doc, [(text, prov) for text, prov, _ in item[1]])
    else:
        add_line(doc, item[1], item[2](0, len(item[1])), prov_for=item[2])


def emit_pages(doc: Document, pages: Iterable[list[tuple]]) -> None:
    """Every page's items into ``doc``; the last row of a page waits for the next page, whose
    first row may be its rest."""
    pending = None
    for items in pages:
        if pending is not None:
            joined = _joined(pending[1], items[0][1]) if items and items[0][0] == "row" else None
            if joined is not None:
                pending = ("row", joined)
                items.pop(0)
            _emit(doc, pending)
            pending = None
        if items and items[-1][0] == "row":
            pending = items.pop()
        for item in items:
            _emit(doc, item)
    if pending is not None:
        _emit(doc, pending)
