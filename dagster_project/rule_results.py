"""Keeping main.dq_rule_results in step with the rule operands dbt computed.

Only reports whose operands were rebuilt since the last evaluation are judged again (all of them
after a full dbt build, or when the rule catalogue changed); rows of reports no longer loaded are
dropped. Each judged row names the source cells it read; the table main.dq_findings adds what
those cells print and where (kept for findings only, in main.dq_finding_cells)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from expectations.catalogue import rules
from expectations.runner import Judge

DQ_TABLE = "main.dq_rule_results"
OPERANDS = "intermediate.int_rule_operands"
STATE_TABLE = "main.dq_judge_state"
SUMMARY_TABLE = "main.dq_report_summary"
FINDING_CELLS = "main.dq_finding_cells"
NEW_FINDINGS = "main.dq_new_findings"  # the findings of the reports the last judging run judged
CHUNK_REPORTS = 5_000  # reports judged at a time (about 90 evaluations each)


def findings_sql(where: str) -> str:
    """Findings (fail, warn) whose result rows match ``where``, with the source cells they read,
    as printed and where. The rows are filtered before the cells are looked up."""
    return f"""
    select d.*, (
        select list(struct_pack(
            cell := u.cell, raw := c.raw_text, value := c.value, page := c.page, line := c.line_no,
            char_offset := c.char_offset, prov := c.prov_json
        ) order by list_position(d.source_cells, u.cell))
        from unnest(d.source_cells) as u(cell)
        join {FINDING_CELLS} c on c.report_id = d.report_id and c.cell = u.cell
    ) as source_provenance
    from (select * from {DQ_TABLE} where status in ('fail', 'warn') and ({where})) d"""


_DDL = f"""
create table if not exists {DQ_TABLE} (
    evaluation_id varchar, report_id varchar, rule_id varchar, rule_version integer, scope varchar,
    variant varchar, lhs double, rhs double, delta double, status varchar, reason varchar,
    severity varchar, source_cells varchar[], evaluated_at timestamp, operands_built_at timestamp
);
alter table {DQ_TABLE} drop column if exists source_provenance;
-- the operands build whose every report has been judged (written after the last chunk commits)
create table if not exists {STATE_TABLE} as select max(operands_built_at) as judged_through from {DQ_TABLE};
-- kept with the results, chunk by chunk, so that the data-quality page and the alerts read
-- thousands of rows rather than the millions of results and cells of a national warehouse:
-- strict evaluations by status per report, and the cells the findings read, as printed and where
create table if not exists {SUMMARY_TABLE} (
    report_id varchar, n_fail integer, n_warn integer, n_pass integer, n_na integer);
create table if not exists {FINDING_CELLS} (
    report_id varchar, cell varchar, raw_text varchar, value double, page integer, line_no integer,
    char_offset integer, prov_json varchar);
"""
FINDINGS_TABLE = "main.dq_findings"  # findings (fail, warn) with the source cells they read, as printed and where


def _create_findings(con: duckdb.DuckDBPyConnection) -> None:
    """The findings table, kept chunk by chunk like the summary (it was a view: every reader, the
    published snapshot among them, looked up the source cells of every finding again)."""
    kind = con.execute(
        "select table_type from information_schema.tables where table_schema = 'main' and table_name = 'dq_findings'"
    ).fetchall()
    if kind == [("VIEW",)]:
        con.execute(f"drop view {FINDINGS_TABLE}")
    if kind != [("BASE TABLE",)]:
        con.execute(f"create table {FINDINGS_TABLE} as {findings_sql('true')}")


def _needs_full(con: duckdb.DuckDBPyConnection) -> bool:
    """True when any stored result was judged by another version of its rule (or none exist), or
    the results predate the per-report summary."""
    stored = dict(con.execute(f"select distinct rule_id, rule_version from {DQ_TABLE}").fetchall())
    summarised = con.execute(f"select count(*) from {SUMMARY_TABLE}").fetchone()[0]
    return not stored or not summarised or any(stored.get(r.id) != r.version for r in rules())


def _replace_derived(con: duckdb.DuckDBPyConnection, chunk: str) -> None:
    """Rebuild the summary and the finding cells of the reports selected by ``chunk``."""
    con.execute(f"delete from {SUMMARY_TABLE} where {chunk}").fetchall()
    con.execute(
        f"""insert into {SUMMARY_TABLE}
            select report_id, count(*) filter (where status = 'fail'), count(*) filter (where status = 'warn'),
                   count(*) filter (where status = 'pass'), count(*) filter (where status = 'not_assessable')
            from {DQ_TABLE} where variant = 'strict' and {chunk} group by report_id"""
    ).fetchall()
    con.execute(f"delete from {FINDING_CELLS} where {chunk}").fetchall()
    con.execute(
        f"""insert into {FINDING_CELLS}
            with wanted as (
                select distinct report_id, unnest(source_cells) as cell
                from {DQ_TABLE} where status in ('fail', 'warn') and {chunk}
            )
            select w.report_id, w.cell, c.raw_text, c.value, c.page, c.line_no, c.char_offset, c.prov_json
            from wanted w
            join raw.cells c
                on c.report_id = w.report_id and c.table_name = split_part(w.cell, '.', 1)
                and c.row_key = split_part(w.cell, '.', 2) and c.col_key = split_part(w.cell, '.', 3)
            where c.{chunk}"""
    ).fetchall()
    con.execute(f"delete from {FINDINGS_TABLE} where {chunk}").fetchall()
    con.execute(f"insert into {FINDINGS_TABLE} by name {findings_sql(chunk)}").fetchall()


# what a result says, all but when it was judged
SAME_RESULT = (
    "{t}.report_id, {t}.rule_id, {t}.rule_version, {t}.scope, {t}.variant, {t}.lhs, {t}.rhs, {t}.delta, "
    "{t}.status, {t}.reason, {t}.severity, {t}.source_cells"
)


def update_rule_results(
    con: duckdb.DuckDBPyConnection, full: bool = False, docs_dir: Path | None = None
) -> dict[str, int]:
    """Judge the reports whose operands changed, a chunk of reports at a time, one transaction per
    chunk, so that memory stays bounded whatever the number of reports. The watermark moves only
    after the last chunk: an interrupted run is judged again in full by the next one. Returns
    counts of what was done."""
    con.execute(_DDL)
    _create_findings(con)
    started = datetime.now(UTC).replace(tzinfo=None)  # results judged by this run are evaluated after it
    # the findings before this run: a finding judged again (a full run, a new rule version) is not new
    con.execute(
        f"""create or replace temp table findings_before as
            select report_id, rule_id, scope, lhs, rhs from {DQ_TABLE}
            where status in ('fail', 'warn') and variant = 'strict'"""
    )
    full = full or _needs_full(con)
    since = "'-infinity'" if full else f"(select coalesce(max(judged_through), '-infinity') from {STATE_TABLE})"
    ids = [
        r
        for (r,) in con.execute(
            f"select distinct report_id from {OPERANDS} where built_at > {since} order by 1"
        ).fetchall()
    ]
    built_at = con.execute(f"select max(built_at) from {OPERANDS}").fetchone()[0]
    gone = "report_id not in (select report_id from staging.stg_reports)"
    dropped = 0
    # every judged report has a summary row: look there before scanning millions of results
    if full or con.execute(f"select count(*) from {SUMMARY_TABLE} where {gone}").fetchall()[0][0]:
        dropped = con.execute(f"delete from {DQ_TABLE} where {gone}").fetchone()[0]
        for table in (SUMMARY_TABLE, FINDING_CELLS, FINDINGS_TABLE):
            con.execute(f"delete from {table} where {gone}").fetchall()
    judge = Judge(docs_dir) if ids else None  # GX's context and checkpoint, once per run
    evaluations = 0
    for start in range(0, len(ids), CHUNK_REPORTS):
        con.register("chunk_ids", pd.DataFrame({"report_id": ids[start : start + CHUNK_REPORTS]}, dtype=object))
        chunk = "report_id in (select report_id from chunk_ids)"
        # built_at grows with every build: the filter lets DuckDB skip the row groups of older builds
        chunk_operands = f"{OPERANDS} where built_at > {since} and {chunk}"
        operands = con.execute(f"select * exclude (source_cells) from {chunk_operands}").df()
        reports = con.execute(f"select report_id, format_version from staging.stg_reports where {chunk}").df()
        results = judge(operands, reports)
        results["operands_built_at"] = built_at
        evaluations += len(results)
        con.execute("begin transaction")
        try:
            con.register("results_df", results)
            con.execute(
                f"""create or replace temp table judged as
                    select r.*, coalesce(o.source_cells, []) as source_cells
                    from results_df r left join (select evaluation_id, source_cells from {chunk_operands}) o
                        using (evaluation_id)"""
            )
            # a result judged again and found the same keeps its row, and the time it was first
            # judged so: a report's neighbours are judged again with it, and rewriting their rows
            # made the published snapshot rewrite most of the table for one new report
            # the chunk's stored rows, found by row id first: filtering the whole rows read every
            # column of millions of rows
            con.execute(
                f"""create or replace temp table stored as select * from {DQ_TABLE}
                    where rowid in (select rowid from {DQ_TABLE} where {chunk})"""
            )
            same = f"""select d.evaluation_id from stored d join judged j using (evaluation_id)
                       where ({SAME_RESULT.format(t="d")}) is not distinct from ({SAME_RESULT.format(t="j")})"""
            con.execute(f"create or replace temp table kept as {same}")
            dropped += con.execute(
                f"delete from {DQ_TABLE} where {chunk} and evaluation_id not in (select evaluation_id from kept)"
            ).fetchone()[0]
            con.execute(
                f"""insert into {DQ_TABLE} by name
                    select * from judged where evaluation_id not in (select evaluation_id from kept)"""
            )
            # the summary and findings of reports whose results all stayed are left as they are
            con.execute(
                """create or replace temp table changed as
                   select report_id from judged where evaluation_id not in (select evaluation_id from kept)
                   union
                   select report_id from stored where evaluation_id not in (select evaluation_id from judged)"""
            )
            _replace_derived(con, "report_id in (select report_id from changed)")
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        finally:
            con.unregister("results_df")
    con.execute(f"delete from {STATE_TABLE}")
    con.execute(f"insert into {STATE_TABLE} values (?)", [built_at])
    # the alerting signal of the rule checks: findings this run judged that were not there
    # before it (a report loaded or changed that breaks a rule, with its numbers)
    con.execute(
        f"""create or replace table {NEW_FINDINGS} as
            select d.report_id, d.rule_id, d.scope from {DQ_TABLE} d
            anti join findings_before b using (report_id, rule_id, scope, lhs, rhs)
            where d.evaluated_at >= ? and d.status in ('fail', 'warn') and d.variant = 'strict'""",
        [started],
    )
    if judge:
        judge.build_docs()  # this run's validations; when nothing was judged, the last run's stay
    return {"reports_judged": len(ids), "evaluations": evaluations, "rows_replaced": dropped, "full": int(full)}
