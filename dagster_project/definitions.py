"""The Dagster code location: `dagster dev` from the project root (workspace.yaml) loads this."""

from pathlib import Path

import dagster as dg
import yaml

from .defs.automation import (
    landing_folder_sensor,
    nightly_refresh,
    refresh_job,
    run_failure_alert,
    weekly_full_refresh,
)
from .defs.checks import dq_alerts, dq_report, dq_rule_results, rule_checks
from .defs.dbt import ogi_dbt_models
from .defs.fetch import fetch_job, fetched_reports, weekly_fetch
from .defs.publish import published_snapshot
from .defs.raw import landing_files, raw_tables
from .defs.resources import Warehouse, dbt_resource

OWNERS_FILE = Path(__file__).resolve().parent.parent / "config" / "owners.yaml"
OWNERS = yaml.safe_load(OWNERS_FILE.read_text(encoding="utf-8"))


def _owned(spec: dg.AssetSpec) -> dg.AssetSpec:
    return spec.replace_attributes(owners=OWNERS.get(spec.group_name, []))


defs = dg.Definitions(
    assets=dg.map_asset_specs(
        _owned,
        [
            fetched_reports,
            landing_files,
            raw_tables,
            ogi_dbt_models,
            dq_rule_results,
            dq_alerts,
            dq_report,
            published_snapshot,
        ],
    ),
    asset_checks=[rule_checks],
    jobs=[refresh_job, fetch_job],
    schedules=[nightly_refresh, weekly_full_refresh, weekly_fetch],
    sensors=[landing_folder_sensor, run_failure_alert],
    resources={"warehouse": Warehouse(), "dbt": dbt_resource()},
)
