"""The read path: analysts read the published snapshot (Parquet + a reader DuckDB file), so an open
session never blocks a refresh and a refresh never breaks an open session; a refresh that cannot
write the warehouse says why in one line and exits 3; the tables export as CSV."""

import json
import shutil
import subprocess
import sys
import time

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from tests.conftest import SAMPLES, run_ogi

FIRST = ("000_7e78f6154f3411bd.txt", "002_f6b3b7a6d887a97c.txt")
LATER = "004_8146d103d9127068.txt"


def test_an_open_reader_session_never_blocks_a_refresh_and_keeps_its_snapshot(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    for name in FIRST:
        shutil.copy(SAMPLES / name, landing)
    warehouse = tmp_path / "w.duckdb"
    args = ["refresh", "--landing", str(landing), "--warehouse", str(warehouse)]
    assert run_ogi(*args).returncode == 0
    reader = tmp_path / "published" / "w.duckdb"

    session = duckdb.connect(str(reader), read_only=True)  # an analyst's notebook, left open
    assert session.execute("select count(*) from dim_report").fetchone()[0] == 2

    shutil.copy(SAMPLES / LATER, landing)
    second = run_ogi(*args)
    assert second.returncode == 0, second.stderr
    assert session.execute("select count(*) from dim_report").fetchone()[0] == 2  # the snapshot it opened
    # a new session (another process; within one process DuckDB hands out the open instance again)
    count = "import duckdb, sys; print(duckdb.connect(sys.argv[1], read_only=True).sql('from dim_report').shape[0])"
    fresh = subprocess.run([sys.executable, "-c", count, str(reader)], capture_output=True, text=True, check=True)
    assert fresh.stdout.strip() == "3"
    session.close()

    current = tmp_path / "published" / "current"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for schema, table in (
            ("marts", "dim_report"),
            ("marts", "fct_requests"),
            ("marts", "fct_disposals"),
            ("marts", "mart_agency_year"),
            ("main", "dq_rule_results"),
        ):
            rows = con.execute(f"select count(*) from {schema}.{table}").fetchone()[0]
            assert rows > 0
            assert pq.read_table(current / f"{table}.parquet").num_rows == rows, table
            assert len(pd.read_parquet(current / f"{table}.parquet")) == rows, table

    out = tmp_path / "csv"
    export = run_ogi("export", "--warehouse", str(warehouse), "--out", str(out), "--csv", "--bom")
    assert export.returncode == 0, export.stderr
    data = (out / "dim_report.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert len(pd.read_csv(out / "dim_report.csv", encoding="utf-8-sig")) == 3


def test_a_refresh_that_cannot_write_the_warehouse_says_so_in_one_line(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    shutil.copy(SAMPLES / FIRST[0], landing)
    warehouse = tmp_path / "w.duckdb"
    args = ["refresh", "--landing", str(landing), "--warehouse", str(warehouse)]
    duckdb.connect(str(warehouse)).close()  # a warehouse file (empty will do)
    # another process opens the warehouse file itself (not the published reader)
    hold = (
        "import duckdb, sys, time\n"
        "while True:\n"
        "    try:\n"
        "        c = duckdb.connect(sys.argv[1]); break\n"
        "    except duckdb.IOException:\n"  # the test's own probe held it for a moment
        "        time.sleep(0.05)\n"
        "sys.stdin.read()\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", hold, str(warehouse)], stdin=subprocess.PIPE)
    try:
        for _ in range(200):  # until it holds the file
            try:
                duckdb.connect(str(warehouse), read_only=True).close()
                time.sleep(0.05)
            except duckdb.IOException:
                break
        else:
            raise AssertionError("the other process never opened the warehouse")
        blocked = run_ogi(*args)
    finally:
        holder.communicate(b"")
    assert blocked.returncode == 3
    lines = [ln for ln in blocked.stderr.splitlines() if "open in another process" in ln]
    assert len(lines) == 1 and f"PID {holder.pid}" in lines[0] and "Traceback" not in blocked.stderr


def test_a_table_that_did_not_change_is_linked_not_copied_again(tmp_path, monkeypatch):
    from dagster_project import publish as published

    monkeypatch.setattr(published, "PART_ROWS", 500)  # "large" from 500 rows: split into parts
    monkeypatch.setitem(published.WRITTEN_AT, "written", "built_at")
    warehouse = tmp_path / "w.duckdb"
    current = published.current_path(warehouse)

    def inodes(table: str) -> dict[str, int]:
        return {p.name: p.stat().st_ino for p in (current / f"{table}.parquet").iterdir()}

    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.same as select range as i, 'x' || range as s from range(100)")
        # a snapshot written before fingerprints had parts: not understood, so everything is written
        current.parent.mkdir(parents=True)
        (current.parent / "old").mkdir()
        (current.parent / "old" / published.FINGERPRINTS).write_text('{"same": "[]|100|7"}')
        current.symlink_to("old")
        con.execute("create table marts.large as select range as i, 'x' || range as s from range(5000)")
        con.execute("create table marts.by_report as select range % 300 as report_id, range as i from range(3000)")
        con.execute("create table marts.retyped as select range::int as i from range(10)")
        # rows that keep when they were written: compared by report and that time, not by content
        written = "select range % 300 as report_id, range as i, timestamp '2026-01-01' as built_at from range(3000)"
        con.execute(f"create table marts.written as {written}")
        first = published.publish(con, warehouse)
        assert first["reused"] == []
        before = {t: inodes(t) for t in ("same", "large", "retyped", "by_report", "written")}
        assert len(before["large"]) == published.PARTS and len(before["same"]) == 1

        con.execute("insert into marts.large values (5000, 'new')")
        con.execute("update marts.large set s = 'changed' where i = 3")  # one row moves to another part
        con.execute("alter table marts.retyped alter i type bigint")  # same values, other type
        con.execute("insert into marts.by_report select 300, range from range(10)")  # a new report's rows
        con.execute("delete from marts.written where report_id = 7")  # a report built again
        con.execute("insert into marts.written select 7, -range, timestamp '2026-02-01' from range(10)")
        second = published.publish(con, warehouse)
    assert second["reused"] == ["same"]
    assert inodes("same") == before["same"]
    after = inodes("large")
    rewritten = [p for p in after if after[p] != before["large"][p]]
    assert 1 <= len(rewritten) <= 3  # the parts of the new row and of the changed row's old and new hash
    after = inodes("by_report")
    assert len([p for p in after if after[p] != before["by_report"].get(p)]) == 1  # a report is in one part
    assert len(pd.read_parquet(current / "by_report.parquet")) == 3010
    after = inodes("written")
    assert len([p for p in after if after[p] != before["written"].get(p)]) == 1
    rebuilt = pd.read_parquet(current / "written.parquet").query("report_id == 7")
    assert sorted(rebuilt.i) == list(range(-9, 1))
    fingerprints = json.loads((current / published.FINGERPRINTS).read_text())
    assert fingerprints["written"]["hashed"] == "report_id, built_at"
    assert fingerprints["by_report"]["hashed"] == published.ROW  # no such column: every row hashed
    large = pd.read_parquet(current / "large.parquet")
    assert len(large) == 5001 and set(large.loc[large.i == 3, "s"]) == {"changed"} and 5000 in set(large.i)
    assert str(pq.read_table(current / "retyped.parquet").schema.field("i").type) == "int64"
    assert pq.read_table(current / "same.parquet").num_rows == 100
    with duckdb.connect(str(published.reader_path(warehouse)), read_only=True) as reader:
        assert reader.execute("select count(*), count(distinct i) from large").fetchone() == (5001, 5001)
    assert first["unlinked"] == second["unlinked"] == 0

    def no_links(*_):
        raise OSError(1, "Operation not permitted")  # a file system without hard links

    monkeypatch.setattr(published.os, "link", no_links)
    with duckdb.connect(str(warehouse)) as con:
        third = published.publish(con, warehouse)
    assert third["reused"] == [] and third["unlinked"] == 1 + published.PARTS * 3 + 1  # said, not silent
    assert len(pd.read_parquet(current / "large.parquet")) == 5001  # and the snapshot is whole
