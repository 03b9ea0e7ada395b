"""The Great Expectations project under expectations/gx is what rules.yml makes it: one suite
per rule with the rule's bounds and severity, a validation definition each, one checkpoint."""

import json
import shutil

from expectations.catalogue import rules
from expectations.gx_project import CHECKPOINT, PROJECT_ROOT, open_context, sync


def test_the_committed_project_matches_the_rule_catalogue(tmp_path):
    shutil.copytree(PROJECT_ROOT / "gx", tmp_path / "gx", ignore=shutil.ignore_patterns("uncommitted"))
    assert sync(open_context(tmp_path)) == []  # nothing to regenerate


def test_each_suite_bounds_its_rules_delta():
    for number, rule in enumerate(rules()):
        suite = json.loads((PROJECT_ROOT / "gx" / "expectations" / f"{rule.id}.json").read_text(encoding="utf-8"))
        [expectation] = suite["expectations"]
        low, high = rule.bounds
        assert expectation["type"] == "expect_column_values_to_be_between"
        assert (expectation["kwargs"].get("min_value"), expectation["kwargs"].get("max_value")) == (low, high)
        assert expectation["kwargs"]["row_condition"]["parameter"] == number
        assert expectation["severity"] == ("critical" if rule.severity == "error" else "warning")
    checkpoint = json.loads((PROJECT_ROOT / "gx" / "checkpoints" / f"{CHECKPOINT}.json").read_text(encoding="utf-8"))
    assert [v["name"] for v in checkpoint["validation_definitions"]] == [r.id for r in rules()]
