"""The read path: after each refresh the tables analysts query are written as Parquet into a new
snapshot folder, with a small DuckDB file of views over them, and switched in atomically.

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

FINGERPRINTS = "fingerprints.json"  # per table: columns, row count and a sum of row hashes
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
    """A link to the current snapshot's folder of Parquet files, one per table."""
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
    rows, fingerprints, reused = {}, {}, []
    for schema, table in tables:
        fingerprints[table], rows[table] = _fingerprint(con, schema, table)
        target = work / f"{table}.parquet"
        # A table that did not change is linked from the previous snapshot: copying every mart on every
        # refresh took most of a small refresh at national scale.
        if published.get(table) == fingerprints[table] and _link(previous / target.name, target):
            reused.append(table)
        else:
            con.execute(f'copy (select * from {schema}."{table}") to {_quoted(target)} (format parquet)')
    (work / FINGERPRINTS).write_text(json.dumps(fingerprints, indent=1), encoding="utf-8")
    work.rename(snapshot)

    reader = root / f".{name}.duckdb"
    with duckdb.connect() as mem:
        mem.execute(f"attach {_quoted(reader)} as reader (storage_version '{READER_STORAGE}')")
        for _, table in tables:
            source = _quoted(snapshot / f"{table}.parquet")
            mem.execute(f'create view reader."{table}" as select * from read_parquet({source})')
        mem.execute("detach reader")
    os.replace(reader, reader_path(warehouse))  # atomic: a new connection sees the old or the new
    link = root / f".{name}.link"
    link.symlink_to(name)
    os.replace(link, current_path(warehouse))
    _prune(root, keep=name)
    return {"snapshot": str(snapshot), "tables": len(tables), "rows": rows, "reused": reused}


def _fingerprint(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> tuple[str, int]:
    """What a table holds, cheaply (hashing is several times faster than writing Parquet): its
    columns and types, its row count and the sum of its rows' hashes. Returns it and the count."""
    columns = con.execute(f'select column_name, column_type from (describe {schema}."{table}")').fetchall()
    sql = f'select count(*), coalesce(sum(hash(t)::hugeint), 0) from {schema}."{table}" t'
    count, total = con.execute(sql).fetchone()
    return f"{json.dumps(columns, ensure_ascii=False)}|{count}|{total}", count


def _fingerprints(snapshot: Path) -> dict[str, str]:
    try:
        return json.loads((snapshot / FINGERPRINTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no snapshot yet, or one from before fingerprints: copy everything


def _link(source: Path, target: Path) -> bool:
    """Hard-link ``source`` as ``target``: the file outlives the older snapshot's pruning."""
    try:
        os.link(source, target)
    except OSError:
        return False  # gone, or a file system without hard links: copy it anew
    return True


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
            source = snapshot / f"{table}.parquet"
            if not as_csv:
                written.append(Path(shutil.copyfile(source, out / source.name)))
                continue
            target = out / f"{table}.csv"
            plain = out / f".{table}.csv.partial"
            con.execute(
                f"copy (select * from read_parquet({_quoted(source)})) to {_quoted(plain)} (header, delimiter ',')"
            )
            if bom:
                with target.open("wb") as dst, plain.open("rb") as src:
                    dst.write(b"\xef\xbb\xbf")
                    shutil.copyfileobj(src, dst)
                plain.unlink()
            else:
                plain.replace(target)
            written.append(target)
    return written
