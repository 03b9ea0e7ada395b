"""Refresh at national scale: for each corpus size, a full refresh of a synthetic national corpus
(split into extraction, loading, dbt, rules), a refresh with nothing new, and three refreshes each
after one new report arrives (the median is tabled: this kind of machine varies); peak memory of
the whole process tree; and whether the rules found exactly the errors the generator injected.

    python -m bench.refresh_scale [--sizes 1000,10000] [--corpora DIR] [--mix html=0.6,text=0.3,docx=0.05,pdf=0.05]
                                  [--out docs/benchmarks.md]

Corpora are generated with bench.national into DIR/nat<N> (kept and reused: making 100,000
documents, PDFs with LibreOffice, takes longer than reading them). Times are wall-clock seconds
of `ogi refresh` in a fresh process, as a user runs it."""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import psutil

from .national import MIX, _parse_mix, generate_national
from .sections import write_section

ROOT = Path(__file__).resolve().parent.parent
HARD_RULES = ("R01", "R02", "R03", "R05", "R08", "R09", "R10")
NEW_PREFIX = "zz-new-"  # reports added after the full refresh, one per "one new report" run
ONE_NEW_RUNS = 3


class PeakMemory:
    """Samples the summed RSS of a process and its descendants every 0.2 s."""

    def __init__(self, pid: int):
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.process, *self.process.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.2)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def refresh(landing: Path, warehouse: Path) -> dict:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ogi", "refresh", "--landing", str(landing), "--warehouse", str(warehouse)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "400"},
    )
    memory = PeakMemory(proc.pid)
    out, err = proc.communicate()
    peak = memory.stop()
    if proc.returncode != 0:
        raise SystemExit(err[-3000:])
    log = out + err
    steps = dict(re.findall(r"(\w+) ([\d.]+)(?:,|$)", log[log.rindex("step seconds:") :].split("\n")[0]))
    raw = re.search(r"extraction ([\d.]+) s \(waiting on workers\), loading ([\d.]+) s", log)
    return {
        "seconds": time.perf_counter() - start,
        "peak_mb": peak / 1e6,
        "extract": float(raw.group(1)) if raw else 0.0,
        "load": float(raw.group(2)) if raw else 0.0,
        "raw": float(steps.get("raw_tables", 0)),
        "dbt": float(steps.get("ogi_dbt_models", 0)),
        "rules": float(steps.get("dq_rule_results", 0)) + float(steps.get("rule_checks", 0)),
        "alerts_page": float(steps.get("dq_alerts", 0)) + float(steps.get("dq_report", 0)),
    }


def rule_accuracy(warehouse: Path, truth_dir: Path) -> tuple[int, int, int]:
    """(injected errors, of which found, unexpected hard-rule findings) over report x rule."""
    expected = set()
    for path in truth_dir.glob("*.json"):
        truth = json.loads(path.read_text(encoding="utf-8"))
        expected |= {(truth["file"], v["rule"]) for v in truth.get("rule_violations", [])}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = set(
            con.execute(
                """select distinct r.file_name, d.rule_id
                   from main.dq_rule_results d join raw.reports r using (report_id)
                   where d.status in ('fail', 'warn') and d.variant = 'strict'
                     and list_contains(?, left(d.rule_id, 3)) and r.file_name not like ?""",
                [list(HARD_RULES), f"{NEW_PREFIX}%"],
            ).fetchall()
        )
    return len(expected), len(expected & found), len(found - expected)


def corpus(corpora: Path, n: int, mix: dict[str, float]) -> Path:
    folder = corpora / f"nat{n}"
    if not (folder / "agencies.csv").exists():  # written last: a complete corpus
        shutil.rmtree(folder, ignore_errors=True)
        generate_national(folder, n, seed=n, mix=mix)
    return folder


def run_size(folder: Path, n: int, mix: dict[str, float]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Path(tmp) / "w.duckdb"
        landing = folder / "docs"
        full = refresh(landing, warehouse)
        nothing = refresh(landing, warehouse)
        extras = generate_national(Path(tmp) / "extra", ONE_NEW_RUNS, seed=n + 1, mix={"html": 1.0})
        arrived = [landing / f"{NEW_PREFIX}{extra.name}" for extra in extras]
        ones = []
        try:
            for extra, path in zip(extras, arrived, strict=True):  # one more report per refresh
                shutil.copy(extra, path)
                ones.append(refresh(landing, warehouse))
        finally:
            for path in arrived:
                path.unlink(missing_ok=True)
        one = sorted(ones, key=lambda m: m["seconds"])[len(ones) // 2]
        injected, found, unexpected = rule_accuracy(warehouse, folder / "truth")
        size = warehouse.stat().st_size
    return {"n": n, "full": full, "nothing": nothing, "one": one, "ones": [m["seconds"] for m in ones],
            "size_mb": size / 1e6, "injected": injected, "found": found, "unexpected": unexpected}  # fmt: skip


def table(results: list[dict], mix: dict[str, float]) -> str:
    shares = ", ".join(f"{k} {v:.0%}" for k, v in mix.items())
    rows = [
        "## Refresh at scale",
        "",
        f"`python -m bench.refresh_scale` on {platform.machine()}, {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GB, Python {platform.python_version()}. Synthetic national "
        f"corpora (`bench/national.py`: agencies across provinces and levels, consecutive years, 3% with an "
        f"injected error), formats {shares}. Wall-clock seconds of `ogi refresh` in a fresh process; the "
        "split comes from the run's own step timings (extraction is the wall time spent waiting on the "
        "worker processes; rules are the GX judging plus the 21 asset checks). Peak memory is the summed RSS "
        "of the refresh process and its workers.",
        "",
        "| reports | refresh | total s | extract s | load s | dbt s | rules s | alerts+page s | peak memory |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        one = f"one new report (median of {len(r['ones'])})"
        for label, key in (("full", "full"), ("nothing new", "nothing"), (one, "one")):
            m = r[key]
            rows.append(
                f"| {r['n']:,} | {label} | {m['seconds']:.1f} | {m['extract']:.1f} | {m['load']:.1f} | "
                f"{m['dbt']:.1f} | {m['rules']:.1f} | {m['alerts_page']:.1f} | {m['peak_mb'] / 1000:.1f} GB |"
            )
    rows += [
        "",
        "One new report, each run (a new report arrives before each): "
        + "; ".join(f"{r['n']:,}: " + " / ".join(f"{s:.1f}" for s in r["ones"]) + " s" for r in results)
        + ". The rule accuracy below is over the corpus (the added reports have no truth there).",
        "",
        "| reports | warehouse file | injected errors (report × rule) | found | unexpected hard-rule findings |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        rows.append(f"| {r['n']:,} | {r['size_mb']:.0f} MB | {r['injected']} | {r['found']} | {r['unexpected']} |")
    return "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--corpora", type=Path, default=Path(tempfile.gettempdir()) / "ogi-bench")
    parser.add_argument("--mix", type=_parse_mix, default=MIX)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    results = []
    for n in (int(x) for x in args.sizes.split(",")):
        folder = corpus(args.corpora, n, args.mix)
        results.append(run_size(folder, n, args.mix))
        print(table(results, args.mix), flush=True)
    if args.out:
        write_section(args.out, table(results, args.mix))


if __name__ == "__main__":
    main()
