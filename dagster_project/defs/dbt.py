"""dbt models as Dagster assets; dbt tests surface as asset checks."""

import importlib
import os
import threading
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, dbt_assets

from .resources import WRITER_POOL, Warehouse, dbt_project

CHANGED_SINCE = "OGI_CHANGED_SINCE"
BUILT_AFTER = "OGI_BUILT_AFTER"
REFRESH_TARGET = Path("target/refresh")  # relative to the dbt project
# Set by the headless refresh, whose steps share one process: the rule step after dbt then finds
# Great Expectations (seconds to import) already imported. Under `dagster dev` each step has its
# own process, where the import would be wasted work.
PRELOAD_RULE_ENGINE = False


class DbtBuildConfig(dg.Config):
    """``full_refresh``: rebuild the incremental models from scratch (after a change to their SQL)
    and test every row."""

    full_refresh: bool = False


def last_build_watermarks(warehouse: Warehouse) -> dict[str, str]:
    """What the last build reached: the load time of the newest report it evaluated
    (OGI_CHANGED_SINCE) and when it built the rule operands (OGI_BUILT_AFTER). The YAML of the
    large incremental tables tests only rows past these; "-infinity" (every row) before the
    first build."""
    with warehouse.connect() as con:
        try:
            loaded, built = con.execute(
                "select max(loaded_at), max(built_at) from intermediate.int_rule_operands"
            ).fetchone()
        except duckdb.CatalogException:
            loaded = built = None
    return {
        CHANGED_SINCE: loaded.isoformat(sep=" ") if loaded else "-infinity",
        BUILT_AFTER: built.isoformat(sep=" ") if built else "-infinity",
    }


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, pool=WRITER_POOL)
def ogi_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig, warehouse: Warehouse
):
    args = ["build", "--full-refresh"] if config.full_refresh else ["build"]
    everything = dict.fromkeys((CHANGED_SINCE, BUILT_AFTER), "-infinity")
    marks = everything if config.full_refresh else last_build_watermarks(warehouse)
    # environment variables, not --vars: changed vars make dbt parse the whole project again
    os.environ.update(marks)
    context.log.info(f"dbt {' '.join(args)} ({', '.join(f'{k}={v}' for k, v in marks.items())})")
    if PRELOAD_RULE_ENGINE:  # while this process only waits for dbt's; not earlier, beside the raw step
        threading.Thread(target=importlib.import_module, args=("great_expectations",), daemon=True).start()
    # one target folder for every refresh (one runs at a time): dbt's partial-parse state carries
    # over, and per-run artifact folders do not pile up
    yield from dbt.cli(args, context=context, target_path=REFRESH_TARGET).stream()
