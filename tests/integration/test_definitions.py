"""The Dagster code location loads and shows one connected graph: landing -> raw -> dbt -> checks."""

import dagster as dg

from dagster_project.definitions import defs
from expectations.catalogue import rules


def test_asset_graph_is_connected_from_landing_to_checks():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {
        "landing_files",
        "raw/reports",
        "raw/cells",
        "staging/stg_reports",
        "marts/fct_requests",
        "marts/mart_agency_year",
        "dq_rule_results",
    } <= keys
    # lineage: raw tables are the dbt sources, so the graph is one picture
    assert dg.AssetKey(["raw", "cells"]) in graph.get(dg.AssetKey(["staging", "stg_cells"])).parent_keys
    assert dg.AssetKey("landing_files") in graph.get(dg.AssetKey(["raw", "reports"])).parent_keys
    upstream = graph.get(dg.AssetKey("dq_rule_results")).parent_keys
    assert dg.AssetKey(["intermediate", "int_rule_operands"]) in upstream


def test_marts_show_their_columns_with_types_and_descriptions():
    [spec] = [s for s in defs.resolve_all_asset_specs() if s.key == dg.AssetKey(["marts", "fct_requests"])]
    columns = {c.name: c for c in spec.metadata["dagster/column_schema"].columns}
    assert columns["report_id"].type == "varchar" and "SHA-256" in columns["report_id"].description
    assert all(c.type != "unknown" and c.description for c in columns.values())
    # analysts are told how fresh the marts should be: a warning after a missed night, a failure after two
    assert spec.freshness_policy.warn_window.to_timedelta().total_seconds() == 26 * 3600


def test_checks_cover_the_rules_and_dbt_tests():
    graph = defs.resolve_asset_graph()
    checks = {k.name for k in graph.asset_check_keys}
    assert {r.id for r in rules()} <= checks
    assert any(name.startswith("unique_") for name in checks)  # dbt tests as asset checks


def test_refresh_job_schedule_and_sensor_exist():
    assert defs.resolve_job_def("refresh") is not None
    assert defs.get_schedule_def("nightly_refresh").cron_schedule == "0 3 * * *"
    assert defs.get_sensor_def("landing_folder_sensor") is not None
    assert defs.get_schedule_def("weekly_fetch").cron_schedule == "0 2 * * 1"
    # the weekly full refresh asks the raw step and dbt to rebuild, in config the job accepts
    tick = defs.get_schedule_def("weekly_full_refresh").evaluate_tick(dg.build_schedule_context())
    run_config = tick.run_requests[0].run_config
    dg.validate_run_config(defs.resolve_job_def("refresh"), run_config)
    assert run_config["ops"]["raw_tables"]["config"]["full"] is True
    assert run_config["ops"]["ogi_dbt_models"]["config"]["full_refresh"] is True
    graph = defs.resolve_asset_graph()
    assert dg.AssetKey("fetched_reports") in graph.get(dg.AssetKey("landing_files")).parent_keys
    refresh_keys = defs.resolve_job_def("refresh").asset_layer.executable_asset_keys
    assert dg.AssetKey("fetched_reports") not in refresh_keys  # a refresh never goes to the network


def test_a_failed_run_is_alerted_through_the_finding_sinks(tmp_path, monkeypatch):
    import json

    from dagster_project.defs.automation import run_failure_alert

    alerts = tmp_path / "alerts.jsonl"
    monkeypatch.setenv("OGI_ALERTS", str(alerts))

    @dg.op
    def breaks():
        raise RuntimeError("the warehouse file is read-only")

    @dg.job
    def refresh():
        breaks()

    with dg.DagsterInstance.ephemeral() as instance:
        result = refresh.execute_in_process(instance=instance, raise_on_error=False)
        failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
        context = dg.build_run_status_sensor_context(
            sensor_name="run_failure_alert",
            dagster_event=failure,
            dagster_instance=instance,
            dagster_run=result.dagster_run,
        ).for_run_failure()
        run_failure_alert(context)
    [alert] = [json.loads(line) for line in alerts.read_text(encoding="utf-8").splitlines()]
    assert alert["rule_id"] == "run_failure" and alert["run_id"] == result.run_id
    assert "refresh 运行失败" in alert["title"] and "read-only" in alert["text"] + json.dumps(alert)


def test_every_asset_has_the_owners_of_its_group():
    specs = list(defs.resolve_all_asset_specs())
    owners = {s.key.to_user_string(): s.owners for s in specs}
    assert owners["raw/cells"] == ["team:extraction"]
    assert owners["marts/fct_requests"] == ["team:warehouse"]
    assert owners["dq_rule_results"] == ["team:data-quality"]
    assert all(s.owners for s in specs), [s.key for s in specs if not s.owners]
