"""Extraction equals the hand-made truth, cell for cell, on every sample report."""

import json

import pytest

from extract.evaluate import REPORT_FIELDS, UNREAD_FLAGS
from extract.report import extract_file
from tests.conftest import FIXTURES, document_for, load_truth, run_ogi, truth_files

TRUTHS = truth_files()


def assert_tables_equal_truth(got: dict, truth: dict) -> None:
    """Every cell equals the truth, except cells left null and flagged as unread (a run that
    splits several ways), which only a flagged report may have."""
    unread = {
        (c["table"], c["row"], c["col"]) for c in got["cells"] if c["value"] is None and UNREAD_FLAGS & set(c["flags"])
    }
    for table in ("table2", "table3", "table4"):
        want = {
            row: {col: (None if (table, row, col) in unread else v) for col, v in cols.items()}
            for row, cols in truth[table].items()
        }
        assert got[table] == want, table
    if unread:
        assert got["status"] == "flagged"


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.stem)
def test_extraction_equals_truth(truth_path):
    truth = load_truth(truth_path)
    got = extract_file(document_for(truth_path, truth))
    assert got["status"] in ("ok", "flagged")
    assert {f: got["report"][f] for f in REPORT_FIELDS} == {f: truth["report"][f] for f in REPORT_FIELDS}
    assert_tables_equal_truth(got, truth)


@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda p: p.stem)
def test_every_cell_has_provenance(truth_path):
    truth = load_truth(truth_path)
    got = extract_file(document_for(truth_path, truth))
    n_truth = sum(len(cols) for t in ("table2", "table3", "table4") for cols in truth[t].values())
    assert len(got["cells"]) == n_truth
    for cell in got["cells"]:
        prov = cell["prov"]
        assert (
            ("line" in prov and "offset" in prov)
            or ("page" in prov and prov.get("bbox"))
            or {"table", "row", "col"} <= set(prov)
        ), cell
        assert cell["raw"].strip()


def test_text_provenance_points_at_the_printed_value():
    path = document_for(TRUTHS[0], load_truth(TRUTHS[0]))
    lines = path.read_text(encoding="utf-8").split("\n")
    for cell in extract_file(path)["cells"]:
        line = lines[cell["prov"]["line"] - 1]
        assert line[cell["prov"]["offset"] :].startswith(cell["raw"]), cell


def test_hybrid_layout_keeps_the_printed_row_set():
    got = extract_file(document_for(TRUTHS[0], load_truth(TRUTHS[0])).parent / "hongze-2024.pdf")
    assert "grp_other" in got["table3"] and "out_other_misc" not in got["table3"]
    assert any(i["code"] == "hybrid_format" for i in got["issues"])


def test_garbled_pdf_text_layer_is_quarantined():
    got = extract_file(FIXTURES / "hostile" / "garbled-text-layer.pdf")
    assert got["status"] == "quarantined"
    assert got["quarantine_reason"] == "garbled_text_layer"
    assert got["table3"] == {}


def test_cli_json_lines_equal_truth():
    paths = [str(document_for(p, load_truth(p))) for p in TRUTHS]
    proc = run_ogi("extract", "--json", *paths)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().split("\n")
    assert len(lines) == len(paths)
    for truth_path, line in zip(TRUTHS, lines, strict=True):
        got, truth = json.loads(line), load_truth(truth_path)
        assert set(got) >= {"file", "status", "report", "table2", "table3", "table4", "cells", "issues"}
        assert_tables_equal_truth(got, truth)
        assert got["report"]["source_format"] in ("txt", "pdf", "html")


def test_cli_eval_scores_the_bundled_truth_at_100_percent():
    proc = run_ogi("eval", "data/truth", "data/samples", "--json")
    assert proc.returncode == 0, proc.stderr
    score = json.loads(proc.stdout)
    assert score["cells"] >= 1900 and score["reports"] == len(
        list((FIXTURES.parent.parent / "data" / "truth").glob("*.json"))
    )
    assert score["metadata_right"] == score["metadata_fields"]
    assert score["silent_errors"] == 0
    # the only cells not read are the three 表二 cells of the text dump whose run splits 15 ways
    assert score["cells_flagged_unread"] == 3
    assert score["cells_right"] == score["cells"] - 3
    assert {m["file"] for m in score["mismatches"]} == {"text/pingtan-2025.txt"}


def test_cli_eval_reports_mismatches(tmp_path):
    truth = load_truth(TRUTHS[0])
    truth["table3"]["new_received"]["total"] += 1  # a wrong truth must be caught
    (tmp_path / "t.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    proc = run_ogi("eval", str(tmp_path), "data/samples", "--json", "--min-accuracy", "1")
    assert proc.returncode == 1
    score = json.loads(proc.stdout)
    assert [m["where"] for m in score["mismatches"]] == ["table3.new_received.total"]
