"""Keeping main.dq_rule_results in step with the rule operands dbt computed.

Only reports whose operands were rebuilt since the last evaluation are judged again (all of them
after a full dbt build, or when the rule catalogue changed); rows of reports no longer loaded are
dropped. Each judged row names the source cells it read; the view main.dq_findings adds what
those cells print and where."""

from __future__ import annotations

import duckdb
import pandas as pd

from expectations.catalogue import rules
from expectations.runner import judge

DQ_TABLE = "main.dq_rule_results"
OPERANDS = "intermediate.int_rule_operands"
STATE_TABLE = "main.dq_judge_state"
CHUNK_REPORTS = 5_000  # reports judged at a time (about 90 evaluations each)

_DDL = f"""
create table if not exists {DQ_TABLE} (
    evaluation_id varchar, report_id varchar, rule_id varchar, rule_version integer, scope varchar,
    variant varchar, lhs double, rhs double, delta double, status varchar, reason varchar,
    severity varchar, source_cells varchar[], evaluated_at timestamp, operands_built_at timestamp
);
alter table {DQ_TABLE} drop column if exists source_provenance;
-- the operands build whose every report has been judged (written after the last chunk commits)
create table if not exists {STATE_TABLE} as select max(operands_built_at) as judged_through from {DQ_TABLE};
-- findings (fail, warn) with the source cells they read, as printed and where: joined when read,
-- so a refresh does not copy cells, and a query for a few reports reads only theirs
create or replace view main.dq_findings as
-- the cells are matched on their parts and on the report's load time as well: a report's cells
-- share one load time, so the scan of raw.cells skips the row groups of other loads
select d.*, (
    select list(struct_pack(
        cell := u.cell, raw := c.raw_text, value := c.value, page := c.page, line := c.line_no,
        char_offset := c.char_offset, prov := c.prov_json
    ))
    from unnest(d.source_cells) as u(cell)
    join raw.cells c
        on c._loaded_at = r._loaded_at and c.report_id = d.report_id and c.table_name = split_part(u.cell, '.', 1)
        and c.row_key = split_part(u.cell, '.', 2) and c.col_key = split_part(u.cell, '.', 3)
) as source_provenance
from {DQ_TABLE} d
join raw.reports r using (report_id)
where d.status in ('fail', 'warn');
"""


def _needs_full(con: duckdb.DuckDBPyConnection) -> bool:
    """True when any stored result was judged by another version of its rule (or none exist)."""
    stored = dict(con.execute(f"select distinct rule_id, rule_version from {DQ_TABLE}").fetchall())
    return not stored or any(stored.get(r.id) != r.version for r in rules())


def update_rule_results(con: duckdb.DuckDBPyConnection, full: bool = False) -> dict[str, int]:
    """Judge the reports whose operands changed, a chunk of reports at a time, one transaction per
    chunk, so that memory stays bounded whatever the number of reports. The watermark moves only
    after the last chunk: an interrupted run is judged again in full by the next one. Returns
    counts of what was done."""
    con.execute(_DDL)
    full = full or _needs_full(con)
    since = "'-infinity'" if full else f"(select coalesce(max(judged_through), '-infinity') from {STATE_TABLE})"
    ids = [
        r
        for (r,) in con.execute(
            f"select distinct report_id from {OPERANDS} where built_at > {since} order by 1"
        ).fetchall()
    ]
    built_at = con.execute(f"select max(built_at) from {OPERANDS}").fetchone()[0]
    dropped = con.execute(
        f"delete from {DQ_TABLE} where report_id not in (select report_id from staging.stg_reports)"
    ).fetchone()[0]
    evaluations = 0
    for start in range(0, len(ids), CHUNK_REPORTS):
        con.register("chunk_ids", pd.DataFrame({"report_id": ids[start : start + CHUNK_REPORTS]}, dtype=object))
        chunk = "report_id in (select report_id from chunk_ids)"
        operands = con.execute(f"select * exclude (source_cells) from {OPERANDS} where {chunk}").df()
        reports = con.execute(f"select report_id, format_version from staging.stg_reports where {chunk}").df()
        results = judge(operands, reports)
        results["operands_built_at"] = built_at
        evaluations += len(results)
        con.execute("begin transaction")
        try:
            dropped += con.execute(f"delete from {DQ_TABLE} where {chunk}").fetchone()[0]
            con.register("results_df", results)
            con.execute(
                f"""insert into {DQ_TABLE} by name
                    select r.*, coalesce(o.source_cells, []) as source_cells
                    from results_df r left join (select evaluation_id, source_cells from {OPERANDS} where {chunk}) o
                        using (evaluation_id)"""
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        finally:
            con.unregister("results_df")
    con.execute(f"delete from {STATE_TABLE}")
    con.execute(f"insert into {STATE_TABLE} values (?)", [built_at])
    return {"reports_judged": len(ids), "evaluations": evaluations, "rows_replaced": dropped, "full": int(full)}
