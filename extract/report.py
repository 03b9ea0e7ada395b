"""One file in, one extraction result out: the JSON shape of ``ogi extract --json``.

Every file is accounted for: ``status`` is ok, flagged (read, with problems listed in
``issues``) or quarantined (not read as a report, with the reason)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import metadata
from .claims import narrative_claims
from .document import Document, Unreadable
from .keys import GB2019, GB2021, PRE2019, T3_ROWS_GB2019, T3_ROWS_GB2021, UNKNOWN
from .locate import locate
from .readers import read
from .tables import parse_table2, parse_table3, parse_table4, table2_version, table3_version

# 0.1.1: titles wrapped over two lines; 0.1.2: DOCX text in insertions, smart tags, content controls
EXTRACTOR_VERSION = "0.1.2"


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


def extract_document(path: Path, doc: Document) -> dict:
    lines = [ln.text for ln in doc.lines]
    regions = locate(doc)
    t3 = parse_table3(doc, regions.table3)
    agency, year = metadata.agency_and_year(lines)
    pub = metadata.published_date(lines)
    if year is None:
        year = metadata.period_year(lines) or (int(pub[:4]) - 1 if pub else None)

    if not t3.values:
        if year is not None and year <= 2018 and metadata.find_title(lines):
            out = _empty(
                path,
                "ok",
                [
                    {
                        "code": "pre2019",
                        "severity": "info",
                        "message": "pre-2019 report: no national tables; narrative kept",
                    }
                ],
                doc.source_format,
            )
            out["report"].update(
                agency=agency, year=year, format_version=PRE2019, published_date=pub, index_no=metadata.index_no(lines)
            )
            out["sections"] = _sections(doc, regions)
            out["claims"] = narrative_claims(out["sections"])
            return out
        return quarantined(
            path,
            "not_a_report",
            "no 表三 (申请情况) table found: not an annual report in a national format",
            doc.source_format,
        )

    t2_version = table2_version(doc, regions.table2)
    t3_version = table3_version(t3)
    version = t2_version or t3_version or UNKNOWN
    issues: list[dict] = []
    if t2_version and t3_version and t2_version != t3_version:
        issues.append(
            {
                "code": "hybrid_format",
                "severity": "info",
                "message": f"表二 follows {t2_version}, 表三 prints （六）其他处理 as in {t3_version}",
            }
        )
    t2 = parse_table2(doc, regions.table2, version if version in (GB2019, GB2021) else GB2021)
    t4 = parse_table4(doc, regions.table4)
    issues += t2.issues + t3.issues + t4.issues

    expected = T3_ROWS_GB2019 if (t3_version or version) == GB2019 else T3_ROWS_GB2021
    missing = [k for k in expected if k not in t3.values]
    if missing:
        issues.append(
            {
                "code": "missing_rows",
                "severity": "error",
                "table": "table3",
                "rows": missing,
                "message": f"表三: {len(missing)} row(s) of the form not found: {', '.join(missing)}",
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
    status = "flagged" if any(i["severity"] in ("error", "warning") for i in issues) else "ok"
    sections = _sections(doc, regions)
    return {
        "file": path.name,
        "status": status,
        "report": {
            "agency": agency,
            "year": year,
            "format_version": version,
            "published_date": pub,
            "index_no": metadata.index_no(lines),
            "source_format": doc.source_format,
            "layout": doc.layout,
        },
        "table2": t2.values,
        "table3": t3.values,
        "table4": t4.values,
        "cells": t2.cells + t3.cells + t4.cells,
        "sections": sections,
        "claims": narrative_claims(sections),
        "issues": issues,
    }


def _sections(doc: Document, regions) -> dict:
    out = {}
    for key, (start, end) in regions.sections.items():
        out[key] = {
            "heading": doc.lines[start].text.strip(),
            "line": start,
            "text": "\n".join(ln.text.strip() for ln in doc.lines[start + 1 : end]),
        }
    return out


def extract_file(path: str | Path) -> dict:
    """Extract one file. Never raises for a bad file: it comes back quarantined."""
    path = Path(path)
    try:
        doc = read(path)
    except Unreadable as exc:
        return quarantined(path, exc.reason, exc.detail)
    except OSError as exc:
        return quarantined(path, "unreadable_file", str(exc))
    try:
        return extract_document(path, doc)
    except Exception as exc:  # an extractor bug must not stop a batch; the file is kept with the reason
        return quarantined(path, "extractor_error", f"{type(exc).__name__}: {exc}", doc.source_format)


def sha256_of(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
