"""The ``ogi`` command line: extract, eval, refresh, export, fetch."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from extract.evaluate import Score, compare, find_document, load_truths
from extract.progress import progress_bar
from extract.report import extract_file, quarantined

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="OGI annual-report warehouse: extract, evaluate and refresh."
)
err = Console(stderr=True)


def _expand(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.is_file()))
        else:
            out.append(p)
    return out


@app.command()
def extract(
    files: list[Path] = typer.Argument(..., help="Report files or folders."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per file per line."),
    with_sections: bool = typer.Option(False, "--sections", help="Include section texts in the JSON."),
) -> None:
    """Extract the tables of report files."""
    paths = _expand(files)
    table = Table("file", "status", "agency", "year", "format", "表三 rows", "issues")
    with progress_bar(len(paths)) as bar:
        task = bar.add_task("extract", total=len(paths))
        for p in paths:
            if not p.exists():
                result = {**quarantined(p, "not_found", "no such file"), "file": str(p)}
            else:
                result = extract_file(p)
            if as_json:
                if not with_sections:
                    result.pop("sections", None)
                sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
            else:
                r = result["report"]
                table.add_row(
                    str(p),
                    result["status"],
                    str(r.get("agency")),
                    str(r.get("year")),
                    str(r.get("format_version")),
                    str(len(result["table3"])),
                    "; ".join(i["code"] for i in result["issues"]),
                )
            bar.advance(task)
    if not as_json:
        Console().print(table)


@app.command("eval")
def evaluate(
    truth_dir: Path = typer.Argument(..., exists=True, file_okay=False, help="Folder of truth JSON files."),
    docs_dir: Path = typer.Argument(..., exists=True, file_okay=False, help="Folder holding the documents."),
    as_json: bool = typer.Option(False, "--json", help="Print the score as JSON."),
    min_accuracy: float = typer.Option(0.0, help="Exit 1 when cell accuracy is below this (0-1)."),
) -> None:
    """Score extraction against truth files: cell accuracy, reports exactly right, every mismatch."""
    score = Score()
    truths = load_truths(truth_dir)
    if not truths:
        err.print(f"[red]No truth files (*.json) in {truth_dir}[/red]")
        raise typer.Exit(2)
    for truth in truths:
        doc = find_document(docs_dir, truth["file"])
        if doc is None:
            score.missing_docs.append(truth["file"])
            continue
        compare(truth, extract_file(doc), score)
    summary = {
        "reports": score.reports,
        "reports_exact": score.reports_exact,
        "cells": score.cells,
        "cells_right": score.cells_right,
        "cell_accuracy": round(score.cell_accuracy, 6),
        "metadata_fields": score.fields,
        "metadata_right": score.fields_right,
        "metadata_by_field": score.by_field,
        "cells_flagged_unread": score.cells_unread,
        "silent_errors": score.silent_errors,
        "reports_by_status": score.by_status,
        "missing_documents": score.missing_docs,
        "mismatches": score.mismatches,
    }
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        c = Console()
        c.print(f"reports: {score.reports} ({score.reports_exact} exactly right)")
        c.print(f"cells: {score.cells_right}/{score.cells} = {score.cell_accuracy:.2%}")
        c.print(
            f"metadata fields: {score.fields_right}/{score.fields} ("
            + ", ".join(f"{k} {r}/{n}" for k, (r, n) in score.by_field.items())
            + ")"
        )
        c.print(f"statuses: {score.by_status}; cells flagged unread: {score.cells_unread}")
        c.print(f"silent errors (wrong in a report called ok): {score.silent_errors}")
        for m in score.mismatches:
            silent = " [red](silent)[/red]" if m.get("silent") else ""
            c.print(f"  {m['file']}  {m['where']}: truth {m['truth']!r}, got {m['got']!r}{silent}")
        for name in score.missing_docs:
            c.print(f"  [yellow]document not found for truth {name}[/yellow]")
    if score.missing_docs or score.cell_accuracy < min_accuracy:
        raise typer.Exit(1)


@app.command()
def refresh(
    landing: Path = typer.Option(None, help="Folder of report files (default: the bundled samples)."),
    warehouse: Path = typer.Option(None, help="DuckDB file (default: warehouse/ogi.duckdb)."),
    alerts: Path = typer.Option(None, help="JSONL file for new data-quality alerts (default: beside the warehouse)."),
    full: bool = typer.Option(False, "--full", help="Extract every file again, not only new or changed ones."),
    wait: float = typer.Option(600, help="Seconds to wait for another refresh of the same warehouse."),
) -> None:
    """Refresh the warehouse headless: the same Dagster job as the UI, run in process."""
    from dagster_project.refresh import run_refresh

    if alerts is not None:
        os.environ["OGI_ALERTS"] = str(alerts.resolve())
    code = run_refresh(landing=landing, warehouse=warehouse, console=err, full=full, wait=wait)
    raise typer.Exit(code)


@app.command()
def export(
    out: Path = typer.Option(..., help="Folder to write the files to."),
    as_csv: bool = typer.Option(False, "--csv", help="CSV (UTF-8) instead of Parquet."),
    bom: bool = typer.Option(False, "--bom", help="Begin each CSV with a UTF-8 byte-order mark (for Excel)."),
    table: list[str] = typer.Option(None, help="Only these tables (repeatable); default all published."),
    warehouse: Path = typer.Option(None, help="DuckDB file (default: warehouse/ogi.duckdb)."),
) -> None:
    """Export the published tables (the last refresh's snapshot) as Parquet or CSV; never blocks a refresh."""
    from dagster_project.publish import export as export_tables
    from runtime.settings import warehouse_path

    if warehouse is not None:
        os.environ["OGI_WAREHOUSE"] = str(warehouse.resolve())
    try:
        written = export_tables(warehouse_path(), out, as_csv, bom, table)
    except (FileNotFoundError, KeyError) as e:
        err.print(f"[red]{e.args[0]}[/red]")
        raise typer.Exit(2) from None
    err.print(f"{len(written)} file(s) written to {out}")


@app.command()
def fetch(
    urls: Path = typer.Option(
        ..., exists=True, dir_okay=False, help="URL list: one per line, optionally ,agency,year."
    ),
    landing: Path = typer.Option(..., help="Landing folder for the fetched documents."),
    warehouse: Path = typer.Option(None, help="DuckDB file holding the fetch log (default: warehouse/ogi.duckdb)."),
    alerts: Path = typer.Option(None, help="JSONL file for report_changed alerts (default: beside the warehouse)."),
) -> None:
    """Fetch report pages and their attachments politely; detect reports changed after publication."""
    if warehouse is not None:
        os.environ["OGI_WAREHOUSE"] = str(warehouse.resolve())
    if alerts is not None:
        os.environ["OGI_ALERTS"] = str(alerts.resolve())
    import duckdb

    from acquire.run import run_fetch
    from alerting.sinks import Sinks
    from runtime.lock import LockTimeout
    from runtime.settings import alerts_path, warehouse_path

    if landing.exists() and not landing.is_dir():
        err.print(f"[red]the landing folder {landing} is a file, not a folder[/red]", soft_wrap=True)
        raise typer.Exit(2)
    try:
        summary = run_fetch(urls, landing.resolve(), warehouse_path(), Sinks.from_env(alerts_path()))
    except (duckdb.Error, LockTimeout, OSError, ValueError) as exc:  # the warehouse or a setting, not a site
        err.print(f"[red]fetch stopped: {str(exc).splitlines()[0][:300]}[/red]", soft_wrap=True)
        raise typer.Exit(3) from None
    print(json.dumps(summary, ensure_ascii=False))


@app.command()
def discover(
    page: Path = typer.Argument(..., exists=True, dir_okay=False, help="A saved listing page (HTML)."),
    base_url: str = typer.Option(..., help="The page's URL, to resolve relative links."),
) -> None:
    """List the annual-report links (title, year, URL) on a site's listing page."""
    from acquire.discover import report_links
    from extract.readers.html import decode_html

    text, _, _ = decode_html(page.read_bytes())
    for link in report_links(text, base_url):
        print(json.dumps(link, ensure_ascii=False))


if __name__ == "__main__":
    app()
