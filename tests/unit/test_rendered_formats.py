"""HTML pages (UTF-8 and GB18030, real rowspan/colspan, &nbsp; blanks) and filled national DOCX
templates, rendered from the truth files: extraction must give back every number."""

import io
import zipfile

import pytest

from bench.render import Sample, render_docx, render_html
from extract.report import extract_file
from tests.conftest import TRUTH, load_truth

TRUTHS = sorted(TRUTH.glob("*.json"))


def _expect_same(truth, got):
    assert got["status"] == "ok", got["issues"]
    assert (got["report"]["agency"], got["report"]["year"]) == (truth["report"]["agency"], truth["report"]["year"])
    for table in ("table2", "table3", "table4"):
        assert got[table] == truth[table], table


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.stem)
def test_html_rendering(truth_path, encoding, tmp_path):
    truth = load_truth(truth_path)
    path = tmp_path / "report.html"
    render_html(Sample(truth), path, encoding)
    got = extract_file(path)
    _expect_same(truth, got)
    assert got["report"]["source_format"] == "html"
    assert {"table", "row", "col"} <= set(got["cells"][0]["prov"])


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.stem)
def test_docx_template_rendering(truth_path, tmp_path):
    truth = load_truth(truth_path)
    if truth["report"]["format_version"] != "gb2021" or "out_other_misc" not in truth["table3"]:
        pytest.skip("the blank template is the gb2021 form")
    path = tmp_path / "report.docx"
    render_docx(Sample(truth), path)
    _expect_same(truth, extract_file(path))


def test_html_blank_cell_is_null_and_flagged(tmp_path):
    truth = load_truth(TRUTHS[0])
    path = tmp_path / "blank.html"
    render_html(Sample(truth, printed={("table3", "out_granted", "total"): ""}), path)
    got = extract_file(path)
    assert got["table3"]["out_granted"]["total"] is None
    cell = next(c for c in got["cells"] if (c["row"], c["col"]) == ("out_granted", "total"))
    assert cell["flags"] == ["blank"]
    assert got["table3"]["out_granted"]["natural_person"] == truth["table3"]["out_granted"]["natural_person"]


def _docx_with(member: str, content: bytes, compress=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compress) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(member, content)
    return buf.getvalue()


def test_docx_zip_bomb_and_entity_attack_are_refused(tmp_path):
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(_docx_with("word/document.xml", b"<a>" + b"0" * (50 * 1024 * 1024) + b"</a>"))
    lol = tmp_path / "lol.docx"
    lol.write_bytes(
        _docx_with(
            "word/document.xml",
            b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;">]><w:document>&b;</w:document>',
        )
    )
    assert extract_file(bomb)["quarantine_reason"] == "zip_bomb"
    assert extract_file(lol)["quarantine_reason"] == "unsafe_xml"


def test_html_page_chrome_in_a_table_gives_metadata(tmp_path):
    truth = load_truth(TRUTHS[0])
    path = tmp_path / "chrome.html"
    render_html(Sample(truth), path)
    chrome = (
        "<table><tr><td>索引号：</td><td>11410881MB1234567X/2023-00012</td><td>发布机构：</td><td>办公室</td></tr>"
        "<tr><td>发布日期：</td><td>2023年1月20日</td><td>文号：</td><td></td></tr></table>"
    )
    path.write_text(path.read_text(encoding="utf-8").replace("<p>索引号：</p>", chrome), encoding="utf-8")
    got = extract_file(path)
    assert got["report"]["index_no"] == "11410881MB1234567X/2023-00012"
    assert got["report"]["published_date"] == "2023-01-20"
    assert got["table3"] == truth["table3"]
