"""One fetch run: the URL list in, documents in the landing folder, the fetch log in the
warehouse, and one report_changed alert per changed document through the alert sinks."""

from __future__ import annotations

from pathlib import Path

import duckdb

from dagster_project.alerts import Sinks, deliver

from .changes import report_changed_alert
from .fetcher import Settings, fetch_all, read_url_list


def run_fetch(urls_file: Path, landing: Path, warehouse: Path, sinks: Sinks, settings: Settings | None = None) -> dict:
    urls = read_url_list(urls_file)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        counts, changed = fetch_all(urls, landing, con, settings)
        alerts = [report_changed_alert(v) for v in changed]
        sent = deliver(con, sinks, alerts) if alerts else {}
    return {"pages": len(urls), "outcomes": counts, "changed": len(changed), "alerts_sent": sent}
