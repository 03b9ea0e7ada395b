"""Canonical keys of report-format.md §5, with the Chinese labels and the keywords that find them.

Keywords are matched against labels after normalisation (see ``normalize.label_key``): NFKC,
no whitespace, ASCII parentheses. A label matches a row when any keyword occurs in it; the
keyword that ends last in a run of label text wins, so a group label printed before an item
label ("（四）无法提供 1.本机关不掌握…") resolves to the item.
"""

from __future__ import annotations

from dataclasses import dataclass

GB2021 = "gb2021"
GB2019 = "gb2019"
PRE2019 = "pre2019"
UNKNOWN = "unknown"

T3_COLUMNS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "public_interest_org",
    "legal_service_org",
    "other_org",
    "total",
)
T3_COLUMN_LABELS = {
    "natural_person": "自然人",
    "commercial_enterprise": "商业企业",
    "research_institution": "科研机构",
    "public_interest_org": "社会公益组织",
    "legal_service_org": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}


@dataclass(frozen=True)
class RowSpec:
    key: str
    label: str  # the official label, as printed on the national form
    keywords: tuple[str, ...]
    group: str | None = None  # disposal group for outcome rows


T3_ROWS: tuple[RowSpec, ...] = (
    RowSpec("new_received", "一、本年新收政府信息公开申请数量", ("本年新收", "新收政府信息")),
    RowSpec("carried_over", "二、上年结转政府信息公开申请数量", ("上年结转",)),
    RowSpec("out_granted", "（一）予以公开", ("予以公开",), "granted"),
    RowSpec("out_partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ("部分公开",), "partial"),
    RowSpec("out_withheld_state_secret", "1.属于国家秘密", ("国家秘密",), "withheld"),
    RowSpec(
        "out_withheld_law_prohibited",
        "2.其他法律行政法规禁止公开",
        ("禁止公开", "其他法律", "行政法规禁止"),
        "withheld",
    ),
    RowSpec("out_withheld_security_stability", "3.危及“三安全一稳定”", ("三安全", "一稳定", "危及"), "withheld"),
    RowSpec("out_withheld_third_party", "4.保护第三方合法权益", ("第三方",), "withheld"),
    RowSpec("out_withheld_internal_affairs", "5.属于三类内部事务信息", ("内部事务",), "withheld"),
    RowSpec("out_withheld_process_info", "6.属于四类过程性信息", ("过程性",), "withheld"),
    RowSpec("out_withheld_enforcement_file", "7.属于行政执法案卷", ("执法案卷",), "withheld"),
    RowSpec("out_withheld_admin_query", "8.属于行政查询事项", ("行政查询", "查询事项"), "withheld"),
    RowSpec("out_unable_not_held", "1.本机关不掌握相关政府信息", ("不掌握",), "unable"),
    RowSpec("out_unable_need_creation", "2.没有现成信息需要另行制作", ("另行制作", "没有现成"), "unable"),
    RowSpec("out_unable_unclear", "3.补正后申请内容仍不明确", ("仍不明确", "补正后"), "unable"),
    RowSpec("out_rejected_petition", "1.信访举报投诉类申请", ("信访", "举报投诉"), "rejected"),
    RowSpec("out_rejected_duplicate", "2.重复申请", ("重复申请",), "rejected"),
    RowSpec("out_rejected_publication", "3.要求提供公开出版物", ("出版物",), "rejected"),
    RowSpec("out_rejected_excessive", "4.无正当理由大量反复申请", ("大量反复", "反复申请"), "rejected"),
    RowSpec(
        "out_rejected_reconfirm",
        "5.要求行政机关确认或重新出具已获取信息",
        ("重新出具", "确认或", "已获取信息"),
        "rejected",
    ),
    RowSpec(
        "out_other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ("不补正",),
        "other",
    ),
    RowSpec(
        "out_other_fee_unpaid",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ("收费通知", "缴纳费用"),
        "other",
    ),
    RowSpec("out_other_misc", "3.其他", ("其他",), "other"),
    # gb2019 (and hybrid) print the （六） group as one row; see report-format.md §5.4 item 6.
    RowSpec("grp_other", "（六）其他处理", ("其他处理",), "other"),
    RowSpec("out_total", "（七）总计", ("总计",)),
    RowSpec("carried_to_next", "四、结转下年度继续办理", ("结转下年度", "下年度继续")),
)
T3_ROW_BY_KEY = {r.key: r for r in T3_ROWS}

T3_ROWS_GB2021 = tuple(r.key for r in T3_ROWS if r.key != "grp_other")
T3_ROWS_GB2019 = tuple(r.key for r in T3_ROWS if not r.key.startswith("out_other_"))

DISPOSAL_GROUP_LABELS = {
    "granted": "予以公开",
    "partial": "部分公开",
    "withheld": "不予公开",
    "unable": "无法提供",
    "rejected": "不予处理",
    "other": "其他处理",
}

# 表二: item rows, and the metrics each format version prints for them, in column order.
T2_ITEMS: tuple[RowSpec, ...] = (
    RowSpec("regulation", "规章", ("规章",)),
    RowSpec("normative_doc", "行政规范性文件", ("规范性文件",)),
    RowSpec("admin_license", "行政许可", ("行政许可",)),
    RowSpec("other_external_service", "其他对外管理服务事项", ("对外管理服务",)),
    RowSpec("admin_penalty", "行政处罚", ("行政处罚",)),
    RowSpec("admin_coercion", "行政强制", ("行政强制",)),
    RowSpec("admin_fee", "行政事业性收费", ("事业性收费",)),
    RowSpec("gov_procurement", "政府集中采购", ("集中采购",)),
)

_DOCS_2021 = ("issued", "repealed", "in_force")
_DOCS_2019 = ("new_made_2019", "new_published_2019", "published_total_2019")
_ITEMS_2019 = ("prev_year_items_2019", "yoy_change_2019", "decisions")
T2_METRICS: dict[str, dict[str, tuple[str, ...]]] = {
    GB2021: {
        "regulation": _DOCS_2021,
        "normative_doc": _DOCS_2021,
        "admin_license": ("decisions",),
        "admin_penalty": ("decisions",),
        "admin_coercion": ("decisions",),
        "admin_fee": ("fee_amount_wan",),
    },
    GB2019: {
        "regulation": _DOCS_2019,
        "normative_doc": _DOCS_2019,
        "admin_license": _ITEMS_2019,
        "other_external_service": _ITEMS_2019,
        "admin_penalty": _ITEMS_2019,
        "admin_coercion": _ITEMS_2019,
        "admin_fee": ("prev_year_items_2019", "yoy_change_2019"),
        "gov_procurement": ("procurement_items_2019", "procurement_amount_wan_2019"),
    },
}
T2_METRIC_LABELS = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "本年处理决定数量",
    "fee_amount_wan": "本年收费金额（单位：万元）",
    "new_made_2019": "本年新制作数量",
    "new_published_2019": "本年新公开数量",
    "published_total_2019": "对外公开总数量",
    "prev_year_items_2019": "上一年项目数量",
    "yoy_change_2019": "本年增/减",
    "procurement_items_2019": "采购项目数量",
    "procurement_amount_wan_2019": "采购总金额（万元）",
}
MONEY_METRICS = frozenset({"fee_amount_wan", "procurement_amount_wan_2019"})
SIGNED_METRICS = frozenset({"yoy_change_2019"})

T4_PROCS = ("admin_review", "litigation_direct", "litigation_after_review")
T4_PROC_LABELS = {
    "admin_review": "行政复议",
    "litigation_direct": "行政诉讼（未经复议直接起诉）",
    "litigation_after_review": "行政诉讼（复议后起诉）",
}
T4_OUTCOMES = ("upheld", "corrected", "other", "pending", "total")
T4_OUTCOME_LABELS = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}

# report-format.md §5.4: evidence of the format version inside the 表二/表三 blocks.
VERSION_EVIDENCE_T2 = (
    (GB2021, ("本年制发件数", "本年废止件数", "现行有效件", "本年收费金额")),
    (GB2019, ("本年新制作数量", "对外公开总数量", "上一年项目数量", "本年增/减", "第二十条第(九)项", "政府集中采购")),
)

# report-format.md §1.3: the six sections.
SECTIONS = (
    ("s1_overview", "一", ("总体情况",)),
    ("s2_proactive", "二", ("主动公开",)),
    ("s3_requests", "三", ("收到和处理", "依申请公开")),
    ("s4_review_litigation", "四", ("行政复议", "行政诉讼")),
    ("s5_problems", "五", ("问题",)),
    ("s6_other", "六", ("其他需要报告",)),
)


def cell_label(key: str) -> str:
    """'table3.out_total.natural_person' → '表三（七）总计行 自然人列'."""
    parts = key.split(".")
    if parts[0] == "table3" and len(parts) == 3:
        spec = T3_ROW_BY_KEY.get(parts[1])
        return f"表三「{spec.label if spec else parts[1]}」行 {T3_COLUMN_LABELS.get(parts[2], parts[2])}列"
    if parts[0] == "table4" and len(parts) == 3:
        return f"表四{T4_PROC_LABELS.get(parts[1], parts[1])} {T4_OUTCOME_LABELS.get(parts[2], parts[2])}"
    if key.startswith("claim:"):
        return "正文所述数字"
    return key
