"""Writing extraction results into the raw schema of the DuckDB warehouse.

Loads are idempotent: the rows of each report are replaced in one transaction, keyed by the
file's content hash, and every landing file gets a row in raw.files whatever happened to it."""

from __future__ import annotations

import csv
import os
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from expectations.catalogue import rules
from extract.report import EXTRACTOR_VERSION, sha256_of

from .extract_worker import stored_path
from .places import place_names

DDL = """
create schema if not exists raw;
create table if not exists raw.files (
    path varchar primary key, file_name varchar, sha256 varchar, size_bytes bigint,
    status varchar, quarantine_reason varchar, present boolean, _loaded_at timestamp);
create table if not exists raw.reports (
    report_id varchar primary key, file_name varchar, source_format varchar, layout varchar,
    agency varchar, report_year integer, format_version varchar, published_date varchar,
    index_no varchar, status varchar, quarantine_reason varchar, extractor_version varchar,
    _loaded_at timestamp);
create table if not exists raw.cells (
    report_id varchar, table_name varchar, row_key varchar, col_key varchar, raw_text varchar,
    value double, unit varchar, flags varchar[], page integer, line_no integer,
    char_offset integer, bbox double[], prov_json varchar, _loaded_at timestamp);
create table if not exists raw.sections (
    report_id varchar, section_key varchar, heading varchar, section_text varchar,
    line_no integer, _loaded_at timestamp);
create table if not exists raw.issues (
    report_id varchar, code varchar, severity varchar, message varchar, detail_json varchar,
    _loaded_at timestamp);
create table if not exists raw.claims (
    report_id varchar, claim_key varchar, value integer, section_key varchar, sentence varchar,
    char_offset integer, _loaded_at timestamp);
create table if not exists raw.agency_aliases (alias_name varchar, canonical_name varchar, reason varchar);
create table if not exists raw.rules (
    rule_id varchar, rule_version integer, title_zh varchar, title_en varchar, rule_class varchar,
    severity varchar, scope varchar, check_kind varchar, tolerance double, format_versions varchar[]);
create table if not exists raw.place_names (
    prefix varchar, code varchar, name varchar, level varchar, province_code varchar, province_name varchar,
    city_code varchar, city_name varchar, source varchar);
create table if not exists raw.skipped (landing varchar, path varchar, reason varchar, _loaded_at timestamp);
create table if not exists raw.report_overrides (
    file varchar, sha256 varchar, agency varchar, report_year varchar, table_name varchar, row_key varchar,
    col_key varchar, value varchar, reviewed_by varchar, note varchar);
alter table raw.files add column if not exists mtime_ns bigint;
alter table raw.reports add column if not exists superseded_by varchar;
create or replace view raw.quarantine as
    select f.path, f.file_name, f.sha256, f.quarantine_reason as reason, i.message as detail, f.present,
           f._loaded_at
    from raw.files f
    left join raw.issues i on i.report_id = f.sha256 and i.code = f.quarantine_reason
    where f.status = 'quarantined';
"""

_CELL_COLUMNS = [
    "report_id",
    "table_name",
    "row_key",
    "col_key",
    "raw_text",
    "value",
    "unit",
    "flags",
    "page",
    "line_no",
    "char_offset",
    "bbox",
    "prov_json",
    "_loaded_at",
]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


_FILE_COLUMNS = [
    "path",
    "file_name",
    "sha256",
    "size_bytes",
    "status",
    "quarantine_reason",
    "present",
    "_loaded_at",
    "mtime_ns",
]
_COLUMNS = {
    "reports": [
        "report_id",
        "file_name",
        "source_format",
        "layout",
        "agency",
        "report_year",
        "format_version",
        "published_date",
        "index_no",
        "status",
        "quarantine_reason",
        "extractor_version",
        "_loaded_at",
    ],
    "cells": _CELL_COLUMNS,
    "sections": ["report_id", "section_key", "heading", "section_text", "line_no", "_loaded_at"],
    "issues": ["report_id", "code", "severity", "message", "detail_json", "_loaded_at"],
    "claims": ["report_id", "claim_key", "value", "section_key", "sentence", "char_offset", "_loaded_at"],
}


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple], columns: list[str]) -> None:
    if rows:
        con.register("batch_rows", pd.DataFrame(rows, columns=columns))
        con.execute(f"insert into raw.{table} ({', '.join(columns)}) select * from batch_rows")
        con.unregister("batch_rows")


def touch_reports(con: duckdb.DuckDBPyConnection, where: str, params: list, now: datetime) -> None:
    """Give the reports selected by ``where`` (on raw.reports) a new load time, on all their raw
    rows: incremental dbt models rebuild a report when its rows are newer than their last build."""
    con.execute(f"create or replace temp table touched as select report_id from raw.reports where {where}", params)
    if not con.execute("select count(*) from touched").fetchone()[0]:
        return  # the updates would scan every raw table, on every batch of a national load
    for table in _COLUMNS:
        con.execute(f"update raw.{table} set _loaded_at = ? where report_id in (select report_id from touched)", [now])


def _file_row(path: str, sha: str, status: str, reason: str | None, now: datetime) -> tuple:
    try:
        st = os.stat(path)
        size, mtime = st.st_size, st.st_mtime_ns
    except OSError:  # gone since it was read: the row stays, without a size to compare next time
        size = mtime = None
    name = stored_path(path)
    return (name, os.path.basename(name), sha, size, status, reason, True, now, mtime)


def load_batch(con: duckdb.DuckDBPyConnection, batch: list[tuple], now: datetime) -> None:
    """Replace the raw rows of the reports in ``batch``: (path, sha256, status, reason, rows)
    tuples, ``rows`` as made by ``extract_rows``. One transaction."""
    rows: dict[str, list[tuple]] = {t: [] for t in _COLUMNS}
    files, seen = [], set()
    for path, sha, status, reason, report_rows in batch:
        files.append(_file_row(path, sha, status, reason, now))
        if sha in seen:  # the same content under another name: one report, two sources
            continue
        seen.add(sha)
        for k, v in report_rows.items():
            rows[k].extend(v)
    con.execute("begin transaction")
    try:
        con.register("batch_ids", pd.DataFrame({"report_id": sorted(seen)}))
        # rows to replace exist only for reports extracted before (another extractor version):
        # deleting scans whole tables, so it is skipped for new reports
        seen_before = "select count(*) from raw.reports where report_id in (select report_id from batch_ids)"
        if con.execute(seen_before).fetchall()[0][0]:
            for table in _COLUMNS:
                con.execute(f"delete from raw.{table} where report_id in (select report_id from batch_ids)")
        con.unregister("batch_ids")
        _upsert_files(con, files)
        for table, columns in _COLUMNS.items():
            _insert(con, table, rows[table], columns)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def _upsert_files(con: duckdb.DuckDBPyConnection, files: list[tuple]) -> None:
    """Point each path at its current content. A report whose content no file holds any more (the
    file changed) is marked superseded by the new content and leaves the marts; raw keeps it."""
    if not files:
        return
    now = files[0][7]
    con.register("batch_files", pd.DataFrame(files, columns=_FILE_COLUMNS))
    con.execute(
        """create or replace temp table replaced as
           select f.sha256 as old_sha, b.sha256 as new_sha
           from raw.files f join batch_files b using (path) where f.sha256 <> b.sha256"""
    )
    con.execute(
        f"""insert into raw.files ({", ".join(_FILE_COLUMNS)}) select * from batch_files
           on conflict (path) do update set sha256 = excluded.sha256, size_bytes = excluded.size_bytes,
               mtime_ns = excluded.mtime_ns, status = excluded.status,
               quarantine_reason = excluded.quarantine_reason, present = true, _loaded_at = excluded._loaded_at"""
    )
    # the load time moves with the mark, so incremental models see the change
    orphaned = "report_id in (select old_sha from replaced where old_sha not in (select sha256 from raw.files))"
    touch_reports(con, orphaned, [], now)
    con.execute(
        f"""update raw.reports set superseded_by = replaced.new_sha from replaced
            where raw.reports.report_id = replaced.old_sha and raw.reports.{orphaned}"""
    )
    restored = "superseded_by is not null and report_id in (select sha256 from batch_files)"
    touch_reports(con, restored, [], now)
    con.execute(f"update raw.reports set superseded_by = null where {restored}")
    con.unregister("batch_files")


def fetch_hints(con: duckdb.DuckDBPyConnection, shas: list[str]) -> dict[str, dict]:
    """What the fetch log knows of fetched files (URL list agency and year, page title, URL), by
    content hash; empty when nothing was fetched."""
    columns = (
        "select column_name from information_schema.columns where table_schema = 'raw' and table_name = 'fetch_log'"
    )
    have = {c for (c,) in con.execute(columns).fetchall()}
    if not shas or not have:
        return {}
    title = "page_title" if "page_title" in have else "null"  # logs written before titles were kept
    rows = con.execute(
        f"""select sha256, agency, report_year, {title}, url from raw.fetch_log
           where sha256 in (select unnest(?))
           qualify row_number() over (partition by sha256 order by fetched_at desc) = 1""",
        [shas],
    ).fetchall()
    return {sha: {"agency": a, "year": y, "page_title": t, "url": u} for sha, a, y, t, u in rows}


def known_reports(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str | None]]:
    """Content hashes already extracted by this extractor version: sha256 -> (status, reason)."""
    rows = con.execute(
        "select report_id, status, quarantine_reason from raw.reports where extractor_version = ?", [EXTRACTOR_VERSION]
    ).fetchall()
    return {sha: (status, reason) for sha, status, reason in rows}


def content_hashes(con: duckdb.DuckDBPyConnection, files: list[str]) -> tuple[dict[str, str], set[str], list]:
    """sha256 of every file, the files whose raw.files row is current (same path, size and mtime,
    present): those are not read again, and the files that could not be read (gone or unreadable
    since they were listed), with why."""
    cached = {
        path: (size, mtime, sha, present)
        for path, size, mtime, sha, present in con.execute(
            "select path, size_bytes, mtime_ns, sha256, present from raw.files where mtime_ns is not null"
        ).fetchall()
    }
    hashes, current, failed = {}, set(), []
    for p in files:
        try:
            st = os.stat(p)
            hit = cached.get(stored_path(p))
            if hit and hit[:2] == (st.st_size, st.st_mtime_ns):
                hashes[p] = hit[2]
                if hit[3]:
                    current.add(p)
            else:
                hashes[p] = sha256_of(p)
        except OSError as exc:
            failed.append((stored_path(p), f"unreadable: {exc.strerror or type(exc).__name__}"))
    return hashes, current, failed


def record_known_files(
    con: duckdb.DuckDBPyConnection, files: list[tuple[str, str, tuple[str, str | None]]], now: datetime
) -> None:
    """raw.files rows for files whose content is already in the warehouse (unchanged, or the same
    report under another name): nothing is extracted again."""
    _upsert_files(con, [_file_row(p, sha, status, reason, now) for p, sha, (status, reason) in files])


def record_skipped(
    con: duckdb.DuckDBPyConnection, landing: Path, skipped: list[tuple[str, str]], now: datetime
) -> None:
    """The landing folder's entries that were not read (links out of the folder, FIFOs, hidden
    files, files gone or unreadable when hashed …), as of this refresh: every entry is accounted
    for."""
    con.execute("delete from raw.skipped where landing = ?", [str(landing)])
    if skipped:
        con.executemany("insert into raw.skipped values (?, ?, ?, ?)", [(str(landing), p, r, now) for p, r in skipped])


def sync_presence(con: duckdb.DuckDBPyConnection, landing: Path, present: list[str]) -> int:
    """Files of this landing folder that were loaded before and are gone now stay in the
    warehouse, marked present = false (never silently deleted); returns how many."""
    con.register("present_paths", pd.DataFrame({"path": [stored_path(p) for p in present]}, dtype=object))
    gone = con.execute(
        "update raw.files set present = false where path like ? and present "
        "and path not in (select path from present_paths) returning path",
        [str(landing) + "/%"],
    ).fetchall()
    con.unregister("present_paths")
    return len(gone)


def load_aliases(con: duckdb.DuckDBPyConnection, csv_path: Path, now: datetime) -> int:
    """Replace raw.agency_aliases with the reviewed mapping (alias_name, canonical_name, reason).
    Reports named in a changed mapping get a new load time, so incremental builds pair them again."""
    rows = "select alias_name, canonical_name from raw.agency_aliases"
    before = set(con.execute(rows).fetchall())
    con.execute("delete from raw.agency_aliases")
    if csv_path.is_file():
        con.execute(
            "insert into raw.agency_aliases select alias_name, canonical_name, reason "
            "from read_csv(?, header = true, all_varchar = true)",
            [str(csv_path)],
        )
    after = set(con.execute(rows).fetchall())
    names = sorted({name for pair in before ^ after for name in pair if name})
    if names:
        touch_reports(con, "list_contains(?, replace(agency, ' ', ''))", [names], now)
    return len(after)


def load_rules(con: duckdb.DuckDBPyConnection) -> int:
    """Replace raw.rules with the rule catalogue (expectations/rules.yml), for dim_rule."""
    catalogue = rules()
    con.execute("delete from raw.rules")
    con.executemany(
        "insert into raw.rules values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                r.id,
                r.version,
                r.title_zh,
                r.title_en,
                r.rule_class,
                r.severity,
                r.scope,
                r.check,
                r.tolerance,
                list(r.format_versions),
            )
            for r in catalogue
        ],
    )
    return len(catalogue)


PLACE_COLUMNS = [
    "prefix",
    "code",
    "name",
    "level",
    "province_code",
    "province_name",
    "city_code",
    "city_name",
    "source",
]


PLACES_DIGEST = "select count(*), coalesce(sum(hash(prefix, code, source)), 0) from raw.place_names"


def load_places(con: duckdb.DuckDBPyConnection, aliases_csv: Path, now: datetime) -> int:
    """Replace raw.place_names with the administrative divisions and the reviewed place aliases.
    When they changed (a new package version, an edited alias file), every report is touched so
    that the incremental marts take the new region columns."""
    rows = [[r.get(c) for c in PLACE_COLUMNS] for r in place_names(aliases_csv)]
    before = con.execute(PLACES_DIGEST).fetchone()
    con.execute("delete from raw.place_names")
    _insert(con, "place_names", rows, PLACE_COLUMNS)
    after = con.execute(PLACES_DIGEST).fetchone()
    if before[0] and before != after:
        touch_reports(con, "true", [], now)
    return len(rows)


OVERRIDE_COLUMNS = ("file", "sha256", "agency", "year", "table", "row", "col", "value", "reviewed_by", "note")


class BadOverrides(ValueError):
    """The overrides file cannot be applied; the message says which line and why."""


def read_overrides(csv_path: Path) -> list[tuple]:
    """Rows of the reviewed overrides file, checked: each names a file or a sha256, corrects the
    agency, the year or one cell (table, row, col, value), and says who reviewed it."""
    if not csv_path.is_file():
        return []
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = set(OVERRIDE_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise BadOverrides(f"{csv_path}: missing columns {', '.join(sorted(missing))}")
        rows = []
        for n, line in enumerate(reader, 2):
            r = {k: (line.get(k) or "").strip() or None for k in OVERRIDE_COLUMNS}
            problem = _override_problem(r)
            if problem:
                raise BadOverrides(f"{csv_path} line {n}: {problem}")
            rows.append(tuple(r[k] for k in OVERRIDE_COLUMNS))
    return rows


def _override_problem(r: dict) -> str | None:
    cell = [r["table"], r["row"], r["col"]]
    if not (r["file"] or r["sha256"]):
        return "names neither a file nor a sha256"
    if not r["reviewed_by"]:
        return "has no reviewed_by"
    if r["year"] and not (r["year"].isdigit() and len(r["year"]) == 4):
        return f"year {r['year']!r} is not a year"
    if (any(cell) or r["value"]) and not all(cell):
        return "a cell correction needs table, row and col"
    if r["value"]:
        try:
            float(r["value"])
        except ValueError:
            return f"value {r['value']!r} is not a number"
    if not (r["agency"] or r["year"] or all(cell)):
        return "corrects nothing"
    return None


def load_overrides(con: duckdb.DuckDBPyConnection, csv_path: Path, now: datetime) -> int:
    """Replace raw.report_overrides with the reviewed file; the reports whose overrides changed
    get a new load time, so incremental builds apply them. The extracted values stay in raw."""
    rows = read_overrides(csv_path)
    before = set(con.execute("select * from raw.report_overrides").fetchall())
    con.execute("delete from raw.report_overrides")
    if rows:
        con.executemany("insert into raw.report_overrides values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    changed = before ^ set(rows)
    if changed:
        files = sorted({r[0] for r in changed if r[0]})
        shas = sorted({r[1] for r in changed if r[1]})
        touch_reports(
            con,
            "report_id in (select unnest(?)) or report_id in "
            "(select sha256 from raw.files where list_contains(?, file_name) or list_contains(?, path))",
            [shas, files, files],
            now,
        )
    return len(rows)


def pending_changes(
    con: duckdb.DuckDBPyConnection | None, folder: Path, files: list[str]
) -> tuple[list[str], list[str]]:
    """What a refresh of ``folder`` would do, without writing: content hashes not yet extracted
    (new or changed files) and loaded files that are gone. ``con`` None: nothing is loaded yet."""
    tables = "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = 'files'"
    if con is None or not con.execute(tables).fetchone()[0]:
        return sorted({sha256_of(p) for p in files if os.access(p, os.R_OK)}), []
    hashes, _, _ = content_hashes(con, files)
    known = known_reports(con)
    new = sorted({sha for sha in hashes.values() if sha not in known})
    present = {stored_path(p) for p in files}
    loaded = con.execute("select path from raw.files where present and path like ?", [str(folder) + "/%"]).fetchall()
    return new, sorted(path for (path,) in loaded if path not in present)
