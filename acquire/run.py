"""One fetch run: the URL list in, documents in the landing folder, the fetch log in the
warehouse (written as each page is done, under the warehouse lock a refresh also takes, so a
fetch and a refresh run side by side), and one report_changed alert per changed document."""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from alerting.sinks import Sinks, deliver
from extract.readers.text import decode
from runtime.lock import warehouse_lock
from runtime.settings import held_elsewhere

from .changes import report_changed_alert
from .fetcher import LOG_COLUMNS, Settings, fetch_all, parse_url_list

LOG_DDL = """
create schema if not exists raw;
create table if not exists raw.fetch_log (
    url varchar, page_url varchar, agency varchar, report_year integer, fetched_at timestamp,
    http_status integer, outcome varchar, content_type varchar, encoding varchar, sha256 varchar,
    path varchar, etag varchar, last_modified varchar, size_bytes bigint, error varchar);
alter table raw.fetch_log add column if not exists page_title varchar;
"""
LOCK_WAIT = 3600  # seconds a write of the log waits for a refresh to finish


class FetchLog:
    """raw.fetch_log in the warehouse, opened briefly for each write under the warehouse lock."""

    def __init__(self, warehouse: Path):
        self.warehouse = warehouse

    def _connect(self) -> duckdb.DuckDBPyConnection:
        """A connection, waiting while a process outside the lock (a Dagster UI run, an
        analyst's session) holds the file."""
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                return duckdb.connect(str(self.warehouse))
            except duckdb.Error as exc:
                if not held_elsewhere(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(1)

    @contextmanager
    def _open(self):
        """The warehouse, for one short piece of work under the lock."""
        with warehouse_lock(self.warehouse, LOCK_WAIT), self._connect() as con:
            yield con

    def previous(self) -> dict[str, dict]:
        """The last successful fetch of each URL."""
        with self._open() as con:
            con.execute(LOG_DDL)
            rows = con.execute("""
                select url, sha256, path, etag, last_modified from raw.fetch_log where sha256 is not null
                qualify row_number() over (partition by url order by fetched_at desc) = 1
            """).fetchall()
        return {u: {"sha256": s, "path": p, "etag": e, "last_modified": lm} for u, s, p, e, lm in rows}

    def write(self, rows: list[dict]) -> None:
        with self._open() as con:
            con.register("log_rows", pd.DataFrame(rows, columns=list(LOG_COLUMNS)).astype(object))
            con.execute(f"insert into raw.fetch_log ({', '.join(LOG_COLUMNS)}) select * from log_rows")

    def alert(self, sinks: Sinks, alerts: list[dict]) -> dict:
        with self._open() as con:
            return deliver(con, sinks, alerts)


def read_url_list(path: Path) -> str:
    """The URL list's text, in whatever encoding it was saved (a list saved as GBK is common)."""
    return decode(path.read_bytes())[0]


def run_fetch(urls_file: Path, landing: Path, warehouse: Path, sinks: Sinks, settings: Settings | None = None) -> dict:
    listed = parse_url_list(read_url_list(urls_file))
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    log = FetchLog(warehouse)
    counts, changed = fetch_all(listed, landing, log.previous(), log.write, settings)
    alerts = [report_changed_alert(v) for v in changed]
    sent = log.alert(sinks, alerts) if alerts else {}
    return {"pages": len(listed), "outcomes": counts, "changed": len(changed), "alerts_sent": sent}
