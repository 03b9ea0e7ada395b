"""Refreshing again does only the new work: unchanged files are not extracted again, a new file
is, the same content under two names is one report with two sources, a deleted file is marked,
and two refreshes of one warehouse never run at once."""

import shutil
import subprocess
import time

import duckdb

from tests.conftest import OGI, ROOT, SAMPLES, run_ogi


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
    assert _query(warehouse, "select count(*) from main.mart_agency_year")[0][0] == 8
