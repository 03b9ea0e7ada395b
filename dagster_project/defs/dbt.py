"""dbt models as Dagster assets; dbt tests surface as asset checks."""

import json

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, dbt_assets

from .resources import WRITER_POOL, Warehouse, dbt_project


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
    args = ["build"]
    since = None if config.full_refresh else last_build_watermark(warehouse)
    if config.full_refresh:
        args.append("--full-refresh")
    elif since:
        # the large incremental tables are tested on the reports loaded since (see the models' YAML)
        args += ["--vars", json.dumps({"changed_since": since})]
    context.log.info(f"dbt {' '.join(args)}")
    yield from dbt.cli(args, context=context).stream()
