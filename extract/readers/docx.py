"""Word (.docx) reports with python-docx: paragraphs and tables in body order; merged cells
(gridSpan, vMerge) are listed once, at their first grid position."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from ..document import Document, Unreadable, add_line, add_row

MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 200


def check_package(data: bytes) -> None:
    """Refuse zip bombs and XML with entity declarations before any XML is parsed."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise Unreadable("corrupt", f"not a valid DOCX/zip ({exc})") from None
    with z:
        infos = z.infolist()
        total = sum(i.file_size for i in infos)
        packed = max(1, sum(i.compress_size for i in infos))
        if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
            raise Unreadable("zip_bomb", f"{total} bytes uncompressed from {packed}: refused")
        if "word/document.xml" not in z.namelist():
            raise Unreadable("corrupt", "zip without word/document.xml: not a Word document")
        for info in infos:
            if info.filename.endswith((".xml", ".rels")):
                with z.open(info) as f:
                    head = f.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise Unreadable("unsafe_xml", f"{info.filename} declares a DTD/entities: refused")


def _rows(table: Table):
    prev_row_tcs: list = []
    for r, row in enumerate(table.rows):
        cells, seen, tcs = [], set(), []
        for c, cell in enumerate(row.cells):
            tc = cell._tc
            tcs.append(tc)
            if id(tc) in seen or (c < len(prev_row_tcs) and prev_row_tcs[c] is tc):
                continue  # horizontal span, or vertical merge continuing from the row above
            seen.add(id(tc))
            cells.append((c, cell.text))
        prev_row_tcs = tcs
        yield r, cells


def read_docx(data: bytes) -> Document:
    check_package(data)
    try:
        d = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for broken packages
        raise Unreadable("corrupt", f"Word document cannot be opened ({type(exc).__name__})") from None
    doc = Document("docx", "docx_table")
    t_index = p_index = 0
    for child in d.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            p_index += 1
            for k, line in enumerate(Paragraph(child, d).text.split("\n")):
                add_line(doc, line, {"paragraph": p_index, "part": k})
        elif tag == "tbl":
            for r, cells in _rows(Table(child, d)):
                add_row(doc, [(text, {"table": t_index, "row": r, "col": c}) for c, text in cells])
            t_index += 1
    return doc
