"""Refresh at scale: a full refresh of N generated reports, a refresh with nothing new, and a
refresh after one new report arrives.

    python -m bench.refresh_scale [--n 2000] [--out docs/benchmarks.md]

Uses the text and HTML shapes of the generator (PDF/DOCX need LibreOffice per file and measure
the converter, not the warehouse). Times are wall-clock seconds of `ogi refresh` on this machine."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .generate import generate

SHAPES = ("html", "html_gbk", "tsv", "cell_per_line", "markdown")
ROOT = Path(__file__).resolve().parent.parent


def refresh(landing: Path, warehouse: Path) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "extract.cli", "refresh", "--landing", str(landing), "--warehouse", str(warehouse)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return time.perf_counter() - start, proc.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root / "corpus", args.n, seed=3, formats=SHAPES)
        landing, warehouse = root / "corpus" / "docs", root / "w.duckdb"
        full, log = refresh(landing, warehouse)
        evaluations = re.search(r"rule evaluations by status: (\{.*?\})", log)
        nothing, _ = refresh(landing, warehouse)
        generate(root / "more", 1, seed=4, formats=SHAPES, start=args.n)
        new = next((root / "more" / "docs").iterdir())
        new.rename(landing / new.name)
        one, _ = refresh(landing, warehouse)
        size = warehouse.stat().st_size
    rows = [
        "## Refresh at scale",
        "",
        f"`python -m bench.refresh_scale --n {args.n}` ({os.cpu_count()} cores): `ogi refresh` wall-clock seconds "
        "(Dagster job in process: extraction, dbt build with its tests, GX rule evaluation, alerts, DQ page).",
        "",
        "| refresh | seconds |",
        "|---|---|",
        f"| full, {args.n} new reports | {full:.1f} |",
        f"| again, nothing new | {nothing:.1f} |",
        f"| one new report among {args.n} | {one:.1f} |",
        "",
        f"Warehouse file: {size / 1e6:.0f} MB. Rule evaluations: {evaluations.group(1) if evaluations else '?'}.",
        "Only extraction is incremental so far: dbt and the rule evaluation rebuild every table each time, so",
        "a refresh after one new report costs about the fixed part of a full one.",
    ]
    text = "\n".join(rows) + "\n"
    print(text)
    if args.out:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        current = current.split("## Refresh at scale")[0].rstrip() + "\n\n" if current else ""
        args.out.write_text(current + text, encoding="utf-8")


if __name__ == "__main__":
    main()
