"""Legacy Office files (.doc, .wps, .xls, .et) converted by LibreOffice headless, then read by
the DOCX reader; spreadsheets (.xlsx, and .xls/.et converted to it) read with openpyxl.

Each conversion runs in a private temporary LibreOffice profile (so conversions never share or
lock state), with a time limit (the whole process group is killed when it is over) and a bound
on the output's size. LibreOffice does not run a document's macros when it converts it headless.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

from ..document import Document, Unreadable, add_row
from . import docx

MAX_OUTPUT = 40 * 1024 * 1024
MAX_CELLS = 200_000  # a report's tables are a few hundred cells; a bigger sheet is refused
WRITER = (".doc", ".wps", ".rtf")
SHEETS = (".xls", ".et", ".xlsx")
INSTALL = "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui"


def timeout_seconds() -> float:
    return float(os.environ.get("OGI_CONVERT_TIMEOUT") or 25)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, suffix: str, target: str) -> bytes:
    """``data`` (a file ending in ``suffix``) converted by LibreOffice to ``target`` (docx, xlsx)."""
    exe = soffice()
    if exe is None:
        raise Unreadable("needs_converter", f"a {suffix} file needs LibreOffice to be read: {INSTALL}")
    with tempfile.TemporaryDirectory(prefix="ogi-convert-") as tmp:
        src = Path(tmp) / f"in{suffix}"
        src.write_bytes(data)
        out = Path(tmp) / "out"
        cmd = [
            exe,
            f"-env:UserInstallation=file://{tmp}/profile",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(src),
        ]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout_seconds())
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # soffice starts helpers: the whole group goes
            proc.communicate()
            limit = timeout_seconds()
            raise Unreadable("conversion_timeout", f"LibreOffice did not convert it within {limit:g} s") from None
        result = out / f"in.{target}"
        if proc.returncode != 0 or not result.is_file():
            detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise Unreadable("conversion_failed", f"LibreOffice could not convert it ({detail[0][:200]})")
        if result.stat().st_size > MAX_OUTPUT:
            raise Unreadable("too_large", f"converted to {result.stat().st_size} bytes, over {MAX_OUTPUT}")
        return result.read_bytes()


def read_legacy_text(data: bytes, suffix: str) -> Document:
    """A .doc or .wps file: converted to DOCX, read as DOCX."""
    doc = docx.read_docx(convert(data, suffix if suffix in WRITER else ".doc", "docx"))
    doc.source_format = suffix.lstrip(".") or "doc"
    doc.layout = "converted_docx"
    return doc


def read_spreadsheet(data: bytes, suffix: str) -> Document:
    """A spreadsheet: every sheet's rows as table rows (merged cells listed once, at their top-left)."""
    import openpyxl

    xlsx = data if suffix == ".xlsx" else convert(data, suffix, "xlsx")
    try:
        book = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=False, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise Unreadable("corrupt", f"the spreadsheet cannot be read ({type(exc).__name__})") from None
    doc = Document(suffix.lstrip("."), "spreadsheet")
    cells = 0
    for sheet in book.worksheets:
        cells += (sheet.max_row or 0) * (sheet.max_column or 0)
        if cells > MAX_CELLS:
            raise Unreadable("too_large", f"over {MAX_CELLS} spreadsheet cells")
        covered = {
            (r, c)
            for rng in sheet.merged_cells.ranges
            for r in range(rng.min_row, rng.max_row + 1)
            for c in range(rng.min_col, rng.max_col + 1)
            if (r, c) != (rng.min_row, rng.min_col)
        }
        for r, row in enumerate(sheet.iter_rows(), 1):
            out = [
                (_text(cell.value), {"sheet": sheet.title, "row": r, "col": c})
                for c, cell in enumerate(row, 1)
                if (r, c) not in covered
            ]
            while out and not out[-1][0].strip():
                out.pop()  # every row is as wide as the sheet's widest: the padding is not cells
            add_row(doc, out)
    return doc


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
