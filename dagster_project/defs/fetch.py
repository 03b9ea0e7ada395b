"""Fetching reports from government websites into the landing folder, on a schedule."""

import os
from pathlib import Path

import dagster as dg

from acquire.run import run_fetch
from alerting.sinks import Sinks
from runtime.settings import SCHEDULE_TIMEZONE, alerts_path, landing_path

from .resources import WRITER_POOL, Warehouse


class FetchConfig(dg.Config):
    """``urls``: the URL list (one per line, optionally ,agency,year); empty means OGI_FETCH_URLS."""

    urls: str = ""


@dg.asset(
    pool=WRITER_POOL,
    group_name="landing",
    kinds={"http"},
    description="Report pages and attachments fetched politely from the listed URLs into the landing folder.",
)
def fetched_reports(context: dg.AssetExecutionContext, config: FetchConfig, warehouse: Warehouse):
    urls = config.urls or os.environ.get("OGI_FETCH_URLS", "")
    if not urls or not Path(urls).is_file():
        context.log.info("no URL list configured (OGI_FETCH_URLS): nothing fetched")
        return dg.MaterializeResult(metadata={"fetched": 0})
    summary = run_fetch(Path(urls), landing_path(), warehouse.file(), Sinks.from_env(alerts_path()))
    context.log.info(f"fetch: {summary}")
    return dg.MaterializeResult(metadata={k: dg.MetadataValue.json(v) for k, v in summary.items()})


fetch_job = dg.define_asset_job("fetch", selection=[fetched_reports], description="Fetch the listed report URLs.")
weekly_fetch = dg.ScheduleDefinition(
    job=fetch_job, cron_schedule="0 2 * * 1", name="weekly_fetch", execution_timezone=SCHEDULE_TIMEZONE
)
