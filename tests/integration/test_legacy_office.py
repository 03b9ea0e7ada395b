"""Legacy Office files (.doc, .wps, .xls, .et) and .xlsx, made by LibreOffice from generated
reports with known truth: converted in a private profile, read cell for cell; without LibreOffice
or past the time limit they are quarantined with a reason that says what to do."""

import json
import os
import shutil

import pytest

from bench.generate import LEGACY_SHAPES, generate
from tests.conftest import run_ogi


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("legacy")
    generate(out, 15, seed=20261202, formats=LEGACY_SHAPES)  # three of each
    return out


def test_legacy_files_are_read_cell_for_cell(corpus):
    proc = run_ogi("eval", str(corpus / "truth"), str(corpus / "docs"), "--json")
    assert proc.returncode == 0, proc.stderr
    score = json.loads(proc.stdout)
    assert score["reports"] == 15 and score["cells"] > 2500
    assert score["mismatches"] == [] and score["reports_by_status"] == {"ok": 15}


def test_the_source_format_and_conversion_are_recorded(corpus):
    docs = sorted((corpus / "docs").iterdir())
    proc = run_ogi("extract", "--json", *map(str, docs))
    got = {json.loads(line)["file"]: json.loads(line) for line in proc.stdout.strip().split("\n")}
    for doc in docs:
        report = got[doc.name]["report"]
        assert report["source_format"] == doc.suffix.lstrip("."), doc.name
        assert report["layout"] == ("spreadsheet" if doc.suffix in (".xlsx", ".xls", ".et") else "converted_docx")


def test_without_libreoffice_the_file_is_quarantined_saying_what_to_install(corpus, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(shutil.which("python3") or "/usr/bin/python3", bin_dir / "python3")
    doc = next((corpus / "docs").glob("*.doc"))
    proc = run_ogi("extract", "--json", str(doc), env={"PATH": str(bin_dir)})
    got = json.loads(proc.stdout)
    assert got["status"] == "quarantined" and got["quarantine_reason"] == "needs_converter"
    assert "apt-get install libreoffice" in got["issues"][0]["message"]


def test_a_conversion_past_its_time_limit_is_stopped_and_quarantined(corpus):
    doc = next((corpus / "docs").glob("*.wps"))
    proc = run_ogi("extract", "--json", str(doc), env={"OGI_CONVERT_TIMEOUT": "0.2"})
    got = json.loads(proc.stdout)
    assert got["quarantine_reason"] == "conversion_timeout"
    assert "Traceback" not in proc.stderr


def test_a_refresh_loads_converted_reports_with_their_source_format(corpus, tmp_path):
    import duckdb

    landing = tmp_path / "landing"
    landing.mkdir()
    for suffix in (".doc", ".xls", ".et"):
        shutil.copy(next((corpus / "docs").glob(f"*{suffix}")), landing)
    proc = run_ogi("refresh", "--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        rows = con.execute("select source_format, layout, extraction_status from marts.dim_report").fetchall()
    assert sorted(rows) == [
        ("doc", "converted_docx", "ok"),
        ("et", "spreadsheet", "ok"),
        ("xls", "spreadsheet", "ok"),
    ]
