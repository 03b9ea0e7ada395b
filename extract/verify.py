"""The form's hard rules (R01–R03, R05, R06 of report-format.md §3) checked on extracted values,
for reads that must prove themselves before they are called ok (OCR). Pure functions."""

from __future__ import annotations

from .keys import T3_COLUMN_LABELS, T3_COLUMNS, T4_PROC_LABELS

MIN_CONFIDENCE = 0.9  # an OCR'd cell below this is doubtful whatever the arithmetic says


def hard_rule_failures(t3: dict, t4: dict) -> list[str]:
    """The hard rules the values break, each named with its scope (empty: all hold)."""
    out = []
    cells = [v for row in [*t3.values(), *t4.values()] for v in row.values()]
    if any(not isinstance(v, int) or v < 0 for v in cells):
        out.append("R06 非负整数（有空白或无法识别的单元格）")
        return out
    leaves = [k for k in t3 if k.startswith(("out_", "grp_")) and k != "out_total"]
    for c in T3_COLUMNS:
        rows = ("new_received", "carried_over", "out_total", "carried_to_next")
        if all(r in t3 for r in rows):
            t = {r: t3[r][c] for r in rows}
            if t["new_received"] + t["carried_over"] != t["out_total"] + t["carried_to_next"]:
                out.append(f"R01 本年新收+上年结转=办理结果总计+结转下年度（{T3_COLUMN_LABELS[c]}列）")
        if "out_total" in t3 and leaves and t3["out_total"][c] != sum(t3[k][c] for k in leaves):
            out.append(f"R03 办理结果总计=各项之和（{T3_COLUMN_LABELS[c]}列）")
    for key, row in t3.items():
        if row["total"] != sum(row[c] for c in T3_COLUMNS[:-1]):
            out.append(f"R02 总计=各列之和（{key}）")
    for proc, row in t4.items():
        if row["total"] != row["upheld"] + row["corrected"] + row["other"] + row["pending"]:
            out.append(f"R05 总计=各项之和（{T4_PROC_LABELS[proc]}）")
    return out
