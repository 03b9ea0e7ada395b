"""Scans read by OCR: generated reports rasterised at 150 dpi, turned by up to 1°, with grain and
JPEG artefacts, as an image-only PDF and a multi-page TIFF. Every OCR'd cell says so and carries
its confidence; a scan is ok only when the form's hard rules hold on what was read."""

import json

import pytest

from bench.generate import SCAN_SHAPES, generate
from extract.evaluate import Score, compare
from extract.report import extract_file


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    out = tmp_path_factory.mktemp("scans")
    generate(out, 2, seed=20261204, formats=SCAN_SHAPES)
    return [
        (json.loads(p.read_text(encoding="utf-8")), extract_file(out / "docs" / json.loads(p.read_text())["file"]))
        for p in sorted((out / "truth").glob("*.json"))
    ]


def test_scans_are_read_by_ocr_and_never_silently_wrong(scans):
    score = Score()
    for truth, got in scans:
        assert got["report"]["layout"] == "ocr" and got["report"]["source_format"] in ("pdf", "image")
        assert got["report"]["agency"] == truth["report"]["agency"]
        compare(truth, got, score)
    assert score.silent_errors == 0
    assert score.cells_right / score.cells > 0.85


def test_every_ocr_cell_is_flagged_with_its_confidence(scans):
    for _, got in scans:
        assert got["cells"]
        for cell in got["cells"]:
            assert "ocr" in cell["flags"] and 0 <= cell["confidence"] <= 1 and cell["prov"]["page"] >= 1
        verdict = [i for i in got["issues"] if i["code"] in ("ocr_verified", "ocr_unverified")]
        assert len(verdict) == 1
        assert (got["status"] == "ok") == (verdict[0]["code"] == "ocr_verified")
