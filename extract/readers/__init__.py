"""Format readers: bytes in, a ``Document`` out, or ``Unreadable`` with a reason."""

from __future__ import annotations

from pathlib import Path

from ..document import Document, Unreadable
from . import docx, html, legacy, ocr, pdf, text

MAX_BYTES = 40 * 1024 * 1024  # a real report is far below this; larger files are refused unread

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(head: bytes, suffix: str) -> str:
    """The source format, from the file's first bytes first and its name second."""
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(_OLE):  # Word, WPS, Excel and ET binaries share the OLE container
        return "ole_sheet" if suffix in (".xls", ".et") else "ole_text"
    if head.startswith(b"PK\x03\x04"):
        if suffix in (".xlsx", ".et") or (suffix not in (".docx",) and b"xl/" in head):
            return "xlsx"
        return "docx" if suffix in (".docx", ".zip", "") else suffix.lstrip(".") or "zip"
    if head[:4] in (b"\x89PNG", b"GIF8", b"II*\x00", b"MM\x00*") or head[:3] == b"\xff\xd8\xff":
        return "image"
    low = head[:2048].lower()
    if b"<html" in low or b"<!doctype html" in low or b"<table" in low or suffix in (".htm", ".html"):
        return "html"
    return "txt"


def read(path: Path) -> Document:
    size = path.stat().st_size
    if size == 0:
        raise Unreadable("empty", "the file has no bytes")
    if size > MAX_BYTES:
        raise Unreadable("too_large", f"{size} bytes, over the {MAX_BYTES} byte limit")
    data = path.read_bytes()
    fmt = sniff(data[:4096], path.suffix.lower())
    if fmt == "pdf":
        return pdf.read_pdf(data)
    if fmt == "txt":
        return text.read_text(data)
    if fmt == "html":
        return html.read_html(data)
    if fmt == "docx":
        return docx.read_docx(data)
    if fmt == "ole_text":
        return legacy.read_legacy_text(data, path.suffix.lower())
    if fmt == "ole_sheet":
        return legacy.read_spreadsheet(data, path.suffix.lower())
    if fmt == "xlsx":
        return legacy.read_spreadsheet(data, ".xlsx")
    if fmt == "image":
        return ocr.read_image(data)
    raise Unreadable("unsupported_format", f"{fmt} files are not read yet")
