"""Accuracy on generated reports with known truth, spread over HTML (UTF-8, GB18030), DOCX,
PDF (DOCX -> PDF by LibreOffice), tab-separated text, one-cell-per-line text and markdown."""

import json
from collections import Counter

import pytest

from bench.generate import FORMATS, docx_to_pdf, generate, random_truth
from bench.render import Sample, render_docx
from extract.report import extract_file
from tests.conftest import run_ogi

N_REPORTS = 245  # 35 per format


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("generated")
    generate(out, N_REPORTS, seed=20261125)
    return out


def test_generated_corpus_is_read_cell_for_cell(corpus):
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in (corpus / "truth").glob("*.json")]
    by_format = Counter(t["generated_as"] for t in truths)
    assert set(by_format) == set(FORMATS) and min(by_format.values()) >= 30
    assert sum(1 for t in truths if t["report"]["format_version"] == "gb2019") >= 30
    assert sum(1 for t in truths if t.get("blank_cells")) >= 20  # blanks are exercised

    proc = run_ogi("eval", str(corpus / "truth"), str(corpus / "docs"), "--json")
    assert proc.returncode == 0, proc.stderr
    score = json.loads(proc.stdout)
    assert score["reports"] == N_REPORTS and score["cells"] > 40000
    assert score["mismatches"] == []
    assert score["cell_accuracy"] == 1.0 and score["reports_exact"] == N_REPORTS


def test_generated_reports_are_not_flagged(corpus):
    for doc in sorted((corpus / "docs").iterdir())[::7]:
        got = extract_file(doc)
        assert got["status"] == "ok", (doc.name, [i["message"] for i in got["issues"] if i["severity"] != "info"])


def test_number_wrapped_inside_a_pdf_cell_is_read_whole(tmp_path):
    """In the template's narrow 总计 column a 6-digit count wraps onto two text lines; the cell
    grid drawn by the PDF keeps both parts in one cell."""
    import random

    rng = random.Random(5)
    truth = random_truth(rng, "gb2021")
    truth["table3"]["new_received"]["total"] = 123456  # too wide for the template's column
    path = tmp_path / "wrapped.docx"
    render_docx(Sample(truth), path)
    docx_to_pdf([path], tmp_path)
    got = extract_file(tmp_path / "wrapped.pdf")
    assert got["report"]["layout"] == "pdf_grid"
    assert got["table3"]["new_received"] == truth["table3"]["new_received"]
    cell = next(c for c in got["cells"] if (c["row"], c["col"]) == ("new_received", "total"))
    assert cell["raw"] == "123456" and cell["prov"]["page"] >= 1


def test_web_pages_printed_to_pdf_are_read_from_their_grid(tmp_path):
    """Pages printed by LibreOffice (as offices make their attachments) and by Chromium, A4:
    labels wrapped over many lines, numbers wrapped in narrow columns, blank cells absent from
    the text layer, tables and rows cut by page breaks."""
    from bench.generate import PRINTED_SHAPES

    generate(tmp_path, 8, seed=20261203, formats=PRINTED_SHAPES)
    proc = run_ogi("eval", str(tmp_path / "truth"), str(tmp_path / "docs"), "--json")
    score = json.loads(proc.stdout)
    assert score["reports"] == 8 and score["silent_errors"] == 0
    assert score["mismatches"] == [] and score["cell_accuracy"] == 1.0
    got = extract_file(next((tmp_path / "docs").glob("*pdf_lo.pdf")))
    assert got["report"]["layout"] == "pdf_grid"
    assert all(c["prov"]["page"] and len(c["prov"]["bbox"]) == 4 for c in got["cells"])
