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


def test_number_wrapped_inside_a_pdf_cell_is_flagged_not_guessed(tmp_path):
    import random

    rng = random.Random(5)
    truth = random_truth(rng, "gb2021")
    truth["table3"]["new_received"]["total"] = 123456  # too wide for the template's column
    path = tmp_path / "wrapped.docx"
    render_docx(Sample(truth), path)
    docx_to_pdf([path], tmp_path)
    got = extract_file(tmp_path / "wrapped.pdf")
    assert got["status"] == "flagged"
    assert "new_received" not in got["table3"]
    assert any(i["code"] == "extra_values" for i in got["issues"])
