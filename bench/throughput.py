"""Extraction throughput per core, by format, on generated reports and the bundled samples, with
the obvious alternative in the same run.

    python -m bench.throughput [--n 280] [--scans 12] [--out docs/benchmarks.md]

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

from .generate import HARD_SHAPES, LEGACY_SHAPES, PRINTED_SHAPES, generate
from .scans import scan_section

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


def measure_recovery(files: list[Path]) -> list[float]:
    """Milliseconds per run-together report spent splitting its runs (best of 3 per report)."""
    from extract.claims import narrative_claims
    from extract.glued import read_glued
    from extract.locate import locate
    from extract.readers import read
    from extract.report import _sections

    out = []
    for p in files:
        doc = read(p)
        claims = {c["claim_key"]: c["value"] for c in narrative_claims(_sections(doc, locate(doc)))}
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            read_glued(doc, claims)
            best = min(best, time.perf_counter() - start)
        out.append(best * 1000)
    return sorted(out)


def score_shapes(root: Path) -> dict[str, dict]:
    """Per generated shape: 表三/表四 cells exact, left unread (flagged), wrong; wrong values in reports
    called ok; agency and year right; reports exact, flagged; and, for 表四 of the run-together
    dumps, how many tables have more than one split that keeps every identity (no reader that does
    not guess can be exact on those)."""
    import json

    from extract.arithmetic import make_run, split_groups
    from extract.evaluate import Score, compare

    out: dict[str, dict] = {}
    for truth_path in sorted((root / "truth").glob("*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        got = extract_file(root / "docs" / truth["file"])
        score = Score()
        compare(truth, got, score)
        row = out.setdefault(
            truth["generated_as"],
            dict.fromkeys(
                (
                    "reports",
                    "exact",
                    "flagged",
                    "cells",
                    "right",
                    "unread",
                    "silent",
                    "meta",
                    "meta_right",
                    "t4_ambiguous",
                ),
                0,
            ),
        )
        t34 = [m for m in score.mismatches if m["where"].startswith(("table3", "table4"))]
        n34 = sum(len(c) for t in ("table3", "table4") for c in truth[t].values())
        row["reports"] += 1
        row["exact"] += score.reports_exact
        row["flagged"] += got["status"] == "flagged"
        row["cells"] += n34
        row["right"] += n34 - len(t34)
        row["unread"] += sum(m["got"] == "<flagged unread>" for m in t34)
        row["silent"] += score.silent_errors
        row["meta"] += 2
        row["meta_right"] += sum(score.by_field[f][0] for f in ("agency", "year"))
        if truth["generated_as"] == "run_together":
            t4 = "".join(str(truth["table4"][p][o]) for p in truth["table4"] for o in truth["table4"][p])
            row["t4_ambiguous"] += len(split_groups(make_run(t4), 3, 5) or []) > 1
    return out


def shape_row(shape: str, r: dict, last: str) -> str:
    wrong = r["cells"] - r["right"] - r["unread"]
    return (
        f"| {shape} | {r['reports']} | {r['exact']} | {r['flagged']} | {r['cells']} | "
        f"{r['right'] / r['cells']:.2%} | {r['unread']} | {wrong} | {r['silent']} | {last} |"
    )


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
    parser.add_argument("--hard", type=int, default=600, help="reports of the shapes that lose structure")
    parser.add_argument("--printed", type=int, default=70, help="printed PDFs and legacy Office files")
    parser.add_argument("--scans", type=int, default=12, help="scans and pictured reports, read by OCR")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), args.n, seed=1)
        files = sorted((Path(tmp) / "docs").iterdir())
        generated = measure(files)
        alternatives = measure_alternatives(files)
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), args.hard, seed=2, formats=HARD_SHAPES)
        hard = score_shapes(Path(tmp))
        dumps = sorted((Path(tmp) / "docs").glob("*run_together*"))
        recovery = measure_recovery(dumps)
        whole = measure(dumps)["text"]
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), args.printed, seed=3, formats=PRINTED_SHAPES + LEGACY_SHAPES)
        printed = score_shapes(Path(tmp))
        per_file = {}
        for shape in PRINTED_SHAPES + LEGACY_SHAPES:
            paths = sorted((Path(tmp) / "docs").glob(f"*_{shape}.*"))
            start = time.perf_counter()
            for p in paths:
                extract_file(p)
            per_file[shape] = (time.perf_counter() - start) / max(1, len(paths))
    scans = scan_section(args.scans) if args.scans else []
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
    median, worst = recovery[len(recovery) // 2], recovery[-1]
    lines += [
        "",
        "## Run-together cells, rows on one line, metadata in one place",
        "",
        f"`--hard {args.hard}` reports of the shapes that lose structure (`bench.generate.HARD_SHAPES`): crawler",
        "dumps whose table cells ran together (numbered labels or not, on one line or a line per row, a quarter",
        "with an error printed in the report itself), markdown with two 表三 rows on one line (and in a quarter",
        "the 表四 heading drifted above 表三's last rows), and agency and",
        "year stated in one place only (page title, meta, page field, signature + statistics period, document",
        "properties, file name) or in conflicting places, or nowhere. A cell left unread is null and flagged",
        "`ambiguous_split`; a silent error is a wrong value or field in a report whose status is `ok`.",
        "",
        "| shape | reports | exact | flagged | 表三/表四 cells | exact | left unread | wrong | silent errors "
        "| agency + year right |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [shape_row(shape, r, f"{r['meta_right']}/{r['meta']}") for shape, r in hard.items()]
    rt = hard.get("run_together", {})
    lines += [
        "",
        f"表四 of the run-together dumps: {rt.get('t4_ambiguous', 0)} of {rt.get('reports', 0)} tables as generated "
        "have more than one split that keeps the three 总计 (e.g. `0110011…` is 0|1|10|0|11 or 0|11|0|0|11): no",
        "reader that does not guess can be exact on them. Their cells that every such split reads alike (same",
        "digits in the same place: here 维持 0 and 总计 11) are kept, flagged `same_in_every_split`; the others",
        "are left unread and flagged.",
        "",
        f"Splitting the runs: median {median:.2f} ms, slowest {worst:.2f} ms per report (goal ≤ 20 ms); the whole",
        f"extraction of these dumps {whole[0] / whole[1]:.0f} reports/s per core.",
    ]
    lines += [
        "",
        "## Printed PDFs and legacy Office files",
        "",
        f"`--printed {args.printed}` reports: web pages printed to PDF (A4) by LibreOffice (`pdf_lo`, as offices",
        "make their attachments) and by Chromium (`pdf_chromium`), read from the ruling lines the PDF draws; and",
        "legacy Office files made by LibreOffice from generated DOCX and XLSX (.wps and .et are the WPS",
        "Office names of .doc and .xls), converted back by LibreOffice headless (a private profile per",
        "conversion) and read as DOCX / XLSX. Seconds per file include the conversion.",
        "",
        "| shape | reports | exact | flagged | 表三/表四 cells | exact | left unread | wrong | silent errors "
        "| seconds per file |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [shape_row(shape, r, f"{per_file[shape]:.3f}") for shape, r in printed.items()]
    lines += ["", *scans] if scans else []
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        # the sections other benchmarks write (bench.ocr_candidates, bench.refresh_scale) are kept
        marker = next((m for m in ("## OCR candidates", "## Refresh at scale") if m in current), None)
        rest = current[current.index(marker) :] if marker else ""
        args.out.write_text(text + ("\n" + rest if rest else ""), encoding="utf-8")


if __name__ == "__main__":
    main()
