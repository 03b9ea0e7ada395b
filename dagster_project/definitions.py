"""The Dagster code location: `dagster dev` from the project root (workspace.yaml) loads this."""

import dagster as dg

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

defs = dg.Definitions(
    assets=[
        fetched_reports,
        landing_files,
        raw_tables,
        ogi_dbt_models,
        dq_rule_results,
        dq_alerts,
        dq_report,
        published_snapshot,
    ],
    asset_checks=[rule_checks],
    jobs=[refresh_job, fetch_job],
    schedules=[nightly_refresh, weekly_full_refresh, weekly_fetch],
    sensors=[landing_folder_sensor, run_failure_alert],
    resources={"warehouse": Warehouse(), "dbt": dbt_resource()},
)
