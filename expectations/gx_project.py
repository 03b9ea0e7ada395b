"""The Great Expectations project of the rule catalogue: a file data context in expectations/gx
holding one expectation suite per rule, a validation definition per suite and the `rules`
checkpoint that runs them all on a batch of rule operands.

rules.yml stays the one place a rule is defined: the suites are generated from it (`python -m
expectations.gx_project` writes them; every judging run checks them first and rewrites any that no
longer match, so an edited rule cannot be judged by a stale suite). The operands of all rules are
one batch; each suite's expectation bounds ``delta = lhs - rhs`` on the rows of its rule (a row
condition on the rule's number), by the rule's check and tolerance. GX 1.24 has no DuckDB data
source, so the batch is a pandas DataFrame."""

from __future__ import annotations

import logging
from pathlib import Path

from .catalogue import Rule, rules

PROJECT_ROOT = Path(__file__).resolve().parent  # GX keeps its project in PROJECT_ROOT/gx
SOURCE, ASSET, BATCH = "warehouse", "rule_operands", "all"
CHECKPOINT = "rules"
# every failing row, named by the batch's own row number, so results map back to the operands
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["row"],
    "return_unexpected_index_query": False,
}


def open_context(root: Path = PROJECT_ROOT):
    """The file data context under ``root``/gx (a few hundredths of a second once GX is
    imported), quiet."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="file", project_root_dir=root)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)  # one bar per metric otherwise
    return context


def expectation(rule: Rule, number: int):
    """The one expectation of a rule's suite: delta within the rule's bounds on its rows."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.metadata_types import FailureSeverity
    from great_expectations.expectations.row_conditions import Column

    low, high = rule.bounds
    return gxe.ExpectColumnValuesToBeBetween(
        column="delta",
        min_value=low,
        max_value=high,
        row_condition=Column("rule") == number,
        severity=FailureSeverity.CRITICAL if rule.severity == "error" else FailureSeverity.WARNING,
        meta={"rule_id": rule.id, "rule_version": rule.version, "class": rule.rule_class, "title_zh": rule.title_zh},
    )


def _same(suite, wanted) -> bool:
    def content(e) -> dict:
        config = e.configuration.to_json_dict()
        return {k: config.get(k) for k in ("type", "kwargs", "meta")} | {"severity": str(e.severity)}

    return len(suite.expectations) == 1 and content(suite.expectations[0]) == content(wanted)


def sync(context) -> list[str]:
    """Make the project match rules.yml: data source, suites, validation definitions and the
    checkpoint; returns what was (re)written (nothing when they already match)."""
    import great_expectations as gx

    written = []
    try:
        source = context.data_sources.get(SOURCE)
    except (KeyError, ValueError):
        source = context.data_sources.add_pandas(SOURCE)
        written.append(f"data source {SOURCE}")
    try:
        asset = source.get_asset(ASSET)
    except LookupError:
        asset = source.add_dataframe_asset(ASSET)
    try:
        batch = asset.get_batch_definition(BATCH)
    except KeyError:
        batch = asset.add_batch_definition_whole_dataframe(BATCH)
    catalogue = rules()
    suites = {s.name: s for s in context.suites.all()}
    validations = {v.name: v for v in context.validation_definitions.all()}
    definitions = []
    for number, rule in enumerate(catalogue):
        wanted = expectation(rule, number)
        suite = suites.get(rule.id)
        if suite is None or not _same(suite, wanted):
            if suite is not None:
                context.suites.delete(rule.id)
            suite = context.suites.add(gx.ExpectationSuite(name=rule.id, meta={"title_en": rule.title_en}))
            suite.add_expectation(wanted)
            written.append(f"suite {rule.id}")
        definition = validations.get(rule.id)
        if definition is None or definition.suite.id != suite.id:
            if definition is not None:
                context.validation_definitions.delete(rule.id)
            definition = gx.ValidationDefinition(name=rule.id, data=batch, suite=suite)
            definition = context.validation_definitions.add(definition)
            written.append(f"validation definition {rule.id}")
        definitions.append(definition)
    ids = {r.id for r in catalogue}
    for name in set(suites) - ids:  # rules taken out of the catalogue
        if name in validations:
            context.validation_definitions.delete(name)
        context.suites.delete(name)
        written.append(f"removed {name}")
    checkpoint = next((c for c in context.checkpoints.all() if c.name == CHECKPOINT), None)
    names = [d.name for d in definitions]
    if (
        checkpoint is None
        or [v.name for v in checkpoint.validation_definitions] != names
        or {v.id for v in checkpoint.validation_definitions} != {d.id for d in definitions}
        or checkpoint.result_format != RESULT_FORMAT
    ):
        if checkpoint is not None:
            context.checkpoints.delete(CHECKPOINT)
        context.checkpoints.add(
            gx.Checkpoint(name=CHECKPOINT, validation_definitions=definitions, actions=[], result_format=RESULT_FORMAT)
        )
        written.append(f"checkpoint {CHECKPOINT}")
    return written


def main() -> None:
    written = sync(open_context())
    print("\n".join(written) or "the GX project already matches rules.yml")


if __name__ == "__main__":
    main()
