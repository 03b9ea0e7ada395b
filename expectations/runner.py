"""Judging rule operands with Great Expectations and writing dq_rule_results.

dbt computes one row per report x rule x scope x variant (int_rule_operands); each rule of the
catalogue becomes a GX suite whose expectation bounds ``delta = lhs - rhs`` by the rule's check
and tolerance. GX 1.24 has no DuckDB source, so the operands are validated as a DataFrame.

Statuses: pass; fail (error-severity rules) or warn (warn-severity rules); not_assessable with
the reason when an operand is missing, the rule does not apply to the report's format, or (strict
variant) a blank or NA cell is an operand and the two sides agree only by reading it as 0."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pandas as pd

from .catalogue import Rule, rules

RESULT_COLUMNS = [
    "evaluation_id",
    "report_id",
    "rule_id",
    "rule_version",
    "scope",
    "variant",
    "lhs",
    "rhs",
    "delta",
    "status",
    "reason",
    "severity",
    "evaluated_at",
]


def build_suite(gx, rule: Rule):
    low, high = rule.bounds
    suite = gx.ExpectationSuite(name=rule.id, meta={"title_zh": rule.title_zh, "title_en": rule.title_en})
    suite.add_expectation(
        gx.expectations.ExpectColumnValuesToBeBetween(
            column="delta",
            min_value=low,
            max_value=high,
            severity="critical" if rule.severity == "error" else "warning",
            meta={"rule_id": rule.id, "rule_version": rule.version, "class": rule.rule_class},
        )
    )
    return suite


def _gx_batch_definition():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # one bar per metric otherwise
    batch_def = (
        context.data_sources.add_pandas("warehouse")
        .add_dataframe_asset("rule_operands")
        .add_batch_definition_whole_dataframe("all")
    )
    return gx, context, batch_def


def judge(operands: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
    """One row per operand row, plus a not_assessable row for every report x rule without one.
    ``reports`` has report_id and format_version. The operands' source cells are not needed to
    judge and stay in the warehouse (lists are slow to move into pandas and back)."""
    gx, context, batch_def = _gx_batch_definition()
    now = datetime.now(UTC).replace(tzinfo=None)
    formats = reports.set_index("report_id")["format_version"]
    by_rule = dict(tuple(operands.groupby("rule_id", sort=False)))
    frames = []
    for rule in rules():
        df = by_rule.get(rule.id, operands.iloc[:0]).reset_index(drop=True)
        absent = reports.loc[~reports["report_id"].isin(df["report_id"]), "report_id"].tolist()
        if absent:
            df = pd.concat(
                [
                    df,
                    pd.DataFrame(
                        {
                            "evaluation_id": [f"{r}|{rule.id}|report|strict" for r in absent],
                            "report_id": absent,
                            "rule_id": rule.id,
                            "scope": "report",
                            "variant": "strict",
                            "lhs": None,
                            "rhs": None,
                            "lhs_blank": False,
                            "rhs_blank": False,
                            "reason": "no operands: the report has no table this rule reads",
                        }
                    ),
                ],
                ignore_index=True,
            )
        df["lhs"] = df["lhs"].astype("float64")
        df["rhs"] = df["rhs"].astype("float64")
        df["delta"] = df["lhs"] - df["rhs"]
        applies = df["report_id"].map(formats).isin(rule.format_versions)
        df.loc[~applies, "reason"] = f"applies to {', '.join(rule.format_versions)} reports only"
        blank = (df["variant"] == "strict") & (df["lhs_blank"] | df["rhs_blank"]) & (df["delta"] == 0)
        df.loc[blank & df["reason"].isna(), "reason"] = (
            "a blank or NA cell is an operand; the sides agree only if it is 0"
        )
        assessable = df["reason"].isna() & df["delta"].notna()
        df.loc[~assessable, "delta"] = None  # judged by nobody: GX skips nulls

        suite = context.suites.add(build_suite(gx, rule))
        # GX hashes the batch by pickling it: hand it numbers only, and map row numbers back
        numbers = pd.DataFrame({"row": range(len(df)), "delta": df["delta"]})
        result = batch_def.get_batch(batch_parameters={"dataframe": numbers}).validate(
            suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["row"]}
        )
        failed = [row["row"] for r in result.results for row in r.result.get("unexpected_index_list") or []]
        df["status"] = "pass"
        df.loc[failed, "status"] = "fail" if rule.severity == "error" else "warn"
        df.loc[~assessable, "status"] = "not_assessable"
        df.loc[~assessable & df["reason"].isna(), "reason"] = "an operand is missing"
        df["rule_version"] = rule.version
        df["severity"] = rule.severity
        df["evaluated_at"] = now
        frames.append(df)
    if not frames:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    return pd.concat(frames, ignore_index=True)[RESULT_COLUMNS]
