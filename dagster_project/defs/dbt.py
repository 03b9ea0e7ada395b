"""dbt models as Dagster assets; dbt tests surface as asset checks."""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from .resources import WRITER_POOL, dbt_project


class DbtBuildConfig(dg.Config):
    """``full_refresh``: rebuild the incremental models from scratch (after a change to their SQL)."""

    full_refresh: bool = False


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, pool=WRITER_POOL)
def ogi_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig):
    yield from dbt.cli(["build", *(["--full-refresh"] if config.full_refresh else [])], context=context).stream()
