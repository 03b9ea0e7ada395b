"""Where the rules are judged. Great Expectations takes about 3 s to import, a sixth of what one
new report may take at national scale: the headless refresh starts a process that imports it at
once, on the core that sits idle while Dagster starts, the raw step runs and dbt parses, and the
rule step hands that process the warehouse. Without it (a `dagster dev` step process), the step
judges in its own process."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path

_engine: ProcessPoolExecutor | None = None


def _import_rule_engine() -> None:
    from tqdm import tqdm

    # GX draws its (hidden) progress bars with tqdm, whose default lock is a multiprocessing one:
    # a named semaphore that this process, stopped at the end, could not release
    tqdm.set_lock(threading.RLock())
    import great_expectations  # noqa: F401

    from . import rule_results  # noqa: F401


@contextmanager
def started_early() -> Iterator[None]:
    """Within this block, rules are judged in a process started (and importing) now."""
    global _engine
    _engine = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=_import_rule_engine)
    _engine.submit(int)  # the executor starts its process at the first task
    try:
        yield
    finally:
        # the process is stopped, not left to unload GX and pandas (a second); the executor then
        # closes its queues, whose semaphores would otherwise outlive this process
        with suppress(Exception):
            os.kill(_engine.submit(os.getpid).result(timeout=10), signal.SIGKILL)
        _engine.shutdown(cancel_futures=True)
        _engine = None


def judge_warehouse(path: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Bring the rule results of the warehouse up to date; what was done, and the results by status."""
    from runtime.settings import connect_warehouse, data_docs_path

    from .rule_results import DQ_TABLE, update_rule_results

    with connect_warehouse(path) as con:
        done = update_rule_results(con, docs_dir=data_docs_path())
        by_status = dict(con.execute(f"select status, count(*) from {DQ_TABLE} group by 1").fetchall())
    return done, by_status


def judge(path: Path) -> tuple[dict[str, int], dict[str, int]]:
    """``judge_warehouse`` in the process started early if there is one, else here. This process
    holds no connection to the warehouse meanwhile: DuckDB lets one process write a file."""
    if _engine is None:
        return judge_warehouse(path)
    return _engine.submit(judge_warehouse, path).result()
