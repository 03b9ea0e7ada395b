"""The snapshot analysts read: Parquet files and a reader DuckDB file, switched in after each refresh."""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from ..publish import publish
from .checks import dq_alerts, dq_report, dq_rule_results
from .dbt import ogi_dbt_models
from .resources import WRITER_POOL, Warehouse


@dg.asset(
    deps=[get_asset_key_for_model([ogi_dbt_models], "mart_agency_year"), dq_rule_results, dq_alerts, dq_report],
    pool=WRITER_POOL,
    group_name="published",
    kinds={"parquet", "duckdb"},
    description="Marts, facts, dimensions and data-quality tables as Parquet in a new snapshot folder "
    "(published/current), with published/<warehouse>.duckdb holding views over them; readers never "
    "open the warehouse file, so they never block a refresh.",
)
def published_snapshot(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    with warehouse.connect(read_only=True) as con:
        done = publish(con, warehouse.file())
    unchanged = len(done["reused"])
    context.log.info(f"published {done['tables']} tables ({unchanged} unchanged, linked) to {done['snapshot']}")
    if done["unlinked"]:
        context.log.warning(
            f"{done['unlinked']} unchanged Parquet parts were written again, not linked: the file system of "
            f"{done['snapshot']} does not allow hard links (or the previous snapshot's files were removed); "
            "without links every refresh rewrites the whole snapshot"
        )
    metadata = {"snapshot": dg.MetadataValue.path(done["snapshot"]), "tables": done["tables"], "unchanged": unchanged}
    metadata["parts written again"] = done["unlinked"]
    return dg.MaterializeResult(metadata={**metadata, **done["rows"]})
