"""Plain-text reports in the shapes seen in the wild (report-format.md §4 items 1-3):
tab-separated rows with drifting offsets, one cell per line (web-page text), and Word exports
with one tab-indented cell per line."""

from __future__ import annotations

import codecs
import re
import threading

from charset_normalizer import from_bytes

from ..document import MAX_LINES, Document, Unreadable, add_line, add_row

_CANDIDATES = ("utf-8", "gb18030")
MAX_REPLACED = 20  # damaged bytes replaced before a text is left to charset detection


_damage = threading.local()


def _note_damage(exc: UnicodeDecodeError) -> tuple[str, int]:
    _damage.offsets.append(exc.start)
    return "\ufffd", exc.end


codecs.register_error("ogi_note_damage", _note_damage)


def _decode_noting(data: bytes, enc: str) -> tuple[str, list[int]]:
    """The text with undecodable bytes replaced, and the byte offsets where that happened."""
    _damage.offsets = []
    return data.decode(enc, errors="ogi_note_damage"), _damage.offsets


def decode(data: bytes) -> tuple[str, str, list[int]]:
    """(text, encoding, byte offsets of damaged sequences replaced). A BOM first, then strict
    UTF-8 and GB18030; then the same with a few damaged bytes replaced (a flipped byte, a cut
    character, a GBK word in a UTF-8 page: the report is kept and flagged, not lost); then charset
    detection."""
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: the UTF-32 LE BOM starts with UTF-16's
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            text, damaged = _decode_noting(data, enc)
            return text, enc, damaged
    utf32 = _utf32_without_bom(data)
    if utf32:
        text, damaged = _decode_noting(data, utf32)
        return text, utf32, damaged
    if data.count(b"\x00") > len(data) // 100 + 1:
        raise Unreadable("binary", "NUL bytes: not a text file")
    for enc in _CANDIDATES:
        try:
            return data.decode(enc), enc, []
        except UnicodeDecodeError:
            pass
    for enc in _CANDIDATES:
        # counted in C first: text in another encoding fails at nearly every byte, and the
        # offsets are only worth noting for the few damaged bytes of a text that is kept
        if data.decode(enc, errors="replace").count("\ufffd") <= max(MAX_REPLACED, len(data) // 1000):
            text, damaged = _decode_noting(data, enc)
            return text, enc, damaged
    best = from_bytes(data).best()
    if best is None:
        raise Unreadable("binary", "no text encoding fits the bytes")
    return str(best), best.encoding, []


def _utf32_without_bom(data: bytes) -> str | None:
    """UTF-32 without a BOM: Chinese text is in the Basic Multilingual Plane, so two of every four
    bytes are zero, at the high end of each unit."""
    units = len(data) // 4
    if units < 8 or len(data) % 4:
        return None
    for enc, high in (("utf-32-le", (2, 3)), ("utf-32-be", (0, 1))):
        if all(data[k::4].count(0) >= 0.95 * units for k in high):
            return enc
    return None


# a section heading inside a line (a dump that holds the whole report on one line)
_INLINE_HEADING = re.compile(
    r"[一二三四五六]、(?=.{0,8}(?:总体情况|主动公开|收到和处理|依申请|行政复议|行政诉讼|问题|其他需要报告))"
    r"[^。，,；;\s]{0,24}?(?:情况|事项)"
)
LONG_LINE = 400


def split_long_line(line: str) -> list[tuple[int, str]]:
    """(offset, text) parts of a long line, its section headings cut out as parts of their own."""
    if len(line) < LONG_LINE:
        return [(0, line)]
    cuts = sorted({0, len(line), *(x for m in _INLINE_HEADING.finditer(line) for x in m.span())})
    return [(a, line[a:b]) for a, b in zip(cuts, cuts[1:], strict=False) if line[a:b].strip()]


_MD_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")


def detect_layout(lines: list[str]) -> str:
    if sum(1 for ln in lines if ln.lstrip().startswith("|") and ln.count("|") >= 3) >= 10:
        return "markdown"
    multi_cell = sum(1 for ln in lines if sum(1 for c in ln.split("\t") if c.strip()) >= 2)
    if multi_cell >= 10:
        return "tsv"
    indented = sum(1 for ln in lines if ln.startswith("\t") and ln.strip())
    if indented >= 20:
        return "docx_indented"
    return "cell_per_line"


def _join_wrapped_cells(lines: list[str]) -> list[tuple[int, str]]:
    """Word exports continue a multi-line cell on the next line without the leading tab
    ('\\t商业' + '企业'); join such short continuations to their cell."""
    out: list[tuple[int, str]] = []
    for i, ln in enumerate(lines):
        prev = out[-1][1] if out else ""
        if (
            out
            and prev.startswith("\t")
            and prev.strip()
            and ln.strip()
            and not ln.startswith("\t")
            and len(ln.strip()) <= 8
        ):
            out[-1] = (out[-1][0], prev + ln.strip())
        else:
            out.append((i, ln))
    return out


def read_text(data: bytes) -> Document:
    text, encoding, replaced = decode(data)
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(raw_lines) > 2 * MAX_LINES:  # refused before the lines are read one by one
        raise Unreadable("too_large", f"{len(raw_lines)} lines of text: not a report")
    layout = detect_layout(raw_lines)
    doc = Document("txt", layout, properties={"encoding": encoding, "damaged_offsets": replaced})
    numbered = _join_wrapped_cells(raw_lines) if layout == "docx_indented" else list(enumerate(raw_lines))
    for i, ln in numbered:
        prov = {"line": i + 1}
        if layout == "markdown" and ln.lstrip().startswith("|"):
            if not _MD_SEPARATOR.match(ln.strip()):
                add_row(doc, _markdown_cells(ln, prov))
        elif layout == "tsv" and "\t" in ln:
            cells, offset = [], 0
            for cell in ln.split("\t"):
                cells.append((offset, cell))
                offset += len(cell) + 1
            add_line(doc, ln, prov, cells)
        else:
            for base, part in split_long_line(ln):
                lead = base + len(part) - len(part.lstrip("\t"))
                part_prov = {**prov, "offset": lead} if base else prov
                add_line(
                    doc,
                    part.lstrip("\t").rstrip("\t"),
                    part_prov,
                    prov_for=lambda s, e, p=prov, lead=lead: {**p, "offset": lead + s},
                )
    return doc


def _markdown_cells(line: str, prov: dict) -> list[tuple[str, dict]]:
    """'| a | | c |' -> cells with their character offsets; an empty cell is a blank value."""
    cells, pos = [], line.index("|") + 1
    parts = line[pos:].rstrip().rstrip("|").split("|")
    for part in parts:
        cells.append((part.strip(), {**prov, "offset": pos + len(part) - len(part.lstrip())}))
        pos += len(part) + 1
    return cells
