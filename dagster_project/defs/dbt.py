"""dbt models as Dagster assets; dbt tests surface as asset checks."""

import queue
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
from dagster_dbt.asset_utils import get_manifest_and_translator_from_dbt_assets
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

from .resources import WRITER_POOL, dbt_project

REFRESH_TARGET = Path("target/refresh")  # relative to the dbt project


class DbtBuildConfig(dg.Config):
    """``full_refresh``: rebuild the incremental models from scratch (after a change to their SQL)
    and test every row."""

    full_refresh: bool = False


class LayeredTranslator(DagsterDbtTranslator):
    """dbt models grouped by their layer (staging, intermediate, marts; seeds: reference), as the
    dbt folders and schemas are; keys are schema/name (dbt_project.yml sets a schema per layer)."""

    def get_asset_spec(self, manifest, unique_id, project):
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest.get("nodes", {}).get(unique_id)
        if node is None or node["resource_type"] not in ("model", "seed"):
            return spec
        layer = "reference" if node["resource_type"] == "seed" else node["fqn"][1]
        return spec.replace_attributes(group_name=layer)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    pool=WRITER_POOL,
    dagster_dbt_translator=LayeredTranslator(),
)
def ogi_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig):
    # the large tables' tests read only the rows this build adds (dbt/macros/test_window.sql)
    args = ["build", "--vars", "{test_new_rows_only: true}"]
    if config.full_refresh:
        args.append("--full-refresh")
    context.log.info(f"dbt {' '.join(args)}")
    # one target folder for every refresh (one runs at a time): dbt's partial-parse state carries
    # over, and per-run artifact folders do not pile up
    if context.is_subset:  # dagster-dbt turns a selection in the UI into dbt's --select
        yield from dbt.cli(args, context=context, target_path=REFRESH_TARGET).stream()
    else:
        yield from build_in_process(context, args)


# the events dagster-dbt turns into Dagster events (DbtCoreCliEventMessage.is_result_event), named
# here so that the others are dropped before being converted to dicts
RESULT_EVENTS = {"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"}


def build_in_process(context: dg.AssetExecutionContext, args: list[str]) -> Iterator:
    """``dbt <args>`` in this process, its node results turned into Dagster events as they come.
    dbt as a subprocess first imports itself and loads its parsed project, ~3 s of a refresh that
    adds one report to a national warehouse. The event conversion is dagster-dbt's own (its
    internals, hence the exact pin of dagster-dbt)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner
    from dbt_common.events.functions import msg_to_dict

    manifest, translator, project = get_manifest_and_translator_from_dbt_assets([context.assets_def])
    target = str(Path(project.project_dir) / REFRESH_TARGET)
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
    errors = []
    while (raw := events.get()) is not finished:
        if raw["info"]["level"] == "error":
            errors.append(raw["info"]["msg"])
        event = DbtCoreCliEventMessage(raw_event=raw, event_history_metadata={})
        yield from event.to_default_asset_events(
            manifest=manifest, dagster_dbt_translator=translator, context=context, project=project
        )
    result = outcome.get("result")
    if result is None or not result.success:
        cause = "\n".join(errors) or str(getattr(result, "exception", None) or "see dbt's log above")
        raise dg.Failure(description=f"dbt {' '.join(args)} failed:\n{cause}")
