"""A web page that shows its report as pictures: pictures embedded as data: URIs are read by OCR
where they stand, also inside a layout table; a damaged or small picture is skipped, never the page."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from extract.readers.html import read_html

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
LINE = "三、收到和处理政府信息公开申请情况"


def _png(size=(900, 420), text: str | None = LINE) -> bytes:
    image = Image.new("L", size, 255)
    if text:
        ImageDraw.Draw(image).text((40, 180), text, font=ImageFont.truetype(str(FONT), 36), fill=0)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _uri(data: bytes, mark: str = "base64") -> str:
    return f"data:image/png;{mark},{base64.b64encode(data).decode()}"


@pytest.mark.skipif(not FONT.exists(), reason="no font to draw the picture with: make install")
def test_a_picture_in_a_layout_table_is_read_where_it_stands():
    damaged = _png()[:400]  # a truncated file: its header says 900×420
    page = (
        "<html><body><p>某局2024年政府信息公开工作年度报告</p><table><tr><td>"
        f'<img src="{_uri(_png(text=None), "BASE64")}"><img src="{_uri(_png())}">'
        f'<img src="{_uri(damaged)}"><img src="{_uri(_png((120, 40), "徽标"))}">'
        "</td></tr></table><p>六、其他需要报告的事项</p></body></html>"
    )
    doc = read_html(page.encode())
    texts = [line.text for line in doc.lines]
    assert doc.layout == "ocr"
    assert not any("\u2063" in t for t in texts)  # no placeholder left in a table cell
    found = next(i for i, t in enumerate(texts) if "".join(t.split()) == LINE)
    assert texts.index("某局2024年政府信息公开工作年度报告") < found < texts.index("六、其他需要报告的事项")
    assert "徽标" not in "".join(texts)  # a logo is no table


def test_a_page_with_its_tables_as_text_does_not_read_its_pictures():
    page = f'<html><body><p>一、本年新收政府信息公开申请数量</p><img src="{_uri(_png())}"></body></html>'
    doc = read_html(page.encode())
    assert doc.layout == "html_table" and LINE not in "".join(line.text for line in doc.lines)
