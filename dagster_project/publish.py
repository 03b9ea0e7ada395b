"""The read path: after each refresh the tables analysts query are written as Parquet into a new
snapshot folder, with a small DuckDB file of views over them, and switched in atomically. Each
table is a folder ``<table>.parquet`` of part files (pandas and pyarrow read such a folder as one
table, R with arrow's open_dataset); parts that did not change since the previous snapshot are
hard links to it.

Readers never open the warehouse file itself, so an open notebook never blocks a refresh, and a
refresh never breaks an open session: a session keeps the snapshot it opened (its views name that
snapshot's files, which are kept for the next ``KEEP - 1`` refreshes); a new connection sees the
new one. The reader file is written in DuckDB's v1.0.0 storage format, which every DuckDB since
1.0 opens."""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

import duckdb

FINGERPRINTS = "fingerprints.json"  # per table: columns; per part: row count and a sum of row hashes
PARTS = 64  # a large table is written as this many Parquet files, rows spread by their hash
ROW, PART_COLUMN = "ogi_publish_row", "ogi_publish_part"  # names no published table uses
PART_ROWS = 50_000  # from this many rows a table is large; smaller ones are one file
# large tables whose rows keep when they were written (rows are replaced, never updated in place, and
# a rewritten row gets a new time): compared by report and that time, a tenth of the time of hashing
# every row. Named one by one: a table that copies such a column from another (dq_findings) does not
# qualify.
WRITTEN_AT = {"dq_rule_results": "evaluated_at"} | {
    f"fct_{name}": "built_at" for name in ("requests", "disposals", "proactive_disclosure", "reviews", "litigation")
}
KEEP = 3  # snapshots kept: the current one and two a long-open session may still be reading
READER_STORAGE = "v1.0.0"
INTERNAL = ("dq_alert_log", "dq_alert_state", "dq_judge_state")  # the refresh's bookkeeping
TABLES_SQL = f"""
    select table_schema, table_name from information_schema.tables
    where table_schema = 'marts'
       or (table_schema = 'main' and table_name like 'dq\\_%' escape '\\' and table_name not in {INTERNAL})
    order by 1, 2
"""


def published_root(warehouse: Path) -> Path:
    return warehouse.parent / "published"


def reader_path(warehouse: Path) -> Path:
    """The DuckDB file analysts open: views over the current snapshot's Parquet files."""
    return published_root(warehouse) / f"{warehouse.stem}.duckdb"


def current_path(warehouse: Path) -> Path:
    """A link to the current snapshot's folder: a folder of Parquet part files per table."""
    return published_root(warehouse) / "current"


def publish(con: duckdb.DuckDBPyConnection, warehouse: Path) -> dict:
    """Write a snapshot from the warehouse connection ``con`` and switch readers to it."""
    root = published_root(warehouse)
    root.mkdir(parents=True, exist_ok=True)
    name = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:6]  # sorts by time
    work = root / f".{name}.partial"  # a crash leaves only a hidden partial folder, removed next time
    work.mkdir()
    snapshot = root / name
    tables = con.execute(TABLES_SQL).fetchall()
    previous = current_path(warehouse).resolve()
    published = _fingerprints(previous)
    rows, fingerprints, reused, unlinked = {}, {}, [], 0
    for schema, table in tables:
        folder = work / f"{table}.parquet"
        folder.mkdir()
        fingerprints[table], rows[table] = _fingerprint(con, schema, table)
        now, before = fingerprints[table], published.get(table, {})
        same_layout = all(before.get(k) == now[k] for k in ("columns", "by", "hashed", "writer"))
        unchanged = {k for k, v in now["parts"].items() if same_layout and before["parts"].get(k) == v}
        # a part that did not change is linked from the previous snapshot: copying every mart on
        # every refresh took most of a small refresh at national scale
        linked = {k for k in unchanged if _link_part(previous / folder.name, folder, k)}
        unlinked += len(unchanged - linked)
        changed = sorted(set(now["parts"]) - linked)
        if not changed:
            reused.append(table)
        elif now["by"] == "0":
            con.execute(f'copy {schema}."{table}" to {_quoted(folder / "part-00-0.parquet")} (format parquet)')
        else:
            _write_parts(con, f'{schema}."{table}"', now["by"], [int(k) for k in changed], folder)
    (work / FINGERPRINTS).write_text(json.dumps(fingerprints, indent=1), encoding="utf-8")
    work.rename(snapshot)

    reader = root / f".{name}.duckdb"
    with duckdb.connect() as mem:
        mem.execute(f"attach {_quoted(reader)} as reader (storage_version '{READER_STORAGE}')")
        for _, table in tables:
            source = _quoted(snapshot / f"{table}.parquet" / "*.parquet")
            mem.execute(f'create view reader."{table}" as select * from read_parquet({source})')
        mem.execute("detach reader")
    os.replace(reader, reader_path(warehouse))  # atomic: a new connection sees the old or the new
    link = root / f".{name}.link"
    link.symlink_to(name)
    os.replace(link, current_path(warehouse))
    _prune(root, keep=name)
    # unchanged parts written again: hard links failed (a file system without them) or the files were gone
    return {"snapshot": str(snapshot), "tables": len(tables), "rows": rows, "reused": reused, "unlinked": unlinked}


def _fingerprint(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> tuple[dict, int]:
    """What a table holds, cheaply (hashing is several times faster than writing Parquet): its
    columns and types, and per part the row count and the sum of its rows' hashes (of report_id
    and the time it was written, for the tables of WRITTEN_AT). A large table is split into parts
    by report (or, when a row has no report_id, by row), so one new report changes one part, not
    the table. Returns it and the row count."""
    columns = con.execute(f'select column_name, column_type from (describe {schema}."{table}")').fetchall()
    names = {c for c, _ in columns}
    with_report = "report_id" in names
    count, reported = con.execute(
        f'select count(*), {"count(report_id)" if with_report else 0} from {schema}."{table}"'
    ).fetchone()
    by, hashed = "0", ROW
    if count >= PART_ROWS:
        key = "report_id" if with_report and reported == count else ROW  # rows without one: by row
        by = f"hash({key}) % {PARTS}"
        written = WRITTEN_AT.get(table)
        hashed = f"report_id, {written}" if key == "report_id" and written in names else ROW
    sums = con.execute(
        f'select {by} as {PART_COLUMN}, count(*), sum(hash({hashed})::hugeint) from {schema}."{table}" {ROW} '
        f"group by {PART_COLUMN} order by {PART_COLUMN}"
    ).fetchall()
    parts = {f"{p:02d}": f"{n}|{total}" for p, n, total in sums} or {"00": "0|0"}
    # the writer too: parts written by another DuckDB are written again, not mixed with new ones
    layout = {"columns": [list(c) for c in columns], "by": by, "hashed": hashed, "writer": duckdb.__version__}
    return {**layout, "parts": parts}, count


def _write_parts(con: duckdb.DuckDBPyConnection, table: str, by: str, parts: list[int], folder: Path) -> None:
    """The rows of ``parts`` in one pass, as part-<NN>-<k>.parquet files in ``folder``."""
    spill = folder.parent / f".{folder.name}.parts"
    where = f"{by} in ({', '.join(map(str, parts))})"
    if by.startswith("hash(report_id)"):  # the reports first, then their rows: a third of a filtered scan
        where = f"report_id in (select report_id from {table} where {where})"
    con.execute(
        f"copy (select *, {by} as {PART_COLUMN} from {table} {ROW} where {where}) "
        f"to {_quoted(spill)} (format parquet, partition_by ({PART_COLUMN}))"
    )
    for directory in spill.iterdir():  # <PART_COLUMN>=<n>/data_<k>.parquet
        part = int(directory.name.split("=", 1)[1])
        for k, file in enumerate(sorted(directory.glob("*.parquet"))):
            file.rename(folder / f"part-{part:02d}-{k}.parquet")
    shutil.rmtree(spill)


def _link_part(previous: Path, folder: Path, part: str) -> bool:
    """Hard-link the previous snapshot's files of ``part`` into ``folder``: a file outlives the
    older snapshot's pruning. False when they are gone or links are not possible (copy anew)."""
    files = list(previous.glob(f"part-{part}-*.parquet"))
    try:
        for file in files:
            os.link(file, folder / file.name)
    except OSError:
        for file in files:
            (folder / file.name).unlink(missing_ok=True)
        return False
    return bool(files)


def _fingerprints(snapshot: Path) -> dict[str, dict]:
    """The previous snapshot's fingerprints; none (copy everything) when there is no snapshot yet
    or it was written in an earlier layout."""
    try:
        found = json.loads((snapshot / FINGERPRINTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {t: f for t, f in found.items() if isinstance(f, dict) and isinstance(f.get("parts"), dict)}


def _quoted(path: Path) -> str:
    """A path as an SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def _prune(root: Path, keep: str) -> None:
    snapshots = sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))
    for old in [p for p in snapshots[:-KEEP] if p.name != keep]:
        shutil.rmtree(old, ignore_errors=True)
    for partial in root.glob(".*"):
        if keep not in partial.name:
            if partial.is_dir() and not partial.is_symlink():
                shutil.rmtree(partial, ignore_errors=True)
            else:
                partial.unlink(missing_ok=True)


def export(warehouse: Path, out: Path, as_csv: bool, bom: bool, tables: list[str] | None = None) -> list[Path]:
    """Copy the current snapshot's tables to ``out``: Parquet as published, or CSV (UTF-8, with a
    byte-order mark when ``bom``, which Excel needs to show Chinese). Reads only the snapshot."""
    snapshot = current_path(warehouse).resolve()  # once: a refresh may switch it meanwhile
    if not snapshot.is_dir():
        raise FileNotFoundError(f"nothing published yet beside {warehouse}: run `ogi refresh` first")
    available = sorted(p.stem for p in snapshot.glob("*.parquet"))
    unknown = sorted(set(tables or ()) - set(available))
    if unknown:
        raise KeyError(f"no published table {', '.join(unknown)}; published: {', '.join(available)}")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with duckdb.connect() as con:
        for table in tables or available:
            source = f"select * from read_parquet({_quoted(snapshot / f'{table}.parquet' / '*.parquet')})"
            if not as_csv:  # one file per table, whatever the parts it is published in
                target = out / f"{table}.parquet"
                partial = out / f".{table}.parquet.partial"
                con.execute(f"copy ({source}) to {_quoted(partial)} (format parquet)")
                written.append(partial.replace(target))
                continue
            target = out / f"{table}.csv"
            plain = out / f".{table}.csv.partial"
            con.execute(f"copy ({source}) to {_quoted(plain)} (header, delimiter ',')")
            if bom:
                with target.open("wb") as dst, plain.open("rb") as src:
                    dst.write(b"\xef\xbb\xbf")
                    shutil.copyfileobj(src, dst)
                plain.unlink()
            else:
                plain.replace(target)
            written.append(target)
    return written
