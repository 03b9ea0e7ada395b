"""The DOCX reader on a hand-written document.xml: what Word prints is what is read."""

import io
import zipfile

from extract.readers.docx import read_docx

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(body: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", f"<w:document {W}><w:body>{body}</w:body></w:document>")
    return buf.getvalue()


def _p(*runs: str) -> str:
    return "<w:p>" + "".join(runs) + "</w:p>"


def _r(text: str) -> str:
    return f"<w:r><w:t xml:space='preserve'>{text}</w:t></w:r>"


def _tc(text: str, pr: str = "") -> str:
    return f"<w:tc><w:tcPr>{pr}</w:tcPr>{_p(_r(text))}</w:tc>"


def test_paragraph_text_keeps_inserted_and_linked_runs_and_drops_deleted_ones():
    body = _p(
        _r("本年"),
        "<w:ins><w:r><w:t>新收</w:t></w:r></w:ins>",
        "<w:del><w:r><w:delText>旧</w:delText></w:r></w:del>",
        "<w:hyperlink><w:r><w:t>申请</w:t></w:r></w:hyperlink>",
        "<w:r><w:tab/><w:t>12</w:t><w:br/><w:t>件</w:t></w:r>",
    )
    doc = read_docx(_docx(body))
    assert [line.text for line in doc.lines] == ["本年新收申请\t12", "件"]
    assert doc.lines[1].prov == {"paragraph": 1, "part": 1}


def test_merged_cells_are_listed_once_at_their_first_grid_column():
    row1 = "<w:tr>" + _tc("项目", "<w:gridSpan w:val='2'/>") + _tc("自然人", "<w:vMerge w:val='restart'/>") + "</w:tr>"
    row2 = "<w:tr>" + _tc("一", "") + _tc("二", "") + _tc("", "<w:vMerge/>") + "</w:tr>"
    doc = read_docx(_docx(f"<w:tbl>{row1}{row2}</w:tbl>"))
    assert [line.text for line in doc.lines] == ["项目\t自然人", "一\t二"]
    cols = [(t.text, t.prov["row"], t.prov["col"]) for t in doc.tokens]
    assert cols == [("项目", 0, 0), ("自然人", 0, 2), ("一", 1, 0), ("二", 1, 1)]


def test_blocks_inside_content_controls_are_read_in_order():
    sdt = f"<w:sdt><w:sdtPr/><w:sdtContent>{_p(_r('第二段'))}</w:sdtContent></w:sdt>"
    doc = read_docx(_docx(_p(_r("第一段")) + sdt + _p(_r("第三段"))))
    assert [line.text for line in doc.lines] == ["第一段", "第二段", "第三段"]
