"""Agency and year from the report title, as PDFs print it."""

from extract.metadata import agency_and_year, parse_title


def test_a_title_wrapped_over_two_lines_is_read_whole():
    # the first lines of a rendered PDF whose long agency name pushes 年度报告 onto a second line
    lines = [
        "红河哈尼族彝族自治州鼓楼市城关镇人民政府 2022 年政府信息公开工作",
        "年度报告",
        "政府信息公开工作年度报告格式模板",
        "一、总体情况",
    ]
    assert agency_and_year(lines) == ("红河哈尼族彝族自治州鼓楼市城关镇人民政府", 2022)


def test_an_agency_line_above_a_whole_title_is_not_joined_into_it():
    lines = ["某某市人民政府", "2022年政府信息公开工作年度报告", "一、总体情况"]
    assert agency_and_year(lines) == ("某某市人民政府", 2022)


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
