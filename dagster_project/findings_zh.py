"""Findings in the words of the form, for the disclosure office that printed the report: rows and
columns by their printed labels, the rule as its formula with the printed numbers, the difference,
the cell most likely wrong where the rule can tell, and what to check."""

from __future__ import annotations

import re

from extract.keys import (
    DISPOSAL_GROUP_LABELS,
    T3_COLUMN_LABELS,
    T3_ROW_BY_KEY,
    T4_OUTCOME_LABELS,
    T4_OUTCOMES,
    T4_PROC_LABELS,
)

STATUS_ZH = {"fail": "未通过", "warn": "需注意", "pass": "通过", "not_assessable": "无法评估"}
BALANCE = {
    "new_received": "本年新收",
    "carried_over": "上年结转",
    "out_total": "办理结果总计",
    "carried_to_next": "结转下年度",
}
APPLICANTS = [c for c in T3_COLUMN_LABELS if c != "total"]
OUTCOME_ROWS = {k for k, spec in T3_ROW_BY_KEY.items() if spec.group and k != "out_total"}

# what an office reads about each problem (issue codes of the extractor)
ISSUE_ZH = {
    "no_agency": "未找到发布机关：标题、页面字段、落款和文件名都没有写明",
    "no_year": "未找到报告年度：标题和统计期限都没有写明",
    "ambiguous_split": "表格中的数字连在一起，可有多种拆分，相关单元格未读取",
    "no_split": "表格中的数字连在一起，无法拆成表格的各列",
    "recovery_identity_failed": "数字连写，且表内勾稽关系不成立",
    "row_total_mismatch": "某行的总计不等于各列之和",
    "merged_row_unconfirmed": "两行数字印在同一行，总计无法核对",
    "missing_rows": "表格缺少表中规定的行（表二、表三或表四），可能页面被截断或文件损坏",
    "row_short": "某行的数字个数少于表格列数",
    "extra_values": "某行的数字个数多于表格列数",
    "unreadable_value": "有数值无法识别",
    "table4_incomplete": "表四不完整",
    "unassigned_values": "有数字找不到所属的行",
    "garbled_text_layer": "PDF 的文字层是乱码，无法读取",
    "image_only": "扫描件（图片）页数过多或本机未安装 OCR，无法读取文字",
    "ocr_timeout": "扫描件 OCR 超时，未能读完",
    "ocr_unverified": "扫描件经 OCR 读取，勾稽关系不成立或有存疑的单元格，请核对",
    "not_a_report": "未找到表三（申请情况），不像年度报告",
    "needs_converter": "旧版 Word/WPS/Excel 文件，本机未安装 LibreOffice，无法转换",
    "conversion_failed": "旧版 Office 文件转换失败，文件可能已损坏",
    "conversion_timeout": "旧版 Office 文件转换超时",
    "table_unreadable": "找到了表三的标题或行名，但表格无法读取",
    "encoding_damaged": "文本中有少量损坏的字节（已替换，位置见 byte_offsets），请核对附近的数值",
    "encrypted": "文件已加密",
    "corrupt": "文件已损坏",
    "empty": "空文件",
    "too_large": "文件过大（或表格、页数、解压后体积超出上限），未读取",
    "too_deep": "网页元素嵌套过深，无法解析",
    "timeout": "读取超时（OGI_FILE_TIMEOUT），文件可能构造异常",
    "worker_died": "读取时进程退出（内存不足或崩溃），文件可能构造异常",
    "binary": "不是文本文件",
    "unsupported_format": "不支持的文件格式",
}


def _n(v) -> str:
    return "空" if v is None else f"{v:g}"


def _sum(values) -> float:
    return sum(v or 0 for v in values)


def _row(key: str) -> str:
    """A short name of a 表三 row for a formula: 本年新收, 予以公开, 不予公开·属于国家秘密."""
    spec = T3_ROW_BY_KEY.get(key)
    if key in BALANCE or spec is None:
        return BALANCE.get(key, key)
    group = DISPOSAL_GROUP_LABELS.get(spec.group)
    label = re.sub(r"^(（.）|\d+[.．])|（.*）$", "", spec.label)
    return label if not group or label == group else f"{group}·{label}"


def _parts_vs_total(where: str, parts: list[tuple[str, float | None]], total_name: str, total, suspect: str) -> dict:
    """A printed total that is not the sum of its parts: the total is the likely error (its parts
    are each checked by other rules), so it is named as the suspect."""
    summed = _sum(v for _, v in parts)
    shown = " + ".join(f"{label} {_n(v)}" for label, v in parts) or "各项均为 0"
    return {
        "text": f"{where}：{shown} = {summed:g}，但{total_name}印的是 {_n(total)}，相差 {abs(summed - (total or 0)):g}",
        "check": f"请核对{where}的{total_name}（印 {_n(total)}，按各项相加应为 {summed:g}），或某一项的数。",
        "suspect": suspect,
    }


def explain(rule_id: str, scope: str, lhs, rhs, cells: dict[str, float | None], title_zh: str) -> dict:
    """``cells``: the finding's source cells by key (table3.<row>.<col>, table4.<proc>.<outcome>)
    and their printed values. Returns text (the formula with the numbers), check (what to look
    at) and suspect (the cell most likely wrong, or None)."""
    t3 = {k.split(".", 1)[1]: v for k, v in cells.items() if k.startswith("table3.")}
    if rule_id.startswith("R01") and scope in T3_COLUMN_LABELS:
        col = T3_COLUMN_LABELS[scope]
        a, b, c, d = (t3.get(f"{r}.{scope}") for r in BALANCE)
        left, right = _sum((a, b)), _sum((c, d))
        return {
            "text": f"{col}列：本年新收 {_n(a)} + 上年结转 {_n(b)} = {left:g}，但办理结果总计 {_n(c)} + "
            f"结转下年度 {_n(d)} = {right:g}，相差 {abs(left - right):g}",
            "check": f"请核对{col}列这四个数：本年新收 + 上年结转 应等于 办理结果总计 + 结转下年度。",
            "suspect": None,
        }
    if rule_id.startswith("R02") and scope in T3_ROW_BY_KEY:
        parts = [(T3_COLUMN_LABELS[c], t3.get(f"{scope}.{c}")) for c in APPLICANTS]
        where = f"「{T3_ROW_BY_KEY[scope].label}」行"
        return _parts_vs_total(where, parts, "总计列", t3.get(f"{scope}.total"), f"table3.{scope}.total")
    if rule_id.startswith("R03") and scope in T3_COLUMN_LABELS:
        outcomes = [(k.split(".")[0], v) for k, v in t3.items() if k.split(".")[0] in OUTCOME_ROWS]
        parts = [(_row(row), v) for row, v in outcomes if v]
        total = t3.get(f"out_total.{scope}")
        return _parts_vs_total(f"{T3_COLUMN_LABELS[scope]}列", parts, "（七）总计", total, f"table3.out_total.{scope}")
    if rule_id.startswith("R05") and scope in T4_PROC_LABELS:
        parts = [(T4_OUTCOME_LABELS[o], cells.get(f"table4.{scope}.{o}")) for o in T4_OUTCOMES[:-1]]
        total = cells.get(f"table4.{scope}.total")
        return _parts_vs_total(f"表四{T4_PROC_LABELS[scope]}", parts, "总计", total, f"table4.{scope}.total")
    if rule_id.startswith(("R11", "R12", "R13")) and lhs is not None and rhs is not None:
        return {
            "text": f"「{title_zh}」不成立：正文写的是 {lhs:g}，表中为 {rhs:g}，相差 {abs(lhs - rhs):g}",
            "check": "请核对正文这句话和表中的数，更正写错的一处。",
            "suspect": None,
        }
    if lhs is None or rhs is None:
        return {"text": f"「{title_zh}」", "check": "请核对下列单元格。", "suspect": None}
    return {
        "text": f"「{title_zh}」：一边为 {lhs:g}，另一边为 {rhs:g}，相差 {abs(lhs - rhs):g}",
        "check": "请核对下列单元格和正文中的数字。",
        "suspect": None,
    }
