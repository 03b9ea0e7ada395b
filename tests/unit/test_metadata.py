"""Agency and year from the report title, as PDFs print it."""

from extract.metadata import agency_and_year


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
