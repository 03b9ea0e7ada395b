"""Headless refresh (``ogi refresh``): the Dagster `refresh` job, executed in process, then a
short summary. Exit code 0 when the pipeline worked, whatever the reports' own errors."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from .lock import LockTimeout, warehouse_lock
from .publish import current_path, reader_path

SHOWN = 30  # findings and quarantined files listed; a national warehouse has tens of thousands
SUMMARY_SQL = {
    "files": "select status, count(*) from raw.files where present group by 1 order by 1",
    "quarantined": "select file_name, quarantine_reason from raw.files where present and status = 'quarantined' "
    f"order by 1 limit {SHOWN}",
    "counts": "select coalesce(sum(n_fail), 0), coalesce(sum(n_warn), 0) from main.dq_report_summary",
    "failures": f"""select r.file_name, d.rule_id, d.scope, d.lhs, d.rhs, d.status
                    from main.dq_rule_results d join raw.reports r using (report_id)
                    where d.status in ('fail', 'warn') and d.variant = 'strict'
                    order by d.status, r.file_name, d.rule_id, d.scope limit {SHOWN}""",
}


def run_refresh(
    landing: Path | None, warehouse: Path | None, console: Console, full: bool = False, wait: float = 600
) -> int:
    if warehouse is not None:
        os.environ["OGI_WAREHOUSE"] = str(warehouse.resolve())
    if landing is not None:
        if not landing.is_dir():
            console.print(f"[red]Landing folder not found: {landing}[/red]")
            return 2
        os.environ["OGI_LANDING"] = str(landing.resolve())

    from .rule_engine import started_early
    from .settings import warehouse_path

    def waiting() -> None:
        console.print(f"another refresh or fetch is writing to this warehouse; waiting up to {wait:g} s")

    try:
        with warehouse_lock(warehouse_path(), wait, waiting):
            return _locked_refresh(full, console, started_early)
    except LockTimeout:
        console.print(
            f"[red]another refresh of {warehouse_path()} is still running after {wait:g} s; nothing was changed[/red]"
        )
        return 3


def _locked_refresh(full: bool, console: Console, started_early) -> int:
    from .settings import warehouse_path

    held = writer_lock_holder(warehouse_path())
    if held:
        console.print(
            f"[red]the warehouse file {warehouse_path()} is open in another process ({held}); close it "
            f"there and run again. Read {reader_path(warehouse_path())} instead: it never blocks a refresh[/red]",
            soft_wrap=True,
        )
        return 3
    with started_early():  # importing the rule engine beside Dagster's start, the raw step and dbt
        return _run(full, console)


def writer_lock_holder(warehouse: Path) -> str | None:
    """Who holds the warehouse file, as DuckDB reports it (program and PID), or None when it can
    be opened for writing. DuckDB lets one process write a file, or many read it, never both."""
    if not warehouse.exists():
        return None
    try:
        duckdb.connect(str(warehouse)).close()
    except duckdb.IOException as e:
        if "lock" not in str(e):
            raise
        found = re.search(r"held in (.+?) \(PID (\d+)\)", str(e))
        return f"{found.group(1)}, PID {found.group(2)}" if found else "holder not reported"
    return None


def _run(full: bool, console: Console) -> int:
    import dagster as dg

    from .definitions import defs
    from .defs.automation import refresh_run_config
    from .settings import alerts_path, dq_report_path, landing_path, warehouse_path

    console.print(f"refreshing {warehouse_path()} from {landing_path()}")
    with _instance(dg, console) as instance:
        result = defs.resolve_job_def("refresh").execute_in_process(
            instance=instance,
            run_config={
                **refresh_run_config(full, str(landing_path())),
                "loggers": {"console": {"config": {"log_level": "INFO"}}},
            },
            raise_on_error=False,
        )
    console.print("step seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in step_seconds(result).items()))
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                message = cause_of(event.step_failure_data.error)
                console.print(f"[red]step {event.step_key} failed:[/red] {message}")
                if "Conflicting lock" in message:
                    console.print("[red]refresh failed: another process opened the warehouse file meanwhile[/red]")
                    return 3
        console.print("[red]refresh failed[/red]")
        return 1
    print_summary(warehouse_path(), console)
    console.print(
        f"for readers (never blocks a refresh): {reader_path(warehouse_path())}, "
        f"Parquet in {current_path(warehouse_path())}"
    )
    console.print(f"data-quality page: {dq_report_path()}\nalerts (JSONL): {alerts_path()}")
    return 0


def _instance(dg, console: Console):
    """The Dagster instance of ``DAGSTER_HOME`` when it is set (as for `make dev` and the cron
    recipe), so that the UI lists cron refreshes, their materializations and check results;
    otherwise a throwaway one."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return dg.DagsterInstance.ephemeral()
    Path(home).mkdir(parents=True, exist_ok=True)
    console.print(f"recording the run in the Dagster instance at {home}")
    return dg.DagsterInstance.get()


def cause_of(error) -> str:
    """The innermost error's message: Dagster wraps a step's exception (retries, its own errors)."""
    if error is None:
        return "unknown error"
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


def step_seconds(result) -> dict[str, float]:
    """Seconds per successful step of the run."""
    return {e.step_key: e.event_specific_data.duration_ms / 1000 for e in result.get_step_success_events()}


def print_summary(warehouse: Path, console: Console) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        files = dict(con.execute(SUMMARY_SQL["files"]).fetchall())
        quarantined = con.execute(SUMMARY_SQL["quarantined"]).fetchall()
        n_fail, n_warn = con.execute(SUMMARY_SQL["counts"]).fetchone()
        failures = con.execute(SUMMARY_SQL["failures"]).fetchall()
    console.print(
        f"reports: {files.get('ok', 0)} loaded, {files.get('flagged', 0)} loaded with flagged problems, "
        f"{files.get('quarantined', 0)} quarantined"
    )
    for name, reason in quarantined:
        console.print(f"  quarantined {name}: {reason}")
    if files.get("quarantined", 0) > len(quarantined):
        console.print(f"  … {files['quarantined'] - len(quarantined)} more in raw.quarantine")
    title = f"rule failures: {n_fail}, warnings: {n_warn}"
    if n_fail + n_warn > len(failures):
        title += f" (first {len(failures)}; all in main.dq_rule_results and the data-quality page)"
    table = Table("report", "rule", "scope", "lhs", "rhs", "status", title=title)
    for name, rule, scope, lhs, rhs, status in failures:
        table.add_row(name, rule, scope, f"{lhs:g}", f"{rhs:g}", status)
    console.print(table)
