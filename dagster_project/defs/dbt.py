"""dbt models as Dagster assets; dbt tests surface as asset checks."""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from .resources import WRITER_POOL, dbt_project


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, pool=WRITER_POOL)
def ogi_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(["build"], context=context).stream()
