"""Agency and year from the report title, as PDFs print it."""

from extract.metadata import parse_title, printed_title


def test_a_title_wrapped_over_two_lines_is_read_whole():
    # the first lines of a rendered PDF whose long agency name pushes 年度报告 onto a second line
    lines = [
        "红河哈尼族彝族自治州鼓楼市城关镇人民政府 2022 年政府信息公开工作",
        "年度报告",
        "政府信息公开工作年度报告格式模板",
        "一、总体情况",
    ]
    assert printed_title(lines) == ("红河哈尼族彝族自治州鼓楼市城关镇人民政府", 2022)


def test_an_agency_line_above_a_whole_title_is_not_joined_into_it():
    lines = ["某某市人民政府", "2022年政府信息公开工作年度报告", "一、总体情况"]
    assert printed_title(lines) == ("某某市人民政府", 2022)


def test_a_title_without_year_keeps_the_body_whole():
    assert parse_title("定西市自然资源和规划局政府信息公开工作年度报告") == ("定西市自然资源和规划局", None)
    assert parse_title("某某市人民政府政府信息公开工作年度报告") == ("某某市人民政府", None)


def test_title_variants():
    assert parse_title("平潭综合实验区2024年度政府信息公开工作年度报告") == ("平潭综合实验区", 2024)
    assert parse_title("某某县财政局2023年政府信息公开年度报告") == ("某某县财政局", 2023)  # no 工作
    assert parse_title("## 某某县财政局2023年政府信息公开年度报告") == ("某某县财政局", 2023)  # markdown heading
    assert parse_title("某某市人民政府关于2022年度政府信息公开工作的报告") == ("某某市人民政府", 2022)
    assert parse_title("政府信息公开工作年度报告") == (None, None)
    # the template's name in a preamble is not a title
    assert parse_title("关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知") == (None, None)


def test_sources_win_in_the_documented_order():
    from extract.metadata import resolve

    lines = ["发布机构：某某市人民政府办公室", "某某市人民政府2023年政府信息公开工作年度报告", "一、总体情况"]
    props = {"html_title": "某某县2022年政府信息公开工作年度报告_年报_网站", "meta": {"pubdate": "2024-01-20 09:00"}}
    got = resolve(lines, props, "x.html", stop=2)
    assert (got["agency"], got["year"], got["published_date"]) == ("某某市人民政府", 2023, "2024-01-20")
    assert got["sources"] == {"agency": "title", "year": "title", "published_date": "html_meta"}
    assert "html_title: 某某县" in got["conflicts"]["agency"] and "html_title: 2022" in got["conflicts"]["year"]


def test_a_report_that_prints_no_title_takes_the_fetch_log_then_the_signature():
    from extract.metadata import resolve

    lines = ["一、总体情况", "本报告所列数据统计期限为2024年1月1日至2024年12月31日。", "某某区教育局", "2025年1月20日"]
    got = resolve(lines, {}, "a1b2c3.pdf", hints={"agency": "某某区教育局", "year": 2024, "page_title": ""})
    assert (got["agency"], got["sources"]["agency"]) == ("某某区教育局", "fetch_log")
    assert (got["year"], got["sources"]["year"]) == (2024, "statistics_period")
    got = resolve(lines, {}, "a1b2c3.pdf")
    assert (got["agency"], got["sources"]["agency"]) == ("某某区教育局", "signature")


def test_a_report_placed_nowhere_is_flagged(tmp_path):
    from extract.report import extract_file
    from tests.conftest import SAMPLES

    # the bundled dump without its header: no title, no field, no period, a name that says nothing
    text = (SAMPLES / "pingtan-2025.txt").read_text(encoding="utf-8").split("\n", 9)[9]
    text = text.replace("本报告所列数据统计期限为2025年1月1日至2025年12月31日。", "")
    path = tmp_path / "a1b2c3.txt"
    path.write_text(text, encoding="utf-8")
    got = extract_file(path)
    assert got["status"] == "flagged" and got["report"]["agency"] is None
    assert {"no_agency", "no_year"} <= {i["code"] for i in got["issues"]}
    hinted = extract_file(path, {"agency": "平潭综合实验区", "year": 2025})
    assert (hinted["report"]["agency"], hinted["report"]["year"]) == ("平潭综合实验区", 2025)
