"""The stroke tests that tell an NA mark from a digit in a scanned cell, on glyphs drawn with the
fonts reports are printed in (fonts-wqy-zenhei, which `make install` installs; DejaVu Sans as a
second face), at the sizes a 150 dpi scan gives them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extract.readers import ocr

FACES = ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONTS = [p for p in FACES if Path(p).exists()]


def _ink(ch: str, font: str, size: int) -> np.ndarray:
    image = Image.new("L", (3 * size, 2 * size), 255)
    ImageDraw.Draw(image).text((size // 2, size // 4), ch, font=ImageFont.truetype(font, size), fill=0)
    dark = np.asarray(image) < 128
    rows, cols = np.nonzero(dark.any(axis=1))[0], np.nonzero(dark.any(axis=0))[0]
    return dark[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


@pytest.mark.skipif(not FONTS, reason="no font to draw glyphs with: make install")
@pytest.mark.parametrize("size", [18, 22, 26, 30])
def test_only_a_slash_is_a_slash(size):
    for font in FONTS:
        assert ocr._is_slash(_ink("/", font, size)), (font, size)
        for digit in "0123456789":
            assert not ocr._is_slash(_ink(digit, font, size)), (digit, font, size)
