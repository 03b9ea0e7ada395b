"""Scans read by OCR: generated reports rasterised at 150 dpi, turned by up to 1°, with grain and
JPEG artefacts, as an image-only PDF, a multi-page TIFF and page pictures pasted into Word and into
a web page. Every
OCR'd cell says so and carries its confidence; a scan is ok only when the form's hard rules hold
on what was read."""

import json

import pytest

from bench.generate import PICTURE_SHAPES, SCAN_SHAPES, generate
from extract.evaluate import Score, compare
from extract.report import extract_file


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("scans")
    generate(out, len(SCAN_SHAPES + PICTURE_SHAPES), seed=20261204, formats=SCAN_SHAPES + PICTURE_SHAPES)
    return out


@pytest.fixture(scope="module")
def scans(generated):
    return [
        (
            json.loads(p.read_text(encoding="utf-8")),
            extract_file(generated / "docs" / json.loads(p.read_text())["file"]),
        )
        for p in sorted((generated / "truth").glob("*.json"))
    ]


def test_scans_are_read_by_ocr_and_never_silently_wrong(scans):
    score = Score()
    for truth, got in scans:
        assert got["report"]["layout"] == "ocr" and got["report"]["source_format"] in ("pdf", "image", "docx", "html")
        assert got["report"]["agency"] == truth["report"]["agency"]
        compare(truth, got, score)
    assert score.silent_errors == 0
    assert score.cells_right / score.cells >= 0.99


def test_every_ocr_cell_is_flagged_with_its_confidence(scans):
    for _, got in scans:
        assert got["cells"]
        for cell in got["cells"]:
            assert "ocr" in cell["flags"] and 0 <= cell["confidence"] <= 1 and cell["prov"]["page"] >= 1
        verdict = [i for i in got["issues"] if i["code"] in ("ocr_verified", "ocr_unverified")]
        assert len(verdict) == 1
        assert (got["status"] == "ok") == (verdict[0]["code"] == "ocr_verified")


def test_a_refresh_of_scans_printed_pdfs_and_legacy_files_accounts_for_every_file(generated, tmp_path):
    """A landing folder as a county site gives it: scans, a web page printed to PDF by LibreOffice,
    a .doc, a web page and a damaged file; each is in the warehouse with its source format, how it
    was read and its status, or quarantined with a reason."""
    import shutil

    import duckdb

    from tests.conftest import SAMPLES, run_ogi

    landing = tmp_path / "landing"
    landing.mkdir()
    for scan in [*(generated / "docs").glob("*.pdf"), *(generated / "docs").glob("*.docx")]:
        shutil.copy(scan, landing)  # the TIFF is left out: two scans keep both workers busy once
    generate(tmp_path / "more", 2, seed=20261205, formats=("pdf_lo", "doc"))
    for path in (tmp_path / "more" / "docs").iterdir():
        shutil.copy(path, landing)
    shutil.copy(SAMPLES / "pingtan-2025.html", landing)
    (landing / "broken.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    proc = run_ogi("refresh", "--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb"))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        raw = con.execute("select file_name, status, quarantine_reason from raw.reports").fetchall()
        shown = con.execute(
            "select r.file_name, d.source_format, d.layout, d.extraction_status "
            "from marts.dim_report d join raw.reports r using (report_id)"
        ).fetchall()
    assert sorted(name for name, _, _ in raw) == sorted(p.name for p in landing.iterdir())  # each file, once
    assert [(name, reason) for name, status, reason in raw if status == "quarantined"] == [("broken.pdf", "corrupt")]
    read_as = sorted(f"{fmt}/{layout}" for name, fmt, layout, _ in shown if name != "broken.pdf")
    expected = ["pdf/ocr", "docx/ocr", "pdf/pdf_grid", "doc/converted_docx", "html/html_table"]
    assert read_as == sorted(expected)
    assert all(status in ("ok", "flagged") for name, _, _, status in shown if name != "broken.pdf")
