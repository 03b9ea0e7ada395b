"""dbt models as Dagster assets; dbt tests surface as asset checks."""

import os
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, dbt_assets

from .resources import WRITER_POOL, Warehouse, dbt_project

CHANGED_SINCE = "OGI_CHANGED_SINCE"
REFRESH_TARGET = Path("target/refresh")  # relative to the dbt project


class DbtBuildConfig(dg.Config):
    """``full_refresh``: rebuild the incremental models from scratch (after a change to their SQL)
    and test every row."""

    full_refresh: bool = False


def last_build_watermark(warehouse: Warehouse) -> str | None:
    """Load time of the newest report the last build evaluated; None before the first build."""
    with warehouse.connect() as con:
        try:
            value = con.execute("select max(loaded_at) from intermediate.int_rule_operands").fetchone()[0]
        except duckdb.CatalogException:
            return None
    return value.isoformat(sep=" ") if value else None


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, pool=WRITER_POOL)
def ogi_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig, warehouse: Warehouse
):
    args = ["build", "--full-refresh"] if config.full_refresh else ["build"]
    since = None if config.full_refresh else last_build_watermark(warehouse)
    # the large incremental tables are tested on the reports loaded since (see the models' YAML);
    # an environment variable, not --vars: changed vars make dbt parse the whole project again
    os.environ[CHANGED_SINCE] = since or "-infinity"
    context.log.info(f"dbt {' '.join(args)} ({CHANGED_SINCE}={os.environ[CHANGED_SINCE]})")
    # one target folder for every refresh (one runs at a time): dbt's partial-parse state carries
    # over, and per-run artifact folders do not pile up
    yield from dbt.cli(args, context=context, target_path=REFRESH_TARGET).stream()
