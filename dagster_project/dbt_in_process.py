"""dbt run inside the Dagster process, its node results turned into Dagster events (given to
Dagster when dbt is done, with the tables' row counts). dbt as a subprocess first imports itself
and loads its parsed project, ~3 s of a refresh that adds one report to a national warehouse.
This module is the only place that uses dagster-dbt and dbt below their public API (the event
conversion of dagster-dbt, dbt's event dicts); tests/unit/test_dbt_in_process.py fails on an
upgrade that changes them."""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Iterator

import dagster as dg
import duckdb
from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

from runtime.settings import connect_warehouse, dbt_target_path, warehouse_path

# the events dagster-dbt turns into Dagster events (DbtCoreCliEventMessage.is_result_event), named
# here so that the others are dropped before being converted to dicts
RESULT_EVENTS = {"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"}


def build_in_process(context: dg.AssetExecutionContext, args: list[str]) -> Iterator:
    """``dbt <args>`` in this process, its node results turned into Dagster events (the
    conversion is dagster-dbt's own)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import msg_to_dict

    manifest, translator, project = get_manifest_and_translator_from_dbt_assets([context.assets_def])
    target = str(dbt_target_path())
    flags = [
        "--project-dir",
        str(project.project_dir),
        "--profiles-dir",
        str(project.profiles_dir),
        "--target-path",
        target,
        "--log-path",
        target,
        "--no-send-anonymous-usage-stats",
        *([] if sys.stdout.isatty() else ["--no-use-colors"]),  # no escape codes in cron logs and the UI
    ]
    events: queue.Queue = queue.Queue()
    finished = object()
    outcome = {}

    def keep(msg) -> None:  # dbt fires thousands of events; results and errors are what matter
        if msg.info.name in RESULT_EVENTS or msg.info.level == "error":
            events.put(msg_to_dict(msg))

    def run() -> None:
        try:
            outcome["result"] = dbtRunner(callbacks=[keep]).invoke([*args, *flags])
        finally:
            # dbt-duckdb keeps its connection for the life of the process; the next steps open the
            # warehouse with their own settings, which DuckDB refuses while it is open
            DuckDBConnectionManager.close_all_connections()
            events.put(finished)

    threading.Thread(target=run, name="dbt", daemon=True).start()
    errors, converted = [], []
    while (raw := events.get()) is not finished:
        if raw["info"]["level"] == "error":
            errors.append(raw["info"]["msg"])
        event = DbtCoreCliEventMessage(raw_event=raw, event_history_metadata={})
        converted += event.to_default_asset_events(
            manifest=manifest, dagster_dbt_translator=translator, context=context, project=project
        )
    # row counts once dbt has let go of the warehouse (DuckDB allows one writer at a time)
    yield from with_row_counts(converted, manifest)
    result = outcome.get("result")
    if result is None or not result.success:
        cause = "\n".join(errors) or str(getattr(result, "exception", None) or "see dbt's log above")
        raise dg.Failure(description=f"dbt {' '.join(args)} failed:\n{cause}")


def _unique_id(event) -> str | None:
    value = (getattr(event, "metadata", None) or {}).get("unique_id")
    return None if value is None else value.value


def with_row_counts(events: list, manifest: dict) -> Iterator:
    """The events, each model materialization of a table carrying ``dagster/row_count``: one
    count per table, which DuckDB answers from its row-group statistics (views are not counted:
    that would run them)."""
    tables = {}
    for e in events:
        node = manifest["nodes"].get(_unique_id(e) or "")
        if node and node["resource_type"] == "model" and node["config"]["materialized"] in ("table", "incremental"):
            tables[node["unique_id"]] = f'"{node["schema"]}"."{node["alias"]}"'
    counts = {}
    if tables:
        query = " union all ".join(f"select '{uid}', count(*) from {rel}" for uid, rel in tables.items())
        try:
            with connect_warehouse(warehouse_path(), read_only=True) as con:
                counts = dict(con.execute(query).fetchall())
        except duckdb.Error:  # a table dbt failed to build: its materialization has no count, dbt's error stands
            pass
    for e in events:
        n = counts.get(_unique_id(e) or "")
        yield e if n is None else e.with_metadata({**e.metadata, "dagster/row_count": n})
