"""Paths shared by Dagster, dbt and the CLI: one warehouse path from one setting."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_DIR = PROJECT_ROOT / "dbt"
# schedules run on Beijing time, when the offices publish
SCHEDULE_TIMEZONE = "Asia/Shanghai"


def warehouse_path() -> Path:
    """``OGI_WAREHOUSE`` or warehouse/ogi.duckdb, absolute; exported so dbt's profile reads the same."""
    path = Path(os.environ.get("OGI_WAREHOUSE") or PROJECT_ROOT / "warehouse" / "ogi.duckdb").resolve()
    os.environ["OGI_WAREHOUSE"] = str(path)
    return path


def landing_path() -> Path:
    """``OGI_LANDING`` or the bundled samples in data/samples."""
    return Path(os.environ.get("OGI_LANDING") or PROJECT_ROOT / "data" / "samples").resolve()


def dq_report_path() -> Path:
    """``OGI_DQ_REPORT`` or the warehouse file's name with .dq.html."""
    return Path(os.environ.get("OGI_DQ_REPORT") or warehouse_path().with_suffix(".dq.html")).resolve()


def data_docs_path() -> Path:
    """``OGI_DATA_DOCS`` or the warehouse file's name with .data_docs: the Great Expectations Data
    Docs of the last refresh that judged reports (index.html)."""
    return Path(os.environ.get("OGI_DATA_DOCS") or warehouse_path().with_suffix(".data_docs")).resolve()


def dbt_target_path() -> Path:
    """The warehouse file's name with .dbt: dbt's target folder for refreshes of this warehouse
    (its partial-parse state, run results and log). One per warehouse, because refreshes of two
    warehouses may run at once and the profile names the warehouse (a shared folder made dbt parse
    the project anew whenever the warehouse changed)."""
    return warehouse_path().with_suffix(".dbt")


def alerts_path() -> Path:
    return Path(os.environ.get("OGI_ALERTS") or warehouse_path().with_suffix(".alerts.jsonl")).resolve()


def aliases_path() -> Path:
    """``OGI_AGENCY_ALIASES`` or data/agency_aliases.csv: the reviewed mapping of renamed bodies."""
    return Path(os.environ.get("OGI_AGENCY_ALIASES") or PROJECT_ROOT / "data" / "agency_aliases.csv").resolve()


def place_aliases_path() -> Path:
    """``OGI_PLACE_ALIASES`` or data/place_aliases.csv: reviewed places of bodies that are not
    administrative divisions (平潭综合实验区)."""
    return Path(os.environ.get("OGI_PLACE_ALIASES") or PROJECT_ROOT / "data" / "place_aliases.csv").resolve()


def overrides_path() -> Path:
    """``OGI_REPORT_OVERRIDES`` or data/report_overrides.csv: reviewed corrections of agency, year
    and single cells."""
    return Path(os.environ.get("OGI_REPORT_OVERRIDES") or PROJECT_ROOT / "data" / "report_overrides.csv").resolve()


def duckdb_memory_limit() -> str:
    """``OGI_DUCKDB_MEMORY`` (default 2GB): the most memory one DuckDB connection uses before it
    spills to disk; dbt's profile reads the same setting."""
    limit = os.environ.get("OGI_DUCKDB_MEMORY") or "2GB"
    os.environ["OGI_DUCKDB_MEMORY"] = limit
    return limit


def held_elsewhere(exc: Exception) -> bool:
    """Whether DuckDB refused the file because another process has it open (its lock), rather
    than because the file is damaged or cannot be written."""
    return isinstance(exc, duckdb.Error) and "lock" in str(exc).lower()


def connect_warehouse(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse file at ``path`` within the memory setting; its folder is made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return duckdb.connect(str(path), read_only=read_only, config={"memory_limit": duckdb_memory_limit()})
