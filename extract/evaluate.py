"""Scoring extraction against hand-made truth files (``ogi eval``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

REPORT_FIELDS = ("agency", "year", "format_version", "published_date", "index_no")
TABLES = ("table2", "table3", "table4")
# a null cell with one of these flags was not read on purpose (flagged, not guessed)
UNREAD_FLAGS = frozenset({"ambiguous_split", "no_split"})


@dataclass
class Score:
    reports: int = 0
    reports_exact: int = 0
    cells: int = 0
    cells_right: int = 0
    fields: int = 0
    fields_right: int = 0
    cells_unread: int = 0  # null and flagged as unread where the truth has a value
    silent_errors: int = 0  # wrong values or fields in reports whose status is ok
    by_status: dict = field(default_factory=dict)
    by_field: dict = field(default_factory=dict)  # field -> [right, total]
    mismatches: list[dict] = field(default_factory=list)
    missing_docs: list[str] = field(default_factory=list)

    @property
    def cell_accuracy(self) -> float:
        return self.cells_right / self.cells if self.cells else 0.0


def _same(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) < 1e-9
    return a == b


def compare(truth: dict, got: dict, score: Score) -> None:
    """Add one report's comparison to ``score``: every truth cell and metadata field, plus every
    extracted cell the truth does not have."""
    name = truth["file"]
    before = len(score.mismatches)
    blanks = set(truth.get("blank_cells", []))
    for f in REPORT_FIELDS:
        score.fields += 1
        tally = score.by_field.setdefault(f, [0, 0])
        tally[1] += 1
        if _same(truth["report"].get(f), got["report"].get(f)):
            score.fields_right += 1
            tally[0] += 1
        else:
            score.mismatches.append(
                {"file": name, "where": f"report.{f}", "truth": truth["report"].get(f), "got": got["report"].get(f)}
            )
    flags = {(c["table"], c["row"], c["col"]): c["flags"] for c in got.get("cells", [])}
    for table in TABLES:
        t_rows, g_rows = truth.get(table, {}), got.get(table, {})
        for row, cols in t_rows.items():
            for col, want in cols.items():
                score.cells += 1
                have = g_rows.get(row, {}).get(col, "<missing>")
                where = f"{table}.{row}.{col}"
                ok = _same(want, have) or (
                    where in blanks and have is None and "blank" in flags.get((table, row, col), [])
                )
                if ok:
                    score.cells_right += 1
                elif have is None and UNREAD_FLAGS & set(flags.get((table, row, col), [])):
                    score.cells_unread += 1
                    score.mismatches.append({"file": name, "where": where, "truth": want, "got": "<flagged unread>"})
                else:
                    score.mismatches.append({"file": name, "where": where, "truth": want, "got": have})
        for row, cols in g_rows.items():
            for col, have in cols.items():
                if col not in t_rows.get(row, {}):
                    score.cells += 1
                    score.mismatches.append(
                        {"file": name, "where": f"{table}.{row}.{col}", "truth": "<absent>", "got": have}
                    )
    score.reports += 1
    status = got.get("status")
    score.by_status[status] = score.by_status.get(status, 0) + 1
    if len(score.mismatches) == before:
        score.reports_exact += 1
    elif status == "ok":
        score.silent_errors += len(score.mismatches) - before
        for m in score.mismatches[before:]:
            m["silent"] = True


def find_document(docs_dir: Path, name: str) -> Path | None:
    direct = docs_dir / name
    if direct.is_file():
        return direct
    base = Path(name).name
    hits = sorted(p for p in docs_dir.rglob(base) if p.is_file())
    return hits[0] if hits else None


def load_truths(truth_dir: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(truth_dir.glob("*.json"))]
