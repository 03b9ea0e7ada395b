import pytest

from extract.keys import T2_ITEMS, T3_ROWS
from extract.labels import match_label


@pytest.mark.parametrize(
    "printed, key",
    [
        ("一、本年新收政府信息公开申请数量", "new_received"),
        ("三、本年度办理结果 (一) 予以公开", "out_granted"),
        # vertical block label glued before the item (PDF)
        ("三、\n本\n年\n度\n办\n理\n结\n果\n（一）予以公开", "out_granted"),
        # '其他' inside the note must not make this 3.其他
        ("(二) 部分公开 (区分处理的, 只计这一情形, 不计其他情形)", "out_partial"),
        ("（二）部分公开（区分处理的，只计这一情\n形，不计其他情形）", "out_partial"),
        # group label split across a page break and glued to the item label
        ("（四）无", None),
        ("法提供 2.没有现成信息需要另行制作", "out_unable_need_creation"),
        ("(六)其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "out_other_no_correction"),
        ("1、申请人逾期未按收费通知要\n求缴纳费用、行政机关不再处理\n其政府信息公开申请", "out_other_fee_unpaid"),
        ("3、其他", "out_other_misc"),
        ("（六）其他处理", "grp_other"),
        ("(七) 总计", "out_total"),
        ("四、结转下年度继续办理", "carried_to_next"),
        ("二、上年结转政府信息公开申请数量", "carried_over"),
    ],
)
def test_table3_labels(printed, key):
    assert match_label(printed, T3_ROWS)[0] == key


def test_misprinted_label_matches_with_a_flag():
    key, fuzzy = match_label("2.其他法律行政止公开", T3_ROWS)  # as printed in hongze-2023.pdf
    assert key == "out_withheld_law_prohibited"


def test_header_text_before_first_row_does_not_win():
    header = (
        "(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)"
        "申请人情况总计自然人法人或其他组织商业企业其他"
    )
    assert match_label(header + "一、本年新收政府信息公开申请数量", T3_ROWS)[0] == "new_received"


@pytest.mark.parametrize(
    "printed, key",
    [
        ("行政规范性文件", "normative_doc"),
        ("规范性文件", "normative_doc"),
        ("规章", "regulation"),
        ("信息内容 本年处理决定数量 行政许可", "admin_license"),
        ("行政事业性收费", "admin_fee"),
        ("政府集中采购", "gov_procurement"),
        ("其他对外管理服务事项", "other_external_service"),
    ],
)
def test_table2_labels(printed, key):
    assert match_label(printed, T2_ITEMS)[0] == key
