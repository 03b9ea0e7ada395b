"""The refresh job, its schedule, and a sensor on the landing folder."""

import hashlib

import dagster as dg

from ..settings import landing_path
from .raw import landing_files_in

refresh_job = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets("fetched_reports"),
    description="Landing files -> raw tables -> dbt models and tests -> rule results and checks.",
)

nightly_refresh = dg.ScheduleDefinition(job=refresh_job, cron_schedule="0 3 * * *", name="nightly_refresh")


@dg.sensor(job=refresh_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED)
def landing_folder_sensor(context: dg.SensorEvaluationContext):
    """Requests a refresh when the set of landing files (names, sizes, mtimes) changes."""
    files = landing_files_in(landing_path())
    state = hashlib.sha256(
        "\n".join(f"{p}|{p.stat().st_size}|{p.stat().st_mtime_ns}" for p in files).encode()
    ).hexdigest()
    if state == context.cursor:
        return dg.SkipReason("no change in the landing folder")
    context.update_cursor(state)
    return dg.RunRequest(run_key=state)
