"""Refreshing again does only the new work: unchanged files are not extracted again, a new file
is, the same content under two names is one report with two sources, a deleted file is marked,
and two refreshes of one warehouse never run at once."""

import shutil
import subprocess
import time

import duckdb

from tests.conftest import OGI, ROOT, SAMPLES, TRUTH, run_ogi


def _query(warehouse, sql):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_incremental_refresh(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    for name in ("000_7e78f6154f3411bd.txt", "002_f6b3b7a6d887a97c.txt"):
        shutil.copy(SAMPLES / name, landing)
    warehouse = tmp_path / "w.duckdb"
    args = ["refresh", "--landing", str(landing), "--warehouse", str(warehouse)]

    first = run_ogi(*args)
    assert first.returncode == 0 and "2 to extract, 0 unchanged" in first.stderr

    again = run_ogi(*args)
    assert again.returncode == 0 and "0 to extract, 2 unchanged" in again.stderr

    shutil.copy(SAMPLES / "004_8146d103d9127068.txt", landing)
    shutil.copy(SAMPLES / "000_7e78f6154f3411bd.txt", landing / "same-report-renamed.txt")
    (landing / "002_f6b3b7a6d887a97c.txt").unlink()
    third = run_ogi(*args)
    assert third.returncode == 0 and "1 to extract, 2 unchanged" in third.stderr

    files = {
        name: (sha, present)
        for name, sha, present in _query(warehouse, "select file_name, sha256, present from raw.files")
    }
    assert files["same-report-renamed.txt"][0] == files["000_7e78f6154f3411bd.txt"][0]
    assert files["002_f6b3b7a6d887a97c.txt"][1] is False  # gone from the landing folder: kept, marked
    assert _query(warehouse, "select count(*) from raw.reports")[0][0] == 3

    full = run_ogi(*args, "--full")
    assert full.returncode == 0 and "3 to extract" in full.stderr


def test_two_refreshes_of_one_warehouse_do_not_overlap(tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(SAMPLES, landing)
    warehouse = tmp_path / "w.duckdb"
    args = ["refresh", "--landing", str(landing), "--warehouse", str(warehouse)]
    first = subprocess.Popen([*OGI, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock = warehouse.with_suffix(".duckdb.lock")
    deadline = time.time() + 60
    while not (lock.exists() and lock.read_text().strip()) and time.time() < deadline:
        time.sleep(0.2)
    second = run_ogi(*args, "--wait", "1")
    assert second.returncode == 3
    assert "another refresh" in second.stderr and "Traceback" not in second.stderr
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    third = run_ogi(*args)  # and afterwards the warehouse is intact
    assert third.returncode == 0, third.stderr
    # one row per bundled report (each has a truth file)
    assert _query(warehouse, "select count(*) from marts.mart_agency_year")[0][0] == len(list(TRUTH.glob("*.json")))


# what an incremental warehouse must hold exactly as a warehouse built in one go
COMPARED = {
    "marts.fct_requests": "report_id, applicant_type_key, new_received, carried_over, handled_total, carried_to_next",
    "marts.fct_disposals": "disposal_id, requests, is_blank, is_na_marker",
    "marts.fct_proactive_disclosure": "report_id, item_key, metric_key, value, is_blank, is_na_marker",
    "marts.fct_reviews": "report_id, upheld, corrected, other_result, pending, total",
    "marts.fct_litigation": "report_id, route, total",
    "marts.mart_agency_year": "report_id, agency_name, report_year, requests_new, granted, reviews_total",
    "marts.dim_report": "report_id, agency_name, report_year",
    "intermediate.int_rule_operands": "evaluation_id, lhs, rhs, lhs_blank, rhs_blank, reason",
    "intermediate.int_report_arithmetic": "report_id, breaks_hard_rule, hard_rules_broken",
    "main.dq_rule_results": "evaluation_id, lhs, rhs, status, reason",
}


def _snapshot(warehouse) -> dict[str, list]:
    return {
        table: sorted(_query(warehouse, f"select {cols} from {table}"), key=str) for table, cols in COMPARED.items()
    }


def test_incremental_refreshes_equal_one_full_build(tmp_path):
    """Reports arrive in three rounds, later years before earlier ones, one file changes its
    content and one disappears; the warehouse then equals one built from the final folder."""
    from bench.national import generate_national

    corpus = tmp_path / "corpus"
    mix = {"html": 0.5, "tsv": 0.25, "markdown": 0.25}  # no LibreOffice needed
    docs = generate_national(corpus, 36, seed=21, mix=mix, error_share=0.15)
    landing = tmp_path / "landing"
    landing.mkdir()
    warehouse = tmp_path / "w.duckdb"
    args = ["refresh", "--landing", str(landing), "--warehouse", str(warehouse)]
    for round_ in (2, 1, 0):  # series are written in year order: later years of an agency land first
        for i, doc in enumerate(docs):
            if i % 3 == round_:
                shutil.copy(doc, landing)
        if round_ == 0:
            changed, replacement = landing / docs[1].name, docs[4]  # docs[1] arrived in round 1
            old_sha = _query(warehouse, f"select sha256 from raw.files where file_name = '{changed.name}'")[0][0]
            shutil.copy(replacement, changed)
            (landing / docs[2].name).unlink()
        done = run_ogi(*args)
        assert done.returncode == 0, done.stderr[-3000:]

    new_sha = _query(warehouse, f"select sha256 from raw.files where file_name = '{changed.name}'")[0][0]
    assert new_sha != old_sha
    assert _query(warehouse, f"select superseded_by from raw.reports where report_id = '{old_sha}'") == [(new_sha,)]
    assert not _query(warehouse, f"select 1 from marts.dim_report where report_id = '{old_sha}'")
    gone = _query(
        warehouse,
        "select d.source_present from marts.dim_report d join raw.files f on f.sha256 = d.report_id "
        f"where f.file_name = '{docs[2].name}'",
    )
    assert gone == [(False,)]  # the vanished file's report stays, marked

    # one build from the final folder plus the vanished file (still a report of the warehouse)
    fresh_landing = tmp_path / "fresh"
    shutil.copytree(landing, fresh_landing)
    shutil.copy(docs[2], fresh_landing)
    fresh = tmp_path / "fresh.duckdb"
    built = run_ogi("refresh", "--landing", str(fresh_landing), "--warehouse", str(fresh))
    assert built.returncode == 0, built.stderr[-3000:]
    incremental, full = _snapshot(warehouse), _snapshot(fresh)
    for table in COMPARED:
        assert incremental[table] == full[table], table
    assert len(full["main.dq_rule_results"]) > 36 * 21
