"""Judging rule operands with Great Expectations and writing dq_rule_results.

dbt computes one row per report x rule x scope x variant (int_rule_operands); the `rules`
checkpoint of the GX project (gx_project.py: one suite per rule, generated from rules.yml)
validates them as one pandas batch, and its failing rows become fail or warn.

Statuses: pass; fail (error-severity rules) or warn (warn-severity rules); not_assessable with
the reason when an operand is missing, the rule does not apply to the report's format, or (strict
variant) a blank or NA cell is an operand and the two sides agree only by reading it as 0."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from .catalogue import rules
from .docs_assets import localize
from .gx_project import CHECKPOINT, PROJECT_ROOT, open_context, sync

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


class Judge:
    """The rule checkpoint of the GX project (expectations/gx, synced with rules.yml when this
    opens), run on one chunk of operands at a time; ``build_docs`` then renders this run's
    validations as Data Docs. Validation results are kept in memory, not in the project folder:
    a national warehouse judges in chunks on every refresh, and the results live on in
    dq_rule_results."""

    def __init__(self, docs_dir: Path | None = None):
        from great_expectations.data_context.store import ValidationResultsStore

        self.context = open_context()
        try:
            sync(self.context)
        except OSError as exc:  # an installation whose project folder cannot be written
            raise RuntimeError(
                f"the GX project in {PROJECT_ROOT / 'gx'} does not match rules.yml and cannot be rewritten "
                f"({exc}); run `python -m expectations.gx_project` where it can"
            ) from None
        name = self.context.validation_results_store_name
        self.context.stores[name] = ValidationResultsStore(
            store_backend={"class_name": "InMemoryStoreBackend"}, store_name=name
        )
        if docs_dir is not None:  # in memory only: the project's great_expectations.yml is not changed
            self.context.variables.data_docs_sites = {
                "local_site": {
                    "class_name": "SiteBuilder",
                    "show_how_to_buttons": False,
                    "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                }
            }
        self.docs_dir = docs_dir
        self.checkpoint = self.context.checkpoints.get(CHECKPOINT)
        self.validated: list = []

    def build_docs(self) -> Path | None:
        """Data Docs of this run's validations (the site then shows this run); None when nothing
        was validated or no folder was given."""
        if self.docs_dir is None or not self.validated:
            return None
        keys = self.validated + [k.expectation_suite_identifier for k in self.validated]
        self.context.build_data_docs(resource_identifiers=keys)
        localize(self.docs_dir)
        return self.docs_dir / "index.html"

    def __call__(self, operands: pd.DataFrame, reports: pd.DataFrame) -> pd.DataFrame:
        return judge(operands, reports, self)


def judge(operands: pd.DataFrame, reports: pd.DataFrame, checker: Judge | None = None) -> pd.DataFrame:
    """One row per operand row, plus a not_assessable row for every report x rule without one.
    ``reports`` has report_id and format_version. The operands' source cells are not needed to
    judge and stay in the warehouse (lists are slow to move into pandas and back)."""
    checker = checker or Judge()
    now = datetime.now(UTC).replace(tzinfo=None)
    formats = reports.set_index("report_id")["format_version"]
    by_rule = dict(tuple(operands.groupby("rule_id", sort=False)))
    frames = []
    for number, rule in enumerate(rules()):
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
        df["assessable"] = assessable
        df["rule"] = number
        df["rule_version"] = rule.version
        df["severity"] = rule.severity
        frames.append(df)
    if not frames:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    df = pd.concat(frames, ignore_index=True)
    # one batch for every rule, numbers only: GX hashes a batch by pickling it
    batch = pd.DataFrame({"row": range(len(df)), "rule": df["rule"], "delta": df["delta"]})
    result = checker.checkpoint.run(batch_parameters={"dataframe": batch})
    failed = []
    for key, validation in result.run_results.items():
        checker.validated.append(key)
        failed += [row["row"] for r in validation.results for row in r.result.get("unexpected_index_list") or []]
    df["status"] = "pass"
    df.loc[failed, "status"] = df.loc[failed, "severity"].map({"error": "fail"}).fillna("warn")
    df.loc[~df["assessable"], "status"] = "not_assessable"
    df.loc[~df["assessable"] & df["reason"].isna(), "reason"] = "an operand is missing"
    df["evaluated_at"] = now
    return df[RESULT_COLUMNS]
