"""The refresh job, its schedules, a sensor on the landing folder and an alert on failed runs."""

import hashlib
import smtplib
from datetime import UTC, datetime

import dagster as dg
import duckdb

from alerting.channels import compose
from alerting.sinks import Sinks, send
from runtime.settings import SCHEDULE_TIMEZONE, alerts_path, landing_path, warehouse_path

from ..raw_load import pending_changes
from ..refresh import cause_of
from .raw import landing_files_in

refresh_job = dg.define_asset_job(
    "refresh",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets("fetched_reports"),
    description="Landing files -> raw tables -> dbt models and tests -> rule results and checks.",
    # one process for the whole run: its steps run one after another anyway (one DuckDB writer),
    # and a process per step costs seconds each to start (measured in the README)
    executor_def=dg.in_process_executor,
)

# every schedule and the landing sensor start stopped: a fresh install neither processes nor
# fetches on its own until an operator turns them on (README); the run-failure alert runs
nightly_refresh = dg.ScheduleDefinition(
    job=refresh_job, cron_schedule="0 3 * * *", name="nightly_refresh", execution_timezone=SCHEDULE_TIMEZONE
)


def refresh_run_config(full: bool, landing: str = "") -> dict:
    """Run config of the refresh job. ``full``: extract every file again and rebuild every dbt
    model; ``landing`` empty means the OGI_LANDING setting."""
    return {
        "ops": {
            "raw_tables": {"config": {"landing": landing, "full": full}},
            "ogi_dbt_models": {"config": {"full_refresh": full}},
        }
    }


# Every file extracted again and every model rebuilt once a week: picks up a new extractor or dbt
# SQL, and repairs what incremental runs cannot see (an alias removed from the reviewed list).
weekly_full_refresh = dg.ScheduleDefinition(
    job=refresh_job,
    cron_schedule="0 4 * * 0",
    name="weekly_full_refresh",
    run_config=refresh_run_config(full=True),
    execution_timezone=SCHEDULE_TIMEZONE,
)


@dg.sensor(job=refresh_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED)
def landing_folder_sensor(context: dg.SensorEvaluationContext):
    """Requests a refresh when the landing folder holds content the warehouse has not extracted
    (new or changed files, by content hash) or a loaded file has gone. Touching a file, or a copy
    of a known report under a new name, starts nothing."""
    folder = landing_path()
    files = landing_files_in(folder)
    warehouse = warehouse_path()
    try:
        if warehouse.exists():
            with duckdb.connect(str(warehouse), read_only=True) as con:
                new, gone = pending_changes(con, folder, files)
        else:
            new, gone = pending_changes(None, folder, files)
    except duckdb.IOException as exc:  # a refresh holds the write lock: look again next time
        return dg.SkipReason(f"warehouse busy: {exc}")
    if not new and not gone:
        return dg.SkipReason(f"{len(files)} landing files, nothing new")
    key = hashlib.sha256("\n".join([*new, *gone]).encode()).hexdigest()
    if key == context.cursor:
        return dg.SkipReason(f"a refresh for {len(new)} new reports and {len(gone)} gone files was requested")
    context.update_cursor(key)
    context.log.info(f"{len(new)} new or changed reports, {len(gone)} files gone: requesting a refresh")
    return dg.RunRequest(run_key=key, tags={"ogi/new_reports": str(len(new)), "ogi/files_gone": str(len(gone))})


@dg.run_failure_sensor(
    monitor_all_code_locations=False,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="A failed run (refresh or fetch) is sent to the same alert sinks as the findings.",
)
def run_failure_alert(context: dg.RunFailureSensorContext):
    """On by default: it only tells people, it never processes anything."""
    run = context.dagster_run
    steps = [f"{e.step_key}: {cause_of(e.step_failure_data.error)}" for e in context.get_step_failure_events()]
    error = "；".join(steps) or context.failure_event.message or "unknown error"
    title = f"政府信息公开年报仓库：{run.job_name} 运行失败"
    check = "请在 Dagster 界面查看这次运行的日志；修复后重新运行或等待下次计划运行。"
    alert = {
        "finding_key": f"run_failure|{run.run_id}",
        "rule_id": "run_failure",
        "job": run.job_name,
        "run_id": run.run_id,
        **compose(title, [f"运行 {run.run_id}", error], check),
    }
    sinks = Sinks.from_env(alerts_path())
    now = datetime.now(UTC).replace(tzinfo=None)
    for sink in sinks.names():
        try:
            send(sinks, sink, [alert], now)
        except (OSError, smtplib.SMTPException) as exc:
            context.log.warning(f"run-failure alert to {sink} failed: {exc}")
