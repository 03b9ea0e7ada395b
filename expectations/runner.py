"""Judging rule operands with Great Expectations and writing dq_rule_results.

dbt computes one row per report x rule x scope (int_rule_operands); each evaluated rule of the
catalogue becomes a GX suite whose expectation bounds ``delta = lhs - rhs`` by the rule's
tolerance. GX 1.24 has no DuckDB source, so the operands are validated as a DataFrame."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pandas as pd

from .catalogue import Rule, evaluated_rules

RESULT_COLUMNS = [
    "evaluation_id",
    "report_id",
    "rule_id",
    "rule_version",
    "scope",
    "lhs",
    "rhs",
    "delta",
    "status",
    "reason",
    "severity",
    "source_cells",
    "evaluated_at",
]


def build_suite(gx, rule: Rule):
    suite = gx.ExpectationSuite(name=rule.id, meta={"title_zh": rule.title_zh, "title_en": rule.title_en})
    suite.add_expectation(
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="delta",
            min_value=-rule.tolerance,
            max_value=rule.tolerance,
            severity="critical" if rule.severity == "error" else "warning",
            meta={"rule_id": rule.id, "rule_version": rule.version, "class": rule.rule_class},
        )
    )
    return suite


def judge(operands: pd.DataFrame) -> pd.DataFrame:
    """One dq_rule_results row per operand row: pass, fail (or warn for warn-severity rules),
    or not_assessable where an operand is missing."""
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # one bar per metric otherwise
    batch_def = (
        context.data_sources.add_pandas("warehouse")
        .add_dataframe_asset("rule_operands")
        .add_batch_definition_whole_dataframe("all")
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    frames = []
    for rule in evaluated_rules():
        df = operands[operands["rule_id"] == rule.id].reset_index(drop=True)
        if df.empty:
            continue
        suite = context.suites.add(build_suite(gx, rule))
        result = batch_def.get_batch(batch_parameters={"dataframe": df}).validate(
            suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["evaluation_id"]}
        )
        failed = {row["evaluation_id"] for r in result.results for row in r.result.get("unexpected_index_list") or []}
        out = df.copy()
        missing = out["lhs"].isna() | out["rhs"].isna()
        out["status"] = "pass"
        out.loc[out["evaluation_id"].isin(failed), "status"] = "fail" if rule.severity == "error" else "warn"
        out.loc[missing, "status"] = "not_assessable"
        out["reason"] = None
        out.loc[missing, "reason"] = "an operand cell is blank, an NA marker or missing"
        out["rule_version"] = rule.version
        out["severity"] = rule.severity
        out["evaluated_at"] = now
        frames.append(out)
    if not frames:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    return pd.concat(frames, ignore_index=True)[RESULT_COLUMNS]
