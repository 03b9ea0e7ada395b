"""Tables whose cells ran together: crawled text dumps, copy-pastes and PDF-to-text output that
lost the separators between cells ('一、本年新收政府信息公开申请数量15130000154').

Each row label is followed by one digit run; ``arithmetic`` splits the runs so that the form's
identities hold, and a row is read only when exactly one table remains. The next label's item
number continues a run ('…国家秘密0000000' then '2.其他…' reads '00000002.其他…'): a digit
directly before '.', '．' or '、' and a non-digit is the next label's number, not a value.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

from . import arithmetic as ar
from .document import Document
from .keys import (
    GB2021,
    MONEY_METRICS,
    T2_ITEMS,
    T2_METRICS,
    T3_COLUMN_LABELS,
    T3_COLUMNS,
    T3_ROW_BY_KEY,
    T3_ROWS,
    T4_OUTCOMES,
    T4_PROC_LABELS,
    T4_PROCS,
    VERSION_EVIDENCE_T2,
)
from .labels import match_label
from .normalize import label_key
from .tables import TableResult, _issue
from .values import parse_value

# digits with what may stand between cells; an NA marker or sign among them is kept in the run so
# that the row is flagged rather than split without it
_MARKERS = "/／—－−+×-"
_RUN = re.compile(r"[0-9０-９]+(?:[\s/／—－−+×-]*[0-9０-９]+)*(?:[.．][0-9０-９]+)?")
_ITEM_NUMBER_AFTER = re.compile(r"\s*[.．、](?![0-9０-９])")
MAX_DERIVED = 1000  # choices among the other rows' splits tried to pin a row whose total is wrong
MAX_BROKEN_SPLITS = 300  # splits tried for a row whose own total is wrong
MIN_GLUED_ROWS = 3  # 表三 rows printed as one unbroken run of 7+ digits before a dump is read this way


@dataclass
class Segment:
    label: str  # the text between the previous run and this one
    text: str  # the run as printed
    line: int  # index into Document.lines
    start: int  # character offset of the run in that line
    marked: bool = False  # an NA marker or a sign in or beside the run: its cells cannot be split


def segments(doc: Document, first: int, end: int) -> list[Segment]:
    """(label, run) pairs of doc.lines[first:end], labels running across line ends."""
    out: list[Segment] = []
    label: list[str] = []
    for i in range(first, end):
        text = doc.lines[i].text
        pos = 0
        for m in _RUN.finditer(text):
            run, stop = m.group(0), m.end()
            if "." not in run and "．" not in run and _ITEM_NUMBER_AFTER.match(text, stop):
                run, stop = run[:-1].rstrip(), stop - 1  # the last digit numbers the next label
            label.append(text[pos : m.start()])
            pos = m.start() + len(run) if run else m.start()
            if run:
                beside = text[m.start() - 1 : m.start()] + text[stop : stop + 1]
                marked = any(ch in _MARKERS for ch in run + beside)
                out.append(Segment("".join(label), run, i, m.start(), marked))
                label = []
        label.append(text[pos:] + "\n")
    return out


def _prov(doc: Document, seg: Segment, start: int, end: int) -> dict:
    base = doc.lines[seg.line].prov
    return {**base, "offset": base.get("offset", 0) + seg.start + start}


_LABEL_THEN_RUN = re.compile(r"[\u4e00-\u9fff）)]\s?[0-9０-９]{7}")


def is_glued(doc: Document) -> bool:
    """True when several 表三 rows print their seven cells as one unbroken digit run."""
    if not any(_LABEL_THEN_RUN.search(ln.text) for ln in doc.lines):
        return False  # no label runs straight into seven digits anywhere: the common case, cheaply
    hits = 0
    for seg in segments(doc, 0, len(doc.lines)):
        if len(seg.text) >= 7 and seg.text.isdigit() and match_label(seg.label[-60:], T3_ROWS)[0]:
            hits += 1
            if hits >= MIN_GLUED_ROWS:
                return True
    return False


def _find_line(doc: Document, needles: tuple[str, ...]) -> int | None:
    for i in range(len(doc.lines)):
        k = label_key(doc.lines[i].text)
        if any(n in k for n in needles):
            return i
    return None


@dataclass
class GluedTables:
    table2: TableResult
    table3: TableResult
    table4: TableResult
    table2_version: str | None


def read_glued(doc: Document, claims: dict[str, int]) -> GluedTables:
    """The three tables of a run-together document. ``claims`` are the narrative's counts
    (requests, reviews, lawsuits), used only to choose among splits the identities allow."""
    n = len(doc.lines)
    t3_first = _find_line(doc, ("申请人情况", "本年新收")) or 0
    t2_first = _find_line(doc, ("第二十条",)) or 0
    segs = segments(doc, 0, n)
    t3_segs, t4_segs, t2_segs = [], [], []
    stage = "before"
    for seg in segs:
        key = match_label(seg.label[-80:], T3_ROWS)[0] if seg.line >= t3_first else None
        if stage == "before" and key == "new_received":
            stage = "t3"
        if stage == "t3":
            t3_segs.append((key, seg))
            if key == "carried_to_next":
                stage = "t4"
            continue
        if stage == "t4":
            if re.search(r"[五六][、.．]", seg.label):
                break
            t4_segs.append(seg)
        elif seg.line >= t2_first:
            t2_segs.append(seg)
    t2_text = label_key("".join(s.label for s in t2_segs))
    t2_version = next((v for v, needles in VERSION_EVIDENCE_T2 if any(label_key(x) in t2_text for x in needles)), None)
    return GluedTables(
        _table2(doc, t2_segs, t2_version or GB2021),
        _table3(doc, t3_segs, claims),
        _table4(doc, t4_segs, claims),
        t2_version,
    )


def _cells(doc, table, row, cols, seg: Segment, run: ar.Run, values, flags, kinds=None) -> list[dict]:
    out = []
    for col, (s, e) in zip(cols, ar.cell_offsets(run, values), strict=True):
        raw = seg.text[s:e]
        pv = parse_value(raw, **(kinds or {}).get(col, {}))
        out.append(
            {
                "table": table,
                "row": row,
                "col": col,
                "raw": raw,
                "value": pv.value,
                "unit": pv.unit,
                "flags": [*pv.flags, *flags],
                "prov": _prov(doc, seg, s, e),
            }
        )
    return out


def _marked_issue(doc: Document, where: str, seg: Segment) -> dict:
    return _issue(
        "ambiguous_split",
        f"{where}: the run '{seg.text}' holds an NA marker or a sign among run-together cells; left unread",
        "error",
        prov=_prov(doc, seg, 0, len(seg.text)),
    )


def _unread(result: TableResult, doc: Document, table: str, row: str, cols, seg: Segment, flag: str) -> None:
    """Cells that stay null, flagged; the run is kept as their raw text. 表四's row "_" stands for
    its 15 cells, named proc.outcome."""
    prov = _prov(doc, seg, 0, len(seg.text))
    for col in cols:
        r, c = col.split(".") if row == "_" else (row, col)
        result.cells.append(
            {
                "table": table,
                "row": r,
                "col": c,
                "raw": seg.text,
                "value": None,
                "unit": None,
                "flags": [flag],
                "prov": prov,
            }
        )
        result.values.setdefault(r, {})[c] = None


# ---- 表三 --------------------------------------------------------------------------------------


def _derived(key: str, options: dict[str, list], run: ar.Run) -> list[tuple[int, ...]]:
    """The splits of a row whose printed 总计 is wrong that the other rows allow: for each choice
    among their splits (``options``, by their own totals), the column identities fix this row's
    six applicant cells, and the run must begin with exactly those digits."""
    leaves = [k for k in options if T3_ROW_BY_KEY[k].group and k != "out_total"]
    need = {
        "out_total": leaves,
        "new_received": ["out_total", "carried_to_next", "carried_over"],
        "carried_over": ["out_total", "carried_to_next", "new_received"],
        "carried_to_next": ["new_received", "carried_over", "out_total"],
    }.get(key, ["out_total", *(k for k in leaves if k != key)])
    need = [k for k in need if k != key]
    if not need or any(not options.get(k) for k in need) or math.prod(len(options[k]) for k in need) > MAX_DERIVED:
        return []
    found = set()
    for pick in itertools.product(*(options[k] for k in need)):
        t = {k: dict(zip(T3_COLUMNS, v, strict=True)) for k, v in zip(need, pick, strict=True)}
        if key == "out_total":
            values = [sum(t[k][c] for k in leaves) for c in T3_COLUMNS[:-1]]
        elif key in ("new_received", "carried_over"):
            values = [t["out_total"][c] + t["carried_to_next"][c] - t[need[2]][c] for c in T3_COLUMNS[:-1]]
        elif key == "carried_to_next":
            values = [t["new_received"][c] + t["carried_over"][c] - t["out_total"][c] for c in T3_COLUMNS[:-1]]
        else:
            values = [t["out_total"][c] - sum(t[k][c] for k in need[1:]) for c in T3_COLUMNS[:-1]]
        prefix = "".join(map(str, values))
        rest = run.digits[len(prefix) :]
        bounds = set(itertools.accumulate(len(str(v)) for v in values))
        if (
            min(values) >= 0
            and run.digits.startswith(prefix)
            and rest
            and (rest[0] != "0" or len(rest) == 1)
            and run.cuts <= bounds
        ):
            found.add((*values, int(rest)))
    return sorted(found)


def _t3_identities(rows: set[str]):
    """The column identities that can be checked with the rows present: (name, check)."""
    leaves = [k for k in rows if T3_ROW_BY_KEY[k].group and k != "out_total"]
    checks = []
    if {"new_received", "carried_over", "out_total", "carried_to_next"} <= rows:
        checks.append(
            (
                "本年新收+上年结转=办理结果总计+结转下年度",
                lambda t, c: t["new_received"][c] + t["carried_over"][c] == t["out_total"][c] + t["carried_to_next"][c],
            )
        )
    if "out_total" in rows and leaves:
        checks.append(("办理结果总计=各项办理结果之和", lambda t, c: t["out_total"][c] == sum(t[k][c] for k in leaves)))
    return checks


def _table3(doc: Document, segs: list[tuple[str | None, Segment]], claims: dict[str, int]) -> TableResult:
    result = TableResult()
    rows: dict[str, tuple[Segment, ar.Run]] = {}
    for key, seg in segs:
        if key is None or key in rows:
            continue
        rows[key] = (seg, ar.make_run(seg.text))
    cands: dict[str, list[tuple[int, ...]]] = {}
    broken: set[str] = set()  # rows no split of which sums to its own 总计
    by_total: dict[str, list[tuple[int, ...]] | None] = {}
    for key, (seg, _) in rows.items():
        if seg.marked:
            _unread(result, doc, "table3", key, T3_COLUMNS, seg, "ambiguous_split")
            result.issues.append(_marked_issue(doc, f"表三 {T3_ROW_BY_KEY[key].label}", seg))
        else:
            by_total[key] = ar.split_row(rows[key][1], 7)
    options = {k: v for k, v in by_total.items() if v}
    for key, found in by_total.items():
        seg, run = rows[key]
        if found == []:
            # the printed 总计 is wrong: the other rows' columns may pin the row; failing that,
            # a short run has few splits left to try against the column identities
            broken.add(key)
            found = _derived(key, options, run) or ar.split_row(run, 7, total_last=False, limit=MAX_BROKEN_SPLITS)
        if found is None or not found:
            _unread(result, doc, "table3", key, T3_COLUMNS, seg, "ambiguous_split" if found is None else "no_split")
            result.issues.append(
                _issue(
                    "ambiguous_split" if found is None else "no_split",
                    f"表三 {T3_ROW_BY_KEY[key].label}: the run '{seg.text}' "
                    + ("has too many splits to search" if found is None else "cannot be split into 7 cells"),
                    "error",
                    prov=_prov(doc, seg, 0, len(seg.text)),
                )
            )
            continue
        cands[key] = found
    # one check per identity and column, so that a failing one can be named and left out
    checks = [(name, check, c) for name, check in _t3_identities(set(cands)) for c in T3_COLUMNS]

    def solve(selected):
        def holds(choice):
            t = {k: dict(zip(T3_COLUMNS, v, strict=True)) for k, v in choice.items()}
            return all(check(t, c) for _, check, c in selected)

        return ar.solve(cands, holds)

    solutions = solve(checks)
    used = ["各行总计=各列之和", *dict.fromkeys(name for name, _, _ in checks)]
    if solutions and len(solutions) > 1 and "requests" in claims and "new_received" in cands:
        narrowed = [s for s in solutions if s["new_received"][-1] == claims["requests"]]
        if narrowed:
            solutions, used = narrowed, [*used, "正文所述收到申请数"]
    if solutions == []:
        # the report breaks an identity itself: the identities no split can satisfy are named and
        # left out, the others still settle the rows; nothing is fitted to a failing identity
        failing = [chk for chk in checks if solve([chk]) == []]
        kept = [chk for chk in checks if chk not in failing]
        solutions = solve(kept) if failing else None
        used = ["各行总计=各列之和", *dict.fromkeys(name for name, _, _ in kept)]
        named = [f"{name}（{T3_COLUMN_LABELS[c]}列）" for name, _, c in failing] or ["各等式不能同时成立"]
        result.issues.append(
            _issue(
                "recovery_identity_failed",
                "表三 cells ran together and no split satisfies every identity of the form; failing: "
                + "; ".join(named),
                "warning",
            )
        )
    for key, (seg, run) in rows.items():
        if key not in cands:
            continue
        options = {s[key] for s in solutions} if solutions else set(cands[key])
        if len(options) == 1:
            (values,) = options
            flags = ["recovered_by_arithmetic"] + (["row_total_mismatch"] if key in broken else [])
            cells = _cells(doc, "table3", key, T3_COLUMNS, seg, run, values, flags)
            for c in cells:
                c["identities"] = used if solutions else ["各行总计=各列之和"]
            result.cells += cells
            result.values[key] = {c["col"]: c["value"] for c in cells}
            if key in broken:
                result.issues.append(
                    _issue(
                        "row_total_mismatch",
                        f"表三 {T3_ROW_BY_KEY[key].label}: the printed 总计 is not the sum of its columns; "
                        "the split was settled by the column identities",
                        "warning",
                        prov=cells[0]["prov"],
                    )
                )
        else:
            _unread(result, doc, "table3", key, T3_COLUMNS, seg, "ambiguous_split")
            result.issues.append(
                _issue(
                    "ambiguous_split",
                    f"表三 {T3_ROW_BY_KEY[key].label}: the run '{seg.text}' splits {len(options)} ways that "
                    "the identities allow; the row is left unread",
                    "error",
                    candidates=len(options),
                    prov=_prov(doc, seg, 0, len(seg.text)),
                )
            )
    return result


# ---- 表四 --------------------------------------------------------------------------------------


def _table4(doc: Document, segs: list[Segment], claims: dict[str, int]) -> TableResult:
    result = TableResult()
    if not segs:
        return result
    # the runs after the header on the row's line are its 15 cells; text between them is a cut
    first = segs[0]
    last = [seg for seg in segs if seg.line == first.line][-1]
    line = doc.lines[first.line].text
    seg = Segment(first.label, line[first.start : last.start + len(last.text)], first.line, first.start)
    run = ar.make_run(seg.text)
    cols = tuple(f"{p}.{o}" for p in T4_PROCS for o in T4_OUTCOMES)
    found = ar.split_groups(run, 3, 5) if not any(s.marked for s in segs if s.line == first.line) else None
    used = ["三项总计=各项之和"]
    broken = False
    if found == []:
        # a printed 总计 is wrong: each group's total in turn is let go, the other two still hold
        broken, found = True, []
        for g in range(3):
            relaxed = ar.split_groups(run, 3, 5, total_last=tuple(i != g for i in range(3)))
            found = None if relaxed is None or found is None else found + relaxed
    if found and len(found) > 1:
        narrowed = [
            v
            for v in found
            if ("reviews" not in claims or v[4] == claims["reviews"])
            and ("lawsuits" not in claims or v[9] + v[14] == claims["lawsuits"])
        ]
        if narrowed and len(narrowed) < len(found):
            found, used = narrowed, used + ["正文所述复议、诉讼数"]
    if not found or len(found) > 1:
        count = "too many" if found is None else len(found)
        why = "no split keeps the three 总计 = 各项之和, and with any one let go it" if broken else "it"
        result.issues.append(
            _issue(
                "ambiguous_split" if found else "no_split",
                f"表四: the run '{seg.text}': {why} splits {count} ways into 15 cells; "
                f"{'the cells the splits disagree on are' if found and not broken else 'the table is'} left unread",
                "error",
                candidates=None if found is None else len(found),
                prov=_prov(doc, seg, 0, len(seg.text)),
            )
        )
        _unread(result, doc, "table4", "_", cols, seg, "ambiguous_split" if found else "no_split")
        if found and not broken:
            _keep_common(result, doc, seg, run, found, cols, used)
        return result
    values = found[0]
    flags = ["recovered_by_arithmetic"] + (["row_total_mismatch"] if broken else [])
    if broken:
        bad = [T4_PROC_LABELS[p] for i, p in enumerate(T4_PROCS) if sum(values[5 * i : 5 * i + 4]) != values[5 * i + 4]]
        result.issues.append(
            _issue(
                "row_total_mismatch",
                f"表四: the printed 总计 of {'、'.join(bad)} is not the sum of its outcomes; the run has one split",
                "warning",
            )
        )
    for cell in _cells(doc, "table4", "_", cols, seg, run, values, flags):
        cell["row"], cell["col"] = cell["col"].split(".")
        cell["identities"] = used
        result.values.setdefault(cell["row"], {})[cell["col"]] = cell["value"]
        result.cells.append(cell)
    return result


def _keep_common(result: TableResult, doc: Document, seg: Segment, run: ar.Run, found, cols, used) -> None:
    """Of an ambiguous 表四 run, the cells that every split reads alike (same digits, same place)
    are determined all the same: they replace their unread placeholders; the others stay null."""
    splits = [list(zip(v, ar.cell_offsets(run, v), strict=True)) for v in found]
    common = [i for i in range(len(cols)) if all(s[i] == splits[0][i] for s in splits)]
    if not common:
        return
    cells = _cells(doc, "table4", "_", cols, seg, run, found[0], ["recovered_by_arithmetic", "same_in_every_split"])
    keep = {cols[i]: cells[i] for i in common}
    result.cells = [c for c in result.cells if f"{c['row']}.{c['col']}" not in keep]
    for cell in keep.values():
        cell["row"], cell["col"] = cell["col"].split(".")
        cell["identities"] = [*used, "各种拆分此格相同"]
        result.values[cell["row"]][cell["col"]] = cell["value"]
        result.cells.append(cell)


# ---- 表二 --------------------------------------------------------------------------------------


def _table2(doc: Document, segs: list[Segment], version: str) -> TableResult:
    """表二 has no identity: a run is read only when it has one split (one cell, or as many digits
    as cells); otherwise its cells are null and flagged ``ambiguous_split``."""
    result = TableResult()
    metrics = T2_METRICS[version]
    specs = tuple(s for s in T2_ITEMS if s.key in metrics)
    for seg in segs:
        key, fuzzy = match_label(seg.label[-30:], specs)
        if key is None or fuzzy or key in result.values:
            continue
        cols = metrics[key]
        kinds = {c: {"money": c in MONEY_METRICS} for c in cols}
        run = ar.make_run(seg.text)
        if seg.marked and not (len(cols) == 1 and " " not in seg.text.strip()):
            _unread(result, doc, "table2", key, cols, seg, "ambiguous_split")
            result.issues.append(_marked_issue(doc, f"表二 {key}", seg))
            continue
        if len(cols) == 1:
            raw = seg.text.strip()
            pv = parse_value(raw, **kinds[cols[0]])
            result.cells.append(
                {
                    "table": "table2",
                    "row": key,
                    "col": cols[0],
                    "raw": raw,
                    "value": pv.value,
                    "unit": pv.unit,
                    "flags": pv.flags,
                    "prov": _prov(doc, seg, 0, len(raw)),
                }
            )
            result.values[key] = {cols[0]: pv.value}
            continue
        found = None if any(c in seg.text for c in ".．") else ar.split_row(run, len(cols), total_last=False)
        if found and len(found) == 1:
            cells = _cells(doc, "table2", key, cols, seg, run, found[0], ["recovered_by_arithmetic"], kinds)
            result.cells += cells
            result.values[key] = {c["col"]: c["value"] for c in cells}
            continue
        _unread(result, doc, "table2", key, cols, seg, "ambiguous_split")
        result.issues.append(
            _issue(
                "ambiguous_split",
                f"表二 {key}: the run '{seg.text}' splits {len(found) if found else 'in no or too many'} ways into "
                f"{len(cols)} cells and 表二 has no identity to choose; the cells are left null",
                "error",
                candidates=len(found) if found else None,
                prov=_prov(doc, seg, 0, len(seg.text)),
            )
        )
    return result
