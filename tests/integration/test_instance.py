"""With DAGSTER_HOME set, `ogi refresh` (cron, CI) records its run, materializations and check
results in that instance, so the UI shows them; a rule that could be judged on no report is not
reported as passed."""

import shutil

import dagster as dg

from tests.conftest import SAMPLES, run_ogi


def test_a_headless_refresh_is_recorded_in_the_instance_and_checks_are_honest(tmp_path, monkeypatch):
    landing, home = tmp_path / "landing", tmp_path / "dagster_home"
    landing.mkdir()
    shutil.copy(SAMPLES / "000_7e78f6154f3411bd.txt", landing)
    proc = run_ogi(
        "refresh", "--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb"), env={"DAGSTER_HOME": str(home)}
    )
    assert proc.returncode == 0, proc.stderr

    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        [run] = instance.get_runs()
        assert run.job_name == "refresh" and run.status == dg.DagsterRunStatus.SUCCESS
        for key in (["raw", "reports"], ["marts", "mart_agency_year"], ["published_snapshot"]):
            assert instance.get_latest_materialization_event(dg.AssetKey(key)) is not None, key
        checks = {
            e.dagster_event.event_specific_data.check_name: e.dagster_event.event_specific_data
            for e in instance.all_logs(run.run_id)
            if e.dagster_event and e.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"
        }
    assert checks["R01_t3_balance_per_column"].passed  # judged, and it holds
    # R14 is never evaluated and R04 has no subtotal rows to check in this report: not green
    for rule in ("R14_narrative_outcome_breakdown", "R04_t3_group_subtotal"):
        assert not checks[rule].passed and checks[rule].severity == dg.AssetCheckSeverity.WARN
        assert "not assessable on any report" in checks[rule].description
