"""Extraction throughput per core, by format, on generated reports and the bundled samples, with
the obvious alternative in the same run.

    python -m bench.throughput [--n 280] [--out docs/benchmarks.md]

One process, one core: reports/s is what a single worker does. Each file is read from disk and
extracted fully (tables, cells with provenance, sections). The alternative a user would reach for
reads only the tables, as grids of strings, with no labels mapped, no values typed and no
provenance: ``pandas.read_html`` (lxml) for HTML, ``pdfplumber``'s ``extract_tables`` for PDF."""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from extract.report import extract_file

from .generate import generate

ROOT = Path(__file__).resolve().parent.parent
GOALS = {"html": 200, "text": 200, "pdf": 30}


def _group(path: Path) -> str:
    ext = path.suffix.lower()
    return {".html": "html", ".txt": "text", ".pdf": "pdf", ".docx": "docx"}.get(ext, ext)


def measure(files: list[Path], repeat: int = 3) -> dict[str, tuple[int, float]]:
    """Best of ``repeat`` passes: (files, seconds) per format group."""
    by_group: dict[str, list[Path]] = defaultdict(list)
    for f in files:
        by_group[_group(f)].append(f)
    out = {}
    for group, paths in sorted(by_group.items()):
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            for p in paths:
                extract_file(p)
            best = min(best, time.perf_counter() - start)
        out[group] = (len(paths), best)
    return out


def _read_html_tables(path: Path) -> None:
    import pandas as pd

    try:
        pd.read_html(path, flavor="lxml")
    except ValueError:  # no <table>: what a user of read_html gets for a flattened page
        pass


def _pdfplumber_tables(path: Path) -> None:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_tables()


ALTERNATIVES = {"html": ("pandas.read_html", _read_html_tables), "pdf": ("pdfplumber", _pdfplumber_tables)}


def measure_alternatives(files: list[Path]) -> dict[str, tuple[str, int, float]]:
    """Best of 3 passes of the alternative, per format group it covers."""
    out = {}
    for group, (name, read) in ALTERNATIVES.items():
        paths = [f for f in files if _group(f) == group]
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for p in paths:
                read(p)
            best = min(best, time.perf_counter() - start)
        out[group] = (name, len(paths), best)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=280)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), args.n, seed=1)
        files = sorted((Path(tmp) / "docs").iterdir())
        generated = measure(files)
        alternatives = measure_alternatives(files)
    samples = measure(sorted((ROOT / "data" / "samples").iterdir()))
    lines = [
        "# Extraction throughput",
        "",
        f"Measured by `make bench` (`python -m bench.throughput --n {args.n}`) on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; one process, best of 3 passes.",
        "",
        "| corpus | format | files | seconds | reports/s per core | goal |",
        "|---|---|---|---|---|---|",
    ]
    for name, result in (("generated", generated), ("bundled samples", samples)):
        for group, (n, secs) in result.items():
            goal = GOALS.get(group)
            lines.append(f"| {name} | {group} | {n} | {secs:.3f} | {n / secs:.0f} | {f'≥ {goal}' if goal else ''} |")
    lines += [
        "",
        "Against the obvious alternative, same generated files, same run. The alternative only parses the",
        "tables into grids of strings; ours also locates the statutory tables, maps every label to its",
        "canonical key, types every value, keeps provenance and reads the narrative sections.",
        "",
        "| format | alternative | files | alternative reports/s | ours reports/s | ours ÷ alternative |",
        "|---|---|---|---|---|---|",
    ]
    for group, (name, n, secs) in alternatives.items():
        ours = generated[group][0] / generated[group][1]
        lines.append(f"| {group} | {name} | {n} | {n / secs:.0f} | {ours:.0f} | {ours / (n / secs):.1f}× |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        rest = current[current.index("## Refresh at scale") :] if "## Refresh at scale" in current else ""
        args.out.write_text(text + ("\n" + rest if rest else ""), encoding="utf-8")


if __name__ == "__main__":
    main()
