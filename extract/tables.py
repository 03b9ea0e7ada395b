"""Assembling 表二/表三/表四 from located token ranges: label text anchors a row, the values
that follow it are its cells, in column order (report-format.md §4 items 1-3)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .document import Document, Token
from .keys import (
    GB2019,
    GB2021,
    MONEY_METRICS,
    SIGNED_METRICS,
    T2_ITEMS,
    T2_METRICS,
    T3_COLUMNS,
    T3_ROWS,
    T4_OUTCOMES,
    T4_PROCS,
    VERSION_EVIDENCE_T2,
)
from .labels import labels_in_order, match_label
from .normalize import label_key
from .values import parse_value


@dataclass
class Run:
    label: list[Token]  # text tokens since the previous run
    values: list[Token]  # value, blank and empty tokens, blank row padding removed


@dataclass
class TableResult:
    values: dict = field(default_factory=dict)
    cells: list[dict] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)
    # 表三 rows found after the 表四 heading (a converter let the heading drift above them)
    drifted: list[tuple[str, Run]] = field(default_factory=list)


def _trim_blank_edges(values: list[Token]) -> list[Token]:
    """Drop blank cells at the start and end of each printed row of a flat export: there they are
    merged-cell padding, not blank values (report-format.md §4 item 2). Empty cells of a real
    table grid are kept: they are blank values."""
    out: list[Token] = []
    rows: dict[int | None, list[Token]] = {}
    order: list[int | None] = []
    for t in values:
        if t.row not in rows:
            rows[t.row] = []
            order.append(t.row)
        rows[t.row].append(t)
    for i, r in enumerate(order):
        cells = rows[r]
        if i > 0 and all(t.kind == "empty" for t in cells):
            continue  # empty label cells that open the next grid row, not values of this one
        while cells and cells[0].kind == "blank":
            cells = cells[1:]
        while cells and cells[-1].kind == "blank":
            cells = cells[:-1]
        out.extend(cells)
    return out


def runs(tokens: list[Token]) -> list[Run]:
    """Split a token range into (label text, value run) pairs. A run of flat-export blanks only
    is padding and does not end the label; a run of grid cells that are all empty is kept (a
    row printed blank), and dropped quietly later if no row label names it."""
    out: list[Run] = []
    label: list[Token] = []
    current: list[Token] = []

    def flush() -> None:
        nonlocal label, current
        vals = _trim_blank_edges(current)
        if any(t.kind in ("value", "empty") for t in vals):
            out.append(Run(label, vals))
            label = []
        current = []

    for t in tokens:
        if t.kind == "text":
            if current:
                flush()
            label.append(t)
        else:
            current.append(t)
    if current:
        flush()
    return out


def _has_value(run: Run) -> bool:
    return any(t.kind == "value" for t in run.values)


def _label_text(tokens: list[Token]) -> str:
    return "".join(t.text for t in tokens)


def _cell(table: str, row: str, col: str, tok: Token, metric_kind: dict) -> dict:
    pv = parse_value(tok.text, **metric_kind)
    return {
        "table": table,
        "row": row,
        "col": col,
        "raw": tok.text,
        "value": pv.value,
        "unit": pv.unit,
        "flags": pv.flags,
        "prov": tok.prov,
    }


def _issue(code: str, message: str, severity: str = "warning", **where) -> dict:
    return {"code": code, "severity": severity, "message": message, **where}


def _assign(
    result: TableResult, table: str, row: str, cols: tuple[str, ...], run: Run, kinds: dict[str, dict] | None = None
) -> None:
    n = len(cols)
    vals = run.values
    empty = ("blank", "empty")
    if table == "table2" and len(vals) > n and vals[0].kind in empty and vals[-1].kind in empty:
        # a blank value and a padding cell cannot be told apart: the values are placed after the
        # label, as the form's sub-tables sit in a wider grid, and the row is said to be in doubt
        result.issues.append(
            _issue(
                "ambiguous_columns",
                f"{table} {row}: {len(vals)} cells where the form has {n}, empty at both ends; "
                "which empty cell is a blank value cannot be told",
                raw=[t.text for t in vals],
                prov=vals[0].prov,
            )
        )
    # surplus empty cells at the edges are layout: before the values in 表三 and 表四 (label columns
    # left empty), after them in 表二, whose sub-tables of two or three columns sit in a grid of four
    trim = (-1, 0) if table == "table2" else (0, -1)
    for end in trim:
        while len(vals) > n and vals[end].kind in empty:
            vals = vals[1:] if end == 0 else vals[:-1]
    if len(vals) > n:
        # e.g. a number wrapped inside a narrow PDF cell ('1234' / '4'): which value belongs to
        # which column cannot be told, so the row is left unread rather than guessed
        result.issues.append(
            _issue(
                "extra_values",
                f"{table} {row}: {len(vals)} values where the form has {n}; the row is left unread",
                "error",
                raw=[t.text for t in vals],
                prov=vals[0].prov,
            )
        )
        return
    row_values = {}
    for col, tok in zip(cols, vals, strict=True):
        cell = _cell(table, row, col, tok, (kinds or {}).get(col, {}))
        result.cells.append(cell)
        row_values[col] = cell["value"]
        if "unparsed" in cell["flags"] or "decimal_in_count" in cell["flags"]:
            result.issues.append(
                _issue(
                    "unreadable_value",
                    f"{table} {row}.{col}: '{tok.text}' is not a valid value for this cell",
                    "error",
                    prov=tok.prov,
                )
            )
    result.values[row] = row_values


def parse_table3(doc: Document, span: tuple[int, int]) -> TableResult:
    result = TableResult()
    short: dict[str, Run] = {}
    for run in runs(doc.tokens[span[0] : span[1]]):
        key, fuzzy = match_label(_label_text(run.label), T3_ROWS)
        if key is None and not _has_value(run):
            continue
        if key is None:
            result.issues.append(
                _issue(
                    "unassigned_values",
                    "表三: values without a row label: " + " ".join(t.text for t in run.values),
                    prov=run.values[0].prov,
                )
            )
            continue
        if key in result.values:
            result.issues.append(
                _issue("duplicate_row", f"表三 row {key} printed twice; the first is kept", prov=run.values[0].prov)
            )
            continue
        if len(run.values) < len(T3_COLUMNS):
            if _has_value(run):
                short[key] = run  # may be a number in text before the real row; judged at the end
            continue
        if len(run.values) > len(T3_COLUMNS) and _assign_merged_rows(result, run):
            continue
        _assign(result, "table3", key, T3_COLUMNS, run)
        if fuzzy:
            result.issues.append(
                _issue(
                    "label_fuzzy",
                    f"表三 row {key} matched a misprinted label '{_label_text(run.label).strip()}'",
                    "info",
                    prov=run.values[0].prov,
                )
            )
            for c in result.cells[-len(T3_COLUMNS) :]:
                c["flags"].append("label_variant")
    for key, run in short.items():
        if key not in result.values:
            result.issues.append(
                _issue(
                    "row_short",
                    f"表三 row {key}: {len(run.values)} values where the form has 7; the columns "
                    "cannot be told apart, so the row is left unread",
                    "error",
                    raw=[t.text for t in run.values],
                    prov=run.values[0].prov,
                )
            )
    return result


def _assign_merged_rows(result: TableResult, run: Run) -> bool:
    """Rows run into one line by a converter: k row labels and 7k values. Each label takes the
    next seven values in printed order, the only assignment the layout allows; each row's 总计
    must equal the sum of its columns, or the row is flagged. False when the run is not that."""
    n = len(T3_COLUMNS)
    keys = labels_in_order(_label_text(run.label), T3_ROWS)
    if len(keys) < 2 or len(run.values) != n * len(keys) or any(k in result.values for k in keys):
        return False
    for i, key in enumerate(keys):
        _assign(result, "table3", key, T3_COLUMNS, Run(run.label, run.values[i * n : (i + 1) * n]))
        cells = result.cells[-n:]
        for c in cells:
            c["flags"].append("rows_run_together")
        values = [c["value"] or 0 for c in cells]
        if sum(values[:-1]) != values[-1]:
            result.issues.append(
                _issue(
                    "merged_row_unconfirmed",
                    f"表三 {key}: two rows were printed on one line and this row's 总计 is not the sum of its "
                    "columns, so its share of the line is not confirmed",
                    prov=cells[0]["prov"],
                )
            )
    result.issues.append(
        _issue("rows_run_together", f"表三 rows {', '.join(keys)} printed on one line", "info", prov=run.values[0].prov)
    )
    return True


def table2_version(doc: Document, span: tuple[int, int]) -> str | None:
    text = label_key("".join(t.text for t in doc.tokens[span[0] : span[1]] if t.kind == "text"))
    for version, needles in VERSION_EVIDENCE_T2:
        if any(label_key(n) in text for n in needles):
            return version
    return None


def parse_table2(doc: Document, span: tuple[int, int], version: str) -> TableResult:
    result = TableResult()
    metrics = T2_METRICS[version]
    specs = tuple(s for s in T2_ITEMS if s.key in metrics)
    for run in runs(doc.tokens[span[0] : span[1]]):
        key, fuzzy = match_label(_label_text(run.label), specs)
        if (key is None or fuzzy) and not _has_value(run):
            continue
        if key is None or fuzzy:
            result.issues.append(
                _issue(
                    "unassigned_values",
                    "表二: values without an item label: " + " ".join(t.text for t in run.values),
                    prov=run.values[0].prov,
                )
            )
            continue
        if key in result.values:
            continue
        cols = metrics[key]
        if len(run.values) < len(cols):
            result.issues.append(
                _issue(
                    "row_short",
                    f"表二 {key}: {len(run.values)} values where the form has {len(cols)}",
                    "error",
                    raw=[t.text for t in run.values],
                    prov=run.values[0].prov,
                )
            )
            continue
        kinds = {c: {"money": c in MONEY_METRICS, "signed": c in SIGNED_METRICS} for c in cols}
        _assign(result, "table2", key, cols, run, kinds)
    return result


def parse_table4(doc: Document, span: tuple[int, int]) -> TableResult:
    """表四 prints 15 values in form order after a two-level header (report-format.md §1.6)."""
    result = TableResult()
    values: list[Token] = []
    for run in runs(doc.tokens[span[0] : span[1]]):
        if not any(t.kind == "value" for t in values) and len(run.values) == len(T3_COLUMNS):
            key, fuzzy = match_label(_label_text(run.label), T3_ROWS)
            if key and not fuzzy:
                result.drifted.append((key, run))
                continue
        values.extend(run.values)
        if len(values) >= 15:
            break
    if len(values) < 15:
        if values or span[0] < span[1]:
            result.issues.append(
                _issue(
                    "table4_incomplete",
                    f"表四: {len(values)} of 15 values found",
                    "error",
                    raw=[t.text for t in values],
                )
            )
        return result
    cols = tuple(f"{p}.{o}" for p in T4_PROCS for o in T4_OUTCOMES)
    flat = TableResult()
    _assign(flat, "table4", "_", cols, Run([], values))
    result.issues = flat.issues
    for cell in flat.cells:
        proc, outcome = cell["col"].split(".")
        cell["row"], cell["col"] = proc, outcome
        result.values.setdefault(proc, {})[outcome] = cell["value"]
        result.cells.append(cell)
    return result


def adopt_drifted_rows(t3: TableResult, t4: TableResult) -> None:
    """表三's last rows printed after the 表四 heading go back to 表三 when 表三 lacks them: their
    labels name them and they hold 表三's seven values, so the assignment is the only one."""
    for key, run in t4.drifted:
        if key in t3.values:
            continue
        _assign(t3, "table3", key, T3_COLUMNS, run)
        t3.issues.append(
            _issue(
                "row_after_heading",
                f"表三 row {key} printed after the 表四 heading; read as 表三's",
                "info",
                prov=run.values[0].prov,
            )
        )


def table3_version(t3: TableResult) -> str | None:
    if "out_other_no_correction" in t3.values or "out_other_fee_unpaid" in t3.values:
        return GB2021
    if "grp_other" in t3.values:
        return GB2019
    return None
