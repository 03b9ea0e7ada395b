from extract.report import extract_file

PRE2019 = """晋安区人民政府2016年政府信息公开工作年度报告

一、概述
2016年，我区认真贯彻落实《中华人民共和国政府信息公开条例》。
二、主动公开政府信息情况
全年主动公开政府信息 1200 条。
三、依申请公开政府信息情况
全年共受理政府信息公开申请 15 件，其中当面申请 3 件，网上申请 12 件。
四、政府信息公开的收费及减免情况
未收取任何费用。
五、因政府信息公开申请行政复议、提起行政诉讼的情况
无。
六、存在的主要问题和改进措施
公开内容有待丰富。
"""


def test_pre2019_report_keeps_narrative_and_forces_no_tables(tmp_path):
    path = tmp_path / "jinan-2016.txt"
    path.write_text(PRE2019, encoding="utf-8")
    got = extract_file(path)
    assert got["status"] == "ok"
    assert got["report"]["format_version"] == "pre2019"
    assert (got["report"]["agency"], got["report"]["year"]) == ("晋安区人民政府", 2016)
    assert got["table2"] == got["table3"] == got["table4"] == {}
    assert "受理政府信息公开申请 15 件" in "\n".join(s["text"] for s in got["sections"].values())
