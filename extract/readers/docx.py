"""Word (.docx) reports: word/document.xml walked with lxml, paragraphs and tables in body order;
merged cells (gridSpan, vMerge) are listed once, at their first grid position.

python-docx computes each cell's grid position with XPath queries on every access, which made a
report's tables cost ~100 ms; one pass over the XML gives the same rows in a few."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from ..document import Document, Unreadable, add_line, add_row
from . import ocr
from .page_rows import emit_pages

MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 200
DOCUMENT_XML = "word/document.xml"
CORE_XML = "docProps/core.xml"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
P, TBL, TR, TC, R, SDT, SDT_CONTENT = (_W + t for t in ("p", "tbl", "tr", "tc", "r", "sdt", "sdtContent"))
_RUN_TEXT = {_W + "t": None, _W + "tab": "\t", _W + "ptab": "\t", _W + "cr": "\n", _W + "noBreakHyphen": "-"}
_BR, _BR_TYPE = _W + "br", _W + "type"
_A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
RELS_XML = "word/_rels/document.xml.rels"
# paragraph children that are not printed text: properties, deleted and moved-away runs
_NOT_TEXT = {_W + t for t in ("pPr", "del", "moveFrom", "rPr")}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def check_package(data: bytes) -> zipfile.ZipFile:
    """Refuse zip bombs and XML with entity declarations before any XML is parsed."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise Unreadable("corrupt", f"not a valid DOCX/zip ({exc})") from None
    infos = z.infolist()
    total = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
        raise Unreadable("zip_bomb", f"{total} bytes uncompressed from {packed}: refused")
    if DOCUMENT_XML not in z.namelist():
        raise Unreadable("corrupt", "zip without word/document.xml: not a Word document")
    for info in infos:
        if info.filename.endswith((".xml", ".rels")):
            with z.open(info) as f:
                head = f.read(4096)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise Unreadable("unsafe_xml", f"{info.filename} declares a DTD/entities: refused")
    return z


def _run_text(run: etree._Element) -> str:
    out = []
    for e in run:
        if e.tag in _RUN_TEXT:
            out.append(e.text or "" if _RUN_TEXT[e.tag] is None else _RUN_TEXT[e.tag])
        elif e.tag == _BR and e.get(_BR_TYPE, "textWrapping") == "textWrapping":
            out.append("\n")
    return "".join(out)


def paragraph_text(p: etree._Element) -> str:
    """The printed text of a paragraph: its runs, also those inside hyperlinks, insertions, smart
    tags and content controls; not deleted text, and not text boxes anchored in it."""
    out = []
    for child in p:
        if child.tag == R:
            out.append(_run_text(child))
        elif child.tag not in _NOT_TEXT and isinstance(child.tag, str):
            out.append(paragraph_text(child))
    return "".join(out)


def _cell_text(tc: etree._Element) -> str:
    return "\n".join(paragraph_text(p) for p in tc.iterchildren(P))


def _span(tc: etree._Element) -> tuple[int, bool]:
    """(grid columns the cell spans, whether it continues a vertical merge from the row above)."""
    span, continues = 1, False
    pr = tc.find(_W + "tcPr")
    if pr is not None:
        grid = pr.find(_W + "gridSpan")
        if grid is not None:
            span = max(1, int(grid.get(_W + "val", "1")))
        merge = pr.find(_W + "vMerge")
        continues = merge is not None and merge.get(_W + "val", "continue") == "continue"
    return span, continues


def table_rows(tbl: etree._Element):
    """(row index, [(grid column, cell text)]) per row; a merged cell appears once, in the row
    and at the column where it starts."""
    for r, tr in enumerate(tbl.iterchildren(TR)):
        cells, col = [], 0
        for tc in tr.iterchildren(TC):
            span, continues = _span(tc)
            if not continues:
                cells.append((col, _cell_text(tc)))
            col += span
        yield r, cells


def _body_blocks(parent: etree._Element):
    """Paragraphs and tables in body order, also those inside block-level content controls."""
    for child in parent:
        if child.tag in (P, TBL):
            yield child
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from _body_blocks(content)


def _core_properties(z: zipfile.ZipFile) -> dict:
    """The document properties' title (docProps/core.xml), which some offices fill."""
    if CORE_XML not in z.namelist():
        return {}
    try:
        root = etree.fromstring(z.read(CORE_XML), _PARSER)
    except etree.XMLSyntaxError:
        return {}
    title = root.findtext(_DC_TITLE)
    return {"title": title.strip()[:500]} if title and title.strip() else {}


MAX_CELLS = 50_000  # table cells in a document; counted on the bytes, before a tree is built


def _pictures(z: zipfile.ZipFile, root: etree._Element) -> dict[str, object]:
    """The pictures of the body large enough to be a page or a table, by relationship id."""
    if RELS_XML not in z.namelist():
        return {}
    rels = etree.fromstring(z.read(RELS_XML), _PARSER)
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for blip in root.iter(_A_BLIP):
        rid = blip.get(_R_EMBED)
        name = "word/" + targets.get(rid, "").removeprefix("/word/").removeprefix("./")
        if rid not in out and name in z.namelist() and (image := ocr.picture(z.read(name))) is not None:
            out[rid] = image
    return out


def read_docx(data: bytes) -> Document:
    with check_package(data) as z:
        xml = z.read(DOCUMENT_XML)
        properties = _core_properties(z)
        cells = xml.count(b"<w:tc>") + xml.count(b"<w:tc ")
        if cells > MAX_CELLS:
            raise Unreadable("too_large", f"{cells} table cells, over the {MAX_CELLS} read in a document")
        try:
            root = etree.fromstring(xml, _PARSER)
        except etree.XMLSyntaxError as exc:
            raise Unreadable("corrupt", f"word/document.xml is not well-formed XML ({exc})") from None
        # 表三 pasted as a picture (or the whole report scanned into Word): its words are not in
        # the text, so the pictures are read by OCR
        pictures = {} if ocr.TABLE3_WORD in "".join(root.itertext()) else _pictures(z, root)
    body = root.find(_W + "body")
    if body is None:
        raise Unreadable("corrupt", "word/document.xml has no body")
    doc = Document("docx", "docx_table", properties=properties)
    pages = dict(zip(pictures, ocr.read_pages(list(pictures.values())), strict=True)) if pictures else {}
    if pages:
        doc.layout = "ocr"
    t_index = p_index = 0
    pending: list[list[tuple]] = []  # pictures in a row, read as pages: a table cut between them is joined

    def flush() -> None:
        emit_pages(doc, pending)
        pending.clear()

    for block in _body_blocks(body):
        if block.tag == P:
            p_index += 1
            text = paragraph_text(block)
            if text.strip():
                flush()
            for k, line in enumerate(text.split("\n")):
                add_line(doc, line, {"paragraph": p_index, "part": k})
            pending += [pages.pop(b.get(_R_EMBED)) for b in block.iter(_A_BLIP) if b.get(_R_EMBED) in pages]
        else:
            flush()
            for r, cells in table_rows(block):
                add_row(doc, [(text, {"table": t_index, "row": r, "col": c}) for c, text in cells])
            t_index += 1
    flush()
    return doc
