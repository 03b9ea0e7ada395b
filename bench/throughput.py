"""Extraction throughput per core, by format, on generated reports and the bundled samples.

    python -m bench.throughput [--n 280] [--out docs/benchmarks.md]

One process, one core: reports/s is what a single worker does. Each file is read from disk and
extracted fully (tables, cells with provenance, sections)."""

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=280)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), args.n, seed=1)
        generated = measure(sorted((Path(tmp) / "docs").iterdir()))
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
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
