"""Reports changed after publication (发布后有变动): when a URL fetched before returns different
content, both versions are extracted and the changed cells become one ``report_changed`` alert."""

from __future__ import annotations

import hashlib

from alerting.channels import compose
from extract.keys import cell_label
from extract.report import extract_file

from .fetcher import Version


def changed_cells(old: dict, new: dict) -> list[dict]:
    """Cells whose value differs between two extractions (tables 二, 三, 四), and cells printed in
    only one of them."""
    out = []
    for table in ("table2", "table3", "table4"):
        rows = sorted(set(old.get(table, {})) | set(new.get(table, {})))
        for row in rows:
            a, b = old.get(table, {}).get(row, {}), new.get(table, {}).get(row, {})
            for col in sorted(set(a) | set(b)):
                if a.get(col, "<absent>") != b.get(col, "<absent>"):
                    out.append({"cell": f"{table}.{row}.{col}", "old": a.get(col), "new": b.get(col)})
    return out


def report_changed_alert(version: Version) -> dict:
    old, new = extract_file(version.old_path), extract_file(version.new_path)
    cells = changed_cells(old, new)
    agency = new["report"].get("agency") or old["report"].get("agency") or version.agency
    year = new["report"].get("year") or old["report"].get("year") or version.year
    listed = [f"{cell_label(c['cell'])}：{c['old']} → {c['new']}" for c in cells[:20]]
    title = f"{agency} {year}年报告发布后有变动"
    lines = [f"{len(cells)} 个单元格改变：", *listed] if cells else ["内容改变，表格数字未变"]
    check = "请确认改动是有意的更正，并在页面上说明更正情况。"
    key = hashlib.md5(f"{version.url}|{version.old_path.name}|{version.new_path.name}".encode()).hexdigest()
    return {
        "finding_key": key,
        "kind": "report_changed",
        "rule_id": "report_changed",
        "url": version.url,
        "agency": agency,
        "year": year,
        "old_file": version.old_path.name,
        "new_file": version.new_path.name,
        "changed_cells": cells,
        **compose(title, lines, check, version.url),
    }
