"""What an extraction worker process runs: one landing file in, its raw rows out. Kept apart from
the Dagster definitions so that a worker starts by importing the extractor only (a fraction of a
second), not Dagster (three seconds, paid by every refresh that brings a new file)."""

from __future__ import annotations

import json
import os
from datetime import datetime

from extract.report import EXTRACTOR_VERSION, extract_file

_to_json = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps builds an encoder per call


def stored_path(path: str) -> str:
    """The path as the warehouse keeps it: a name that is not UTF-8 (a GBK name from an archive
    made on Chinese Windows) with its bytes escaped as \\xNN, so the original is recoverable."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


def result_rows(result: dict, sha256: str, now: datetime) -> dict[str, list[tuple]]:
    """The raw rows of one extraction result. Pure: no I/O."""
    r = result["report"]
    report = (
        sha256,
        result["file"],
        r.get("source_format"),
        r.get("layout"),
        r.get("agency"),
        r.get("year"),
        r.get("format_version"),
        r.get("published_date"),
        r.get("index_no"),
        result["status"],
        result.get("quarantine_reason"),
        EXTRACTOR_VERSION,
        now,
    )
    cells = []
    for c in result.get("cells", []):
        p = c["prov"]
        cells.append(
            (
                sha256,
                c["table"],
                c["row"],
                c["col"],
                c["raw"],
                None if c["value"] is None else float(c["value"]),
                c["unit"],
                c["flags"],
                p.get("page"),
                p.get("line"),
                p.get("offset"),
                p.get("bbox"),
                _to_json(p),
                now,
            )
        )
    sections = [(sha256, k, s["heading"], s["text"], s["line"] + 1, now) for k, s in result.get("sections", {}).items()]
    issues = [
        (
            sha256,
            i["code"],
            i["severity"],
            i["message"],
            json.dumps({k: v for k, v in i.items() if k not in ("code", "severity", "message")}, ensure_ascii=False),
            now,
        )
        for i in result.get("issues", [])
    ]
    claims = [
        (sha256, c["claim_key"], c["value"], c["section_key"], c["sentence"], c["offset"], now)
        for c in result.get("claims", [])
    ]
    return {"reports": [report], "cells": cells, "sections": sections, "issues": issues, "claims": claims}


def extract_rows(item: tuple) -> tuple[str, str | None, dict[str, list[tuple]]]:
    """Extract one file into its raw rows (runs in a worker process): status, reason, rows.
    ``item``: path, sha256, load time and what the fetch log knows of the file (or None)."""
    path, sha, now, hints = item
    result = extract_file(path, hints)
    result["file"] = os.path.basename(stored_path(path))
    return result["status"], result.get("quarantine_reason"), result_rows(result, sha, now)


def ocr_threads(n: int) -> None:
    """A worker's initializer: its share of the cores for OCR (here, not beside the pool: a
    spawned worker imports the module of its initializer, and the pool's module imports Dagster)."""
    os.environ.setdefault("OGI_OCR_THREADS", str(n))  # an operator's own setting wins


def extract_chunk(items: list[tuple]) -> list[tuple]:
    return [extract_rows(item) for item in items]
