"""dbt models as Dagster assets; dbt tests surface as asset checks."""

from datetime import timedelta

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from runtime.settings import dbt_target_path

from ..dbt_in_process import build_in_process
from .resources import WRITER_POOL, dbt_project


class DbtBuildConfig(dg.Config):
    """``full_refresh``: rebuild the incremental models from scratch (after a change to their SQL)
    and test every row."""

    full_refresh: bool = False


# what analysts may expect of the marts when the nightly refresh is on: a warning once a night
# is missed, a failure after two (evaluated by the freshness daemon of `dagster dev`)
MARTS_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=48), warn_window=timedelta(hours=26))


class LayeredTranslator(DagsterDbtTranslator):
    """dbt models grouped by their layer (staging, intermediate, marts; seeds: reference), as the
    dbt folders and schemas are; keys are schema/name (dbt_project.yml sets a schema per layer)."""

    def get_asset_spec(self, manifest, unique_id, project):
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest.get("nodes", {}).get(unique_id)
        if node is None or node["resource_type"] not in ("model", "seed"):
            return spec
        layer = "reference" if node["resource_type"] == "seed" else node["fqn"][1]
        columns = [
            dg.TableColumn(c["name"], c.get("data_type") or "unknown", description=c.get("description") or None)
            for c in node.get("columns", {}).values()
        ]
        spec = spec.replace_attributes(group_name=layer)
        if layer == "marts":
            spec = dg.apply_freshness_policy(spec, MARTS_FRESHNESS)
        return spec.merge_attributes(metadata={"dagster/column_schema": dg.TableSchema(columns)}) if columns else spec


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
    # one target folder per warehouse: dbt's partial-parse state carries over, and per-run
    # artifact folders do not pile up
    if context.is_subset:  # dagster-dbt turns a selection in the UI into dbt's --select
        yield from dbt.cli(args, context=context, target_path=dbt_target_path()).stream()
    else:
        yield from build_in_process(context, args)
