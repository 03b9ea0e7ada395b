"""One file in, one extraction result out: the JSON shape of ``ogi extract --json``.

Every file is accounted for: ``status`` is ok, flagged (read, with problems listed in
``issues``) or quarantined (not read as a report, with the reason)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import metadata, verify
from .claims import narrative_claims
from .document import Document, Unreadable
from .glued import is_glued, read_glued
from .keys import (
    GB2019,
    GB2021,
    PRE2019,
    T2_METRICS,
    T3_ROWS,
    T3_ROWS_GB2019,
    T3_ROWS_GB2021,
    T4_PROCS,
    UNKNOWN,
)
from .locate import locate
from .normalize import label_key
from .readers import read
from .readers.ocr import SURE
from .tables import adopt_drifted_rows, parse_table2, parse_table3, parse_table4, table2_version, table3_version

# 0.1.1: titles wrapped over two lines; 0.1.2: DOCX text in insertions, smart tags, content controls;
# 0.2.0: metadata from every place a report states it; cells run together split by the arithmetic;
# PDF tables from their ruling lines; scans by OCR; legacy Office files converted
EXTRACTOR_VERSION = "0.2.0"


def _empty(path: Path, status: str, issues: list[dict], source_format: str | None = None) -> dict:
    return {
        "file": path.name,
        "status": status,
        "report": {
            "agency": None,
            "year": None,
            "format_version": None,
            "published_date": None,
            "index_no": None,
            "source_format": source_format,
        },
        "table2": {},
        "table3": {},
        "table4": {},
        "cells": [],
        "sections": {},
        "claims": [],
        "issues": issues,
    }


def quarantined(path: Path, reason: str, detail: str, source_format: str | None = None) -> dict:
    out = _empty(path, "quarantined", [{"code": reason, "severity": "error", "message": detail}], source_format)
    out["quarantine_reason"] = reason
    return out


MIN_T3_LABELS = 3  # distinct 表三 row labels that make a document a report whose table failed


def _t3_labels_found(lines: list[str]) -> int:
    """How many 表三 rows are named in the text ('其他' and '总计' are too common to count)."""
    text = label_key("".join(lines))
    return sum(1 for spec in T3_ROWS if spec.key not in ("out_other_misc", "out_total") and spec.keywords[0] in text)


def _without_tables(path: Path, doc: Document, report: dict, meta: dict, sections, claims, note: dict) -> dict:
    """A report read without its tables (pre-2019, or 表三 unreadable): metadata, sections and
    narrative kept; ok only when ``note`` and the metadata raise nothing."""
    issues = [note, *_metadata_issues(meta)]
    status = "flagged" if any(i["severity"] in ("error", "warning") for i in issues) else "ok"
    out = _empty(path, status, issues, doc.source_format)
    out["report"].update(report)
    out["sections"], out["claims"] = sections, claims
    return out


def _metadata_issues(meta: dict) -> list[dict]:
    """No report is ``ok`` without a place: a missing agency or year flags it."""
    issues = []
    if not meta["agency"]:
        issues.append(
            {
                "code": "no_agency",
                "severity": "warning",
                "message": "no agency found in the title, page fields, "
                "document properties, signature, fetch log or file name",
            }
        )
    if not meta["year"]:
        issues.append(
            {
                "code": "no_year",
                "severity": "warning",
                "message": "no report year found in the title, statistics "
                "period, page fields, document properties, fetch log or file name",
            }
        )
    for name, others in meta["conflicts"].items():
        issues.append(
            {
                "code": "metadata_conflict",
                "severity": "info",
                "message": f"{name}: {meta[name]} from {meta['sources'][name]}; elsewhere " + "; ".join(others),
            }
        )
    return issues


def extract_document(path: Path, doc: Document, hints: dict | None = None) -> dict:
    lines = [ln.text for ln in doc.lines]
    regions = locate(doc)
    t3 = parse_table3(doc, regions.table3)
    sections = _sections(doc, regions)
    claims = narrative_claims(sections)
    glued = read_glued(doc, {c["claim_key"]: c["value"] for c in claims}) if is_glued(doc) else None
    if glued:
        t3 = glued.table3
    first_heading = min((start for start, _ in regions.sections.values()), default=None)
    meta = metadata.resolve(lines, doc.properties, path.name, hints, first_heading)
    report = {
        "agency": meta["agency"],
        "year": meta["year"],
        "format_version": None,
        "published_date": meta["published_date"],
        "index_no": meta["index_no"],
        "source_format": doc.source_format,
        "layout": doc.layout,
        "metadata_sources": meta["sources"],
    }

    if not t3.values:
        if meta["year"] is not None and meta["year"] <= 2018 and metadata.find_title(lines, first_heading):
            message = "pre-2019 report: no national tables; narrative kept"
            note = {"code": "pre2019", "severity": "info", "message": message}
            return _without_tables(path, doc, {**report, "format_version": PRE2019}, meta, sections, claims, note)
        if "s3_requests" in regions.sections or _t3_labels_found(lines) >= MIN_T3_LABELS:
            # 表三 is there but its grid could not be read: keep what was read, say so
            note = {
                "code": "table_unreadable",
                "severity": "error",
                "message": "the 表三 heading or its row labels are printed, but no row of values could be read",
            }
            return _without_tables(path, doc, report, meta, sections, claims, note)
        return quarantined(
            path,
            "not_a_report",
            "no 表三 (申请情况) table found: not an annual report in a national format",
            doc.source_format,
        )

    t2_version = glued.table2_version if glued else table2_version(doc, regions.table2)
    t3_version = table3_version(t3)
    version = t2_version or t3_version or UNKNOWN
    issues: list[dict] = _metadata_issues(meta)
    damaged = doc.properties.get("damaged_offsets")
    if damaged:
        issues.append(
            {
                "code": "encoding_damaged",
                "severity": "warning",
                "message": f"{len(damaged)} damaged byte sequence(s) of the text replaced (a flipped byte, a cut "
                f"character or another encoding's word), first at byte {damaged[0]}: check the values near them",
                "byte_offsets": damaged[:50],
            }
        )
    if t2_version and t3_version and t2_version != t3_version:
        issues.append(
            {
                "code": "hybrid_format",
                "severity": "info",
                "message": f"表二 follows {t2_version}, 表三 prints （六）其他处理 as in {t3_version}",
            }
        )
    if glued:
        t2, t4 = glued.table2, glued.table4
        issues.append(
            {
                "code": "cells_run_together",
                "severity": "info",
                "message": "table cells ran together; runs split by the form's arithmetic (cells flagged "
                "recovered_by_arithmetic)",
            }
        )
    else:
        t2 = parse_table2(doc, regions.table2, version if version in (GB2019, GB2021) else GB2021)
        t4 = parse_table4(doc, regions.table4)
        adopt_drifted_rows(t3, t4)
    issues += t2.issues + t3.issues + t4.issues

    expected = T3_ROWS_GB2019 if (t3_version or version) == GB2019 else T3_ROWS_GB2021
    # a table or row the form prints and the file lacks (a cut page, a damaged stream) is never ok
    t2_rows = tuple(T2_METRICS.get(t2_version or version, {}))
    for table, name, rows, values in (
        ("table2", "表二", t2_rows, t2.values),
        ("table3", "表三", expected, t3.values),
        ("table4", "表四", T4_PROCS, t4.values),
    ):
        missing = [k for k in rows if k not in values]
        if missing:
            issues.append(
                {
                    "code": "missing_rows",
                    "severity": "error",
                    "table": table,
                    "rows": missing,
                    "message": f"{name}: {len(missing)} row(s) of the form not found: {', '.join(missing)}",
                }
            )
    for cell in t2.cells + t3.cells + t4.cells:
        if {"blank", "na_marker"} & set(cell["flags"]):
            issues.append(
                {
                    "code": "blank_cell" if "blank" in cell["flags"] else "na_marker",
                    "severity": "info",
                    "message": f"{cell['table']} {cell['row']}.{cell['col']} "
                    f"is {'blank' if 'blank' in cell['flags'] else repr(cell['raw'])}",
                    "prov": cell["prov"],
                }
            )
    if doc.layout == "ocr":
        issues.append(_ocr_verdict(t2.cells + t3.cells + t4.cells, t3.values, t4.values, expected))
    status = "flagged" if any(i["severity"] in ("error", "warning") for i in issues) else "ok"
    return {
        "file": path.name,
        "status": status,
        "report": {**report, "format_version": version},
        "table2": t2.values,
        "table3": t3.values,
        "table4": t4.values,
        "cells": t2.cells + t3.cells + t4.cells,
        "sections": sections,
        "claims": claims,
        "issues": issues,
    }


def _ocr_verdict(cells: list[dict], t3: dict, t4: dict, expected: tuple[str, ...]) -> dict:
    """Cells read by OCR get the flag ``ocr`` and their confidence (cells a Word file holds as text
    beside its pictures do not). The report is ok only when the form's hard rules hold on what was
    read, 表三 and 表四 are complete and no cell is doubtful: a cell left unread, or a cell read with
    low confidence outside 表三 (a 表三 cell is in a row total and a column total the rules check,
    so a misread breaks one; a 表四 cell is in its row total only, where one misread repeated in
    the total would go unseen). A lone digit confirmed by the document's own prints of it is sure.
    A cell read cleanly as blank (no ink) counts as 0 in the arithmetic, and so does an NA mark told
    by its shape (one flat or leaning stroke: no digit is one) or a word mark ('无', '空') read surely;
    other NA marks stay doubtful, since a '0' misread as one would break no total."""
    doubtful, empty, unsure = [], set(), []
    for cell in cells:
        if "ocr_confidence" not in cell["prov"]:
            continue
        cell["flags"].append("ocr")
        cell["confidence"] = cell["prov"]["ocr_confidence"]
        where = (cell["table"], cell["row"], cell["col"])
        sure = cell["confidence"] >= verify.MIN_CONFIDENCE or "confirmed_by" in cell["prov"]
        if sure and cell["value"] is None and ("blank" in cell["flags"] or _sure_mark(cell)):
            empty.add(where)
        elif cell["value"] is None or (not sure and cell["table"] != "table3"):
            doubtful.append(".".join(where))
        elif not sure:
            unsure.append(".".join(where))
    complete = all(k in t3 for k in expected) and len(t4) == 3
    failures = ["表三或表四不完整"]
    if complete:
        failures = verify.hard_rule_failures(_as_zero(t3, "table3", empty), _as_zero(t4, "table4", empty))
    if not failures and not doubtful:
        summed = [w for w in empty if w[0] != "table2"]
        counted = f"; {len(summed)} blank cell(s) counted as 0" if summed else ""
        counted += f"; {len(unsure)} cell(s) read with low confidence, vouched for by the totals" if unsure else ""
        return {
            "code": "ocr_verified",
            "severity": "info",
            "message": f"read by OCR; the hard rules hold on every cell{counted}",
            "cells": unsure[:50],
        }
    return {
        "code": "ocr_unverified",
        "severity": "warning",
        "message": "read by OCR and not verified: "
        + "; ".join(failures + ([f"{len(doubtful)} doubtful cell(s)"] if doubtful else [])),
        "rules": failures,
        "cells": doubtful[:50],
    }


WORD_MARKS = ("无", "空")  # NA marks written as words: nothing a digit is read as


def _sure_mark(cell: dict) -> bool:
    """An NA mark no digit can be read as: a stroke told by its shape, or a word read surely."""
    shape = cell["prov"].get("confirmed_by") == "stroke_shape"
    word = cell["confidence"] >= SURE and cell["raw"].strip() in WORD_MARKS
    return "na_marker" in cell["flags"] and (shape or word)


def _as_zero(values: dict, table: str, cells: set[tuple[str, str, str]]) -> dict:
    return {r: {c: 0 if (table, r, c) in cells else v for c, v in row.items()} for r, row in values.items()}


def _sections(doc: Document, regions) -> dict:
    out = {}
    for key, (start, end) in regions.sections.items():
        out[key] = {
            "heading": doc.lines[start].text.strip(),
            "line": start,
            "text": "\n".join(ln.text.strip() for ln in doc.lines[start + 1 : end]),
        }
    return out


def extract_file(path: str | Path, hints: dict | None = None) -> dict:
    """Extract one file. Never raises for a bad file: it comes back quarantined. ``hints``: what
    the fetch log knows of it (agency, year, page_title, url)."""
    path = Path(path)
    try:
        doc = read(path)
    except Unreadable as exc:
        return quarantined(path, exc.reason, exc.detail)
    except OSError as exc:
        if exc.errno is None:  # a format library's complaint (bz2 "Invalid data stream"), not the disk's
            return quarantined(path, "corrupt", f"the file cannot be read (OSError: {str(exc)[:200]})")
        return quarantined(path, "unreadable_file", str(exc))
    except Exception as exc:  # a damaged file the format library chokes on (zlib, zip, pdfium, lxml …)
        return quarantined(path, "corrupt", f"the file cannot be read ({type(exc).__name__}: {str(exc)[:200]})")
    try:
        return extract_document(path, doc, hints)
    except Exception as exc:  # an extractor bug must not stop a batch; the file is kept with the reason
        return quarantined(path, "extractor_error", f"{type(exc).__name__}: {exc}", doc.source_format)


def sha256_of(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
