"""With DAGSTER_HOME set, `ogi refresh` (cron, CI) records its run, materializations and check
results in that instance, so the UI shows them; a rule that could be judged on no report is not
reported as passed; a rule check fails on findings new since the previous refresh, not on the
standing ones."""

import shutil

import dagster as dg
import duckdb

from tests.conftest import SAMPLES, run_ogi


def test_a_headless_refresh_is_recorded_in_the_instance_and_checks_are_honest(tmp_path, monkeypatch):
    landing, home = tmp_path / "landing", tmp_path / "dagster_home"
    landing.mkdir()
    shutil.copy(SAMPLES / "000_7e78f6154f3411bd.txt", landing)
    args = ("--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb"))
    proc = run_ogi("refresh", *args, env={"DAGSTER_HOME": str(home)})
    assert proc.returncode == 0, proc.stderr

    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        [run] = instance.get_runs()
        assert run.job_name == "refresh" and run.status == dg.DagsterRunStatus.SUCCESS
        for key in (["raw", "reports"], ["marts", "mart_agency_year"], ["published_snapshot"]):
            assert instance.get_latest_materialization_event(dg.AssetKey(key)) is not None, key
        facts = instance.get_latest_materialization_event(dg.AssetKey(["marts", "fct_requests"]))
        shown = facts.asset_materialization.metadata["dagster/row_count"].value
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert shown == con.execute("select count(*) from marts.fct_requests").fetchone()[0] > 0
    with dg.DagsterInstance.from_config(str(home)) as instance:
        checks = _checks(instance, run.run_id)
    assert checks["R01_t3_balance_per_column"].passed  # judged, and it holds
    # R14 is never evaluated and R04 has no subtotal rows to check in this report: not green
    for rule in ("R14_narrative_outcome_breakdown", "R04_t3_group_subtotal"):
        assert not checks[rule].passed and checks[rule].severity == dg.AssetCheckSeverity.WARN
        assert "not assessable on any report" in checks[rule].description

    # a report whose 表三 does not balance arrives: the signal turns on, naming it in the table
    shutil.copy(SAMPLES / "001_65ea80a590272765.txt", landing)
    assert run_ogi("refresh", *args, env={"DAGSTER_HOME": str(home)}).returncode == 0
    r01 = _latest_check(home, "R01_t3_balance_per_column")
    assert not r01.passed and r01.metadata["new_findings"].value == 2
    [row, *_] = r01.metadata["failing"].value.records
    assert row.data["new"] and row.data["file"] == "001_65ea80a590272765.txt"
    assert (row.data["printed"], row.data["expected"]) == (6, 7)
    # nothing new: the same finding stands, and the signal is off
    assert run_ogi("refresh", *args, env={"DAGSTER_HOME": str(home)}).returncode == 0
    r01 = _latest_check(home, "R01_t3_balance_per_column")
    assert r01.passed and r01.metadata["new_findings"].value == 0 and r01.metadata["standing_findings"].value == 2


def _checks(instance, run_id: str) -> dict:
    return {
        e.dagster_event.event_specific_data.check_name: e.dagster_event.event_specific_data
        for e in instance.all_logs(run_id)
        if e.dagster_event and e.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def _latest_check(home, name: str):
    with dg.DagsterInstance.from_config(str(home)) as instance:
        run = instance.get_runs(limit=1)[0]
        assert run.status == dg.DagsterRunStatus.SUCCESS
        return _checks(instance, run.run_id)[name]
