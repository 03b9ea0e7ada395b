"""The rule catalogue on the warehouse: GX judges the operands dbt computed, the results land in
dq_rule_results, and every evaluated rule is an asset check with its numbers in the metadata.

A failing rule is a finding about a report, not a pipeline failure: checks are non-blocking."""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from alerting.sinks import Sinks
from expectations.catalogue import rules
from runtime.settings import alerts_path, data_docs_path, dq_report_path

from ..alerts import send_new_alerts
from ..dq_report import write_report
from ..rule_engine import judge
from ..rule_results import DQ_TABLE, NEW_FINDINGS
from .dbt import ogi_dbt_models
from .resources import WRITER_POOL, Warehouse

OPERANDS = get_asset_key_for_model([ogi_dbt_models], "int_rule_operands")
FAILING_REPORTS_SHOWN = 20


@dg.asset(
    deps=[OPERANDS],
    pool=WRITER_POOL,
    group_name="data_quality",
    kinds={"duckdb", "great_expectations"},
    description="One row per rule evaluation: report, rule, scope, lhs, rhs, status. Reports whose operands "
    "did not change keep their results.",
)
def dq_rule_results(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    context.log.info("judging the rules on the reports loaded since the last judgement")
    done, by_status = judge(warehouse.file())
    context.log.info(
        f"judged {done['reports_judged']} reports ({done['evaluations']} evaluations"
        f"{', all reports' if done['full'] else ''}); rule evaluations by status: {by_status}"
    )
    docs = data_docs_path() / "index.html"
    metadata = {**done, **{f"status_{k}": v for k, v in by_status.items()}}
    if docs.exists():  # built by this run, or by the last run that judged reports
        metadata["data_docs"] = dg.MetadataValue.path(str(docs))
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    deps=[dq_rule_results],
    pool=WRITER_POOL,
    group_name="data_quality",
    kinds={"duckdb"},
    description="Findings new since the previous refresh, sent to the alert sinks (JSONL, webhook, e-mail).",
)
def dq_alerts(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    sinks = Sinks.from_env(alerts_path())
    with warehouse.connect() as con:
        sent = send_new_alerts(con, sinks)
    for sink, n in sent.items():
        (context.log.warning if isinstance(n, str) else context.log.info)(f"alerts to {sink}: {n}")
    return dg.MaterializeResult(metadata={"jsonl": str(sinks.jsonl), **{f"sent_{k}": str(v) for k, v in sent.items()}})


@dg.asset(
    deps=[dq_rule_results],
    pool=WRITER_POOL,
    group_name="data_quality",
    kinds={"html"},
    description="The data-quality page of this refresh: findings by report with the source values.",
)
def dq_report(warehouse: Warehouse) -> dg.MaterializeResult:
    with warehouse.connect(read_only=True) as con:
        path = write_report(con, dq_report_path(), data_docs_path() / "index.html")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path))})


FAILING_COLUMNS = dg.TableSchema(
    columns=[
        dg.TableColumn("new", "boolean", description="new since the previous refresh"),
        dg.TableColumn("agency", "string"),
        dg.TableColumn("year", "int"),
        dg.TableColumn("file", "string"),
        dg.TableColumn("scope", "string", description="the row, column or table the rule was checked on"),
        dg.TableColumn("printed", "float", description="the value as the report prints it (lhs)"),
        dg.TableColumn("expected", "float", description="what the form's arithmetic makes it (rhs)"),
    ]
)


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec(r.id, asset=dq_rule_results, description=f"{r.title_zh} — {r.title_en}", blocking=False)
        for r in rules()
    ],
    pool=WRITER_POOL,
)
def rule_checks(warehouse: Warehouse):
    """One check per rule, all from one pass over the results. A check fails on findings new since
    the previous refresh (a report loaded or changed that breaks the rule): the alerting signal.
    The standing findings, mostly errors printed in the reports themselves, are counted and listed
    but do not turn it red, or it would stay red for good on a national corpus."""
    with warehouse.connect(read_only=True) as con:
        counts = con.execute(
            f"select rule_id, status, count(*) from {DQ_TABLE} where variant = 'strict' group by all"
        ).fetchall()
        new = dict(con.execute(f"select rule_id, count(*) from {NEW_FINDINGS} group by 1").fetchall())
        reasons = dict(
            con.execute(
                f"""select rule_id, reason from {DQ_TABLE} where status = 'not_assessable'
                    group by rule_id, reason
                    qualify row_number() over (partition by rule_id order by count(*) desc) = 1"""
            ).fetchall()
        )
        failing = con.execute(
            f"""select d.rule_id, n.report_id is not null, r.agency, r.report_year, r.file_name, d.scope, d.lhs, d.rhs
                from {DQ_TABLE} d join raw.reports r using (report_id)
                left join {NEW_FINDINGS} n using (report_id, rule_id, scope)
                where d.status in ('fail', 'warn') and d.variant = 'strict'
                qualify row_number() over (partition by d.rule_id order by n.report_id is null, r.file_name, d.scope)
                    <= {FAILING_REPORTS_SHOWN}
                order by d.rule_id, n.report_id is null, r.file_name, d.scope"""
        ).fetchall()
    by_rule: dict[str, dict[str, int]] = {}
    for rule_id, status, n in counts:
        by_rule.setdefault(rule_id, {})[status] = n
    shown: dict[str, list[dg.TableRecord]] = {}
    for rule_id, *row in failing:
        shown.setdefault(rule_id, []).append(
            dg.TableRecord(dict(zip([c.name for c in FAILING_COLUMNS.columns], row, strict=True)))
        )
    for rule in rules():
        n = by_rule.get(rule.id, {})
        n_failed, n_new = n.get("fail", 0) + n.get("warn", 0), new.get(rule.id, 0)
        # a rule that could be judged on no report has not passed: a warning that says why
        never = n_failed == 0 and not n.get("pass")
        severity = dg.AssetCheckSeverity.ERROR if rule.severity == "error" and not never else dg.AssetCheckSeverity.WARN
        if never:
            description = f"not assessable on any report: {reasons.get(rule.id)}"
        else:
            description = f"{n_new} new finding(s) since the previous refresh; {n_failed - n_new} standing"
        yield dg.AssetCheckResult(
            check_name=rule.id,
            asset_key=dq_rule_results.key,
            passed=n_new == 0 and not never,
            severity=severity,
            description=description,
            metadata={
                "evaluated": sum(n.values()),
                "passed": n.get("pass", 0),
                "new_findings": n_new,
                "standing_findings": n_failed - n_new,
                "not_assessable": n.get("not_assessable", 0),
                "failing": dg.MetadataValue.table(shown.get(rule.id, []), FAILING_COLUMNS),
            },
        )
