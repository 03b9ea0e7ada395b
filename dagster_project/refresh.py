"""Headless refresh (``ogi refresh``): the Dagster `refresh` job, run in a child process that this
one supervises, then a short summary. Exit code 0 when the pipeline worked, whatever the reports'
own errors."""

from __future__ import annotations

import atexit
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from runtime.lock import HELD_ENV, LockTimeout, warehouse_lock
from runtime.settings import held_elsewhere

from .publish import current_path, reader_path

SUPERVISOR_ENV = "OGI_REFRESH_SUPERVISOR"  # the PID the job's child process watches
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
    """The refresh, supervised: the Dagster job runs in a child process group, so that SIGTERM or
    Ctrl-C stop it within seconds (the group is killed; DuckDB's write-ahead log and the
    idempotent steps make the next refresh finish the work, as after a crash)."""
    if warehouse is not None:
        os.environ["OGI_WAREHOUSE"] = str(warehouse.resolve())
    if landing is not None:
        if not landing.is_dir():
            what = "is a file, not a folder" if landing.exists() else "does not exist"
            console.print(
                f"[red]the landing folder {landing} {what}; give --landing a folder of reports[/red]", soft_wrap=True
            )
            return 2
        os.environ["OGI_LANDING"] = str(landing.resolve())

    from runtime.settings import warehouse_path

    problem = folder_problem(warehouse_path())
    if problem:
        console.print(f"[red]{problem}[/red]", soft_wrap=True)
        return 3

    def waiting() -> None:
        console.print(f"another refresh or fetch is writing to this warehouse; waiting up to {wait:g} s")

    try:
        with warehouse_lock(warehouse_path(), wait, waiting) as lock_file:
            # the file itself is looked at under the lock: opening it could otherwise break the
            # refresh or fetch that holds the lock
            problem = file_problem(warehouse_path())
            if problem:
                console.print(f"[red]{problem}[/red]", soft_wrap=True)
                return 3
            return _supervise(lock_file, full, console)
    except LockTimeout:
        console.print(
            f"[red]another refresh of {warehouse_path()} is still running after {wait:g} s; nothing was changed[/red]",
            soft_wrap=True,
        )
        return 3


class _Stop(Exception):
    def __init__(self, signum: int):
        self.signum = signum


def _supervise(lock_file, full: bool, console: Console) -> int:
    """Run the job in a child process group. The child inherits the lock's file, so the lock stays
    held until the child is gone even if this process is killed; the child ends its group when it
    sees this process gone."""

    def stop(signum, _frame):
        raise _Stop(signum)

    env = {**os.environ, HELD_ENV: lock_file.name, SUPERVISOR_ENV: str(os.getpid())}
    command = [sys.executable, "-m", "dagster_project.refresh", *(["--full"] if full else [])]
    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    child = None
    try:
        child = subprocess.Popen(command, env=env, start_new_session=True, pass_fds=(lock_file.fileno(),))
        code = child.wait()
        if code < 0:  # killed by a signal (the OOM killer, an operator): say so, exit as a shell would
            console.print(f"[red]the refresh was killed by {signal.Signals(-code).name}[/red]", soft_wrap=True)
            return 128 - code
        return code
    except _Stop as exc:
        if child is not None:
            os.killpg(child.pid, signal.SIGKILL)  # the job, its extraction workers, dbt
            child.wait()
        name = signal.Signals(exc.signum).name
        console.print(
            f"[red]refresh stopped by {name}: what finished is kept; run `ogi refresh` again to complete it[/red]",
            soft_wrap=True,
        )
        return 128 + exc.signum
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def folder_problem(warehouse: Path) -> str | None:
    """Why a refresh cannot write into the warehouse's folder, in one line with what to do, or None."""
    folder = warehouse.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create the warehouse folder {folder}: {exc.strerror}; choose another --warehouse"
    if not os.access(folder, os.W_OK):
        return f"the warehouse folder {folder} is not writable; choose another --warehouse or fix its permissions"
    return None


def file_problem(warehouse: Path) -> str | None:
    """Why a refresh cannot write the warehouse file (damaged, held by another program), or None."""
    try:
        held = writer_lock_holder(warehouse)
    except NotAWarehouse as exc:
        return str(exc)
    if held:
        return (
            f"the warehouse file {warehouse} is open in another process ({held}); close it there and run again. "
            f"Read {reader_path(warehouse)} instead: it never blocks a refresh"
        )
    return None


class NotAWarehouse(Exception):
    """The warehouse file exists and DuckDB cannot open it (damaged, or another kind of file)."""


def writer_lock_holder(warehouse: Path) -> str | None:
    """Who holds the warehouse file, as DuckDB reports it (program and PID), or None when it can
    be opened for writing. DuckDB lets one process write a file, or many read it, never both."""
    if not warehouse.exists():
        return None
    try:
        duckdb.connect(str(warehouse)).close()
    except duckdb.Error as e:
        if not held_elsewhere(e):
            raise NotAWarehouse(
                f"{warehouse} cannot be opened as a DuckDB warehouse ({str(e).splitlines()[0][:200]}); "
                "move it aside and run `ogi refresh` to build a new one"
            ) from None
        found = re.search(r"held in (.+?) \(PID (\d+)\)", str(e))
        return f"{found.group(1)}, PID {found.group(2)}" if found else "holder not reported"
    return None


def _run(full: bool, console: Console) -> int:
    import dagster as dg

    from runtime.settings import alerts_path, dq_report_path, landing_path, warehouse_path

    from .definitions import defs
    from .defs.automation import refresh_run_config

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
        failures = [e for e in result.all_events if e.is_step_failure]
        for event in failures[:-1]:
            console.print(f"[red]step {event.step_key} failed:[/red] {cause_of(event.step_failure_data.error)}")
        last = failures[-1] if failures else None
        message = cause_of(last.step_failure_data.error) if last else "the run failed before any step"
        if "Conflicting lock" in message:
            message = f"another process opened the warehouse file meanwhile ({message}); close it and run again"
        console.print(f"[red]refresh failed at step {last.step_key if last else '-'}: {message}[/red]", soft_wrap=True)
        return 3 if "Conflicting lock" in message else 1
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
    return re.sub(r"^[\w.]+\.Failure: ", "", error.message.strip())  # Dagster's class name adds nothing


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


def _die_with_parent(supervisor: int) -> None:
    """When the supervising process is gone (killed by SIGKILL, which it cannot catch), the job
    and everything it started (workers, the rule process) end too."""
    while os.getppid() == supervisor:
        time.sleep(0.5)
    os.killpg(0, signal.SIGKILL)


def main() -> None:
    """The child of ``run_refresh``: the job itself (the parent holds the lock and checked the
    warehouse file)."""
    code = [1]  # an exception that ends the job is exit code 1, as without this handler
    # registered before multiprocessing is imported: runs after its exit handler, among others
    atexit.register(_end_without_teardown, code)
    from .rule_engine import started_early

    threading.Thread(target=_die_with_parent, args=(int(os.environ[SUPERVISOR_ENV]),), daemon=True).start()
    console = Console(stderr=True)
    with started_early():  # importing the rule engine beside Dagster's start, the raw step and dbt
        code[0] = _run("--full" in sys.argv, console)
    sys.exit(code[0])


def _end_without_teardown(code: list[int]) -> None:
    """The process ends once the exit handlers have run (logs flushed, multiprocessing's
    semaphores released): the interpreter's teardown of Dagster's and dbt's modules after them
    took two seconds of every refresh."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code[0])


if __name__ == "__main__":
    main()
