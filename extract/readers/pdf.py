"""PDFs, read with pypdfium2 (Apache-2.0/BSD; ~10x faster than pdfplumber).

A page that draws table rules is read from its cell grid (``pdf_grid``); any other page line by
line. Values carry the page and a bounding box in PDF points (origin bottom-left). A PDF without a
text layer is a scan and goes to OCR; one whose text layer is mojibake is refused, never loaded
as a report."""

from __future__ import annotations

import ctypes
import re
import zlib

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..document import Document, Unreadable
from . import ocr
from .page_rows import emit_pages
from .pdf_grid import find_tables

MAX_PAGES = 300  # a report has a few dozen pages at most; a longer PDF is refused, not read for minutes
MAX_STREAM_BYTES = 256 * 1024 * 1024  # one stream's size after decompression (a compression bomb)
MAX_INFLATED_BYTES = 1024 * 1024 * 1024  # all streams together
_STREAM_START = re.compile(rb"stream\r?\n")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN1_NOISE = re.compile(r"[\u0080-\u00ff\u0152-\u0192\u02c6-\u02dc\u2013-\u2122\ufb01\ufb02]")


def text_layer_quality(text: str) -> tuple[int, float]:
    """(CJK character count, share of mojibake-looking characters among letters)."""
    cjk = len(_CJK.findall(text))
    noise = len(_LATIN1_NOISE.findall(text))
    return cjk, noise / max(1, cjk + noise)


def _box(chars, indexes) -> list[float] | None:
    """The bounding box of some characters; ``chars`` is the page's text page or its char boxes."""
    boxes = [chars[i] for i in indexes] if isinstance(chars, list) else [chars.get_charbox(i) for i in indexes]
    if not boxes:
        return None
    return [
        round(min(b[0] for b in boxes), 1),
        round(min(b[1] for b in boxes), 1),
        round(max(b[2] for b in boxes), 1),
        round(max(b[3] for b in boxes), 1),
    ]


def _path_bounds(page) -> list[tuple[float, float, float, float]]:
    """(left, bottom, right, top) of the page's path objects, through pdfium's C calls; objects
    inside form XObjects are reached through pypdfium2's walk."""
    raw = page.raw
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    out = []
    for i in range(pdfium_c.FPDFPage_CountObjects(raw)):
        obj = pdfium_c.FPDFPage_GetObject(raw, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            return [o.get_bounds() for o in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH])]
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH and pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            out.append((left.value, bottom.value, right.value, top.value))
    return out


def _char_boxes(tp, n: int) -> list[tuple[float, float, float, float]]:
    """(left, bottom, right, top) of every character, through pdfium's C call (the per-call
    wrapper cost a third of a page's reading)."""
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    out = []
    get = pdfium_c.FPDFText_GetCharBox
    for i in range(n):
        get(tp.raw, i, left, right, bottom, top)
        out.append((left.value, bottom.value, right.value, top.value))
    return out


def _line_items(tp, text: str, page: int) -> list[tuple]:
    """A page without drawn tables: each text line is a line; values get their bounding box."""
    aligned = tp.count_chars() == len(text)
    items, pos = [], 0
    for ln in re.split(r"(\r\n|\n|\r)", text):
        if ln in ("\r\n", "\n", "\r"):
            pos += len(ln)
            continue

        def prov_for(s: int, e: int, base: int = pos) -> dict:
            box = _box(tp, range(base + s, base + e)) if aligned and e > s else None
            return {"page": page, "bbox": box}

        items.append(("line", ln, prov_for))
        pos += len(ln)
    return items


def _grid_items(tp, text: str, tables: list, page: int) -> list[tuple]:
    """A page with drawn tables: every character goes to the table cell that holds it; the
    tables' rows (an empty cell is a blank) come in page order among the lines of text outside."""
    items = []  # (top y, order, item)
    line_chars: list[list[int]] = [[]]
    boxes = _char_boxes(tp, len(text))
    for i, ch in enumerate(text):
        if ch in "\r\n":
            if line_chars[-1]:
                line_chars.append([])
            continue
        box = boxes[i]
        x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        for t in tables:
            cell = t.cell_at(x, y)
            if cell is not None:
                cell.chars.append((i, ch))
                break
        else:
            line_chars[-1].append(i)
    for k, idx in enumerate(line_chars):
        if idx and text[idx[0] : idx[-1] + 1].strip():
            prov_for = lambda s, e, idx=idx: {"page": page, "bbox": _box(boxes, idx[s:e])}  # noqa: E731
            top = max(boxes[i][3] for i in idx)
            items.append((-top, k, ("line", "".join(text[i] for i in idx), prov_for)))
    for t in tables:
        for r, cells in enumerate(t.rows()):
            if cells:
                # a cell's provenance is the cell as drawn: it holds all of the value, wrapped or not
                row = [
                    (c.text, {"page": page, "bbox": [round(v, 1) for v in c.bbox]}, (c.bbox[0], c.bbox[2]))
                    for c in cells
                ]
                items.append((-t.ys[r], 0, ("row", row)))
    return [item for *_, item in sorted(items, key=lambda it: it[:2])]


def check_streams(data: bytes) -> None:
    """Refuse a PDF one of whose Flate streams expands beyond MAX_STREAM_BYTES, or all of them
    beyond MAX_INFLATED_BYTES, before pdfium inflates them in memory. Each stream is inflated in
    steps of 1 MB and only counted (a few ms for a real report); a stream that is not Flate fails
    at once and is passed over."""
    view, total = memoryview(data), 0
    for m in _STREAM_START.finditer(data):
        inflate, pos, size = zlib.decompressobj(), m.end(), 0
        try:
            while not inflate.eof and pos < len(data):
                size += len(inflate.decompress(view[pos : pos + 65536], 1 << 20))
                pos += 65536
                while inflate.unconsumed_tail and size <= MAX_STREAM_BYTES:
                    size += len(inflate.decompress(inflate.unconsumed_tail, 1 << 20))
                if size > MAX_STREAM_BYTES:
                    raise Unreadable("too_large", f"a stream expands to over {MAX_STREAM_BYTES} bytes: refused")
        except zlib.error:
            pass
        total += size
        if total > MAX_INFLATED_BYTES:
            raise Unreadable("too_large", f"its streams expand to over {MAX_INFLATED_BYTES} bytes: refused")


def read_pdf(data: bytes) -> Document:
    check_streams(data)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg:
            raise Unreadable("encrypted", "the PDF needs a password") from None
        raise Unreadable("corrupt", f"PDF cannot be opened ({exc})") from None
    if len(pdf) > MAX_PAGES:
        pages = len(pdf)
        pdf.close()
        raise Unreadable("too_large", f"{pages} pages, over the {MAX_PAGES} pages read")
    doc = Document("pdf", "pdf_text", properties={k: v for k, v in pdf.get_metadata_dict().items() if v})
    all_text = []

    def pages():
        for pno in range(len(pdf)):
            page = pdf[pno]
            tp = page.get_textpage()
            text = tp.get_text_range()
            all_text.append(text)
            tables = []
            if tp.count_chars() == len(text):  # char indexes and text positions agree
                tables = find_tables(_path_bounds(page))
            if tables:
                doc.layout = "pdf_grid"
            yield _grid_items(tp, text, tables, pno + 1) if tables else _line_items(tp, text, pno + 1)

    try:
        emit_pages(doc, pages())
    finally:
        pdf.close()
    joined = "".join(all_text)
    cjk, noise = text_layer_quality(joined)
    if not joined.strip():
        return ocr.read_pdf_scan(data)  # no text layer: a scan
    if noise > 0.3 or cjk < 20:
        raise Unreadable(
            "garbled_text_layer", f"text layer is not readable Chinese ({cjk} CJK chars, {noise:.0%} mojibake)"
        )
    return doc
