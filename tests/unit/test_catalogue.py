from pathlib import Path

from expectations.catalogue import rules
from expectations.docs import render

ROOT = Path(__file__).resolve().parents[2]


def test_catalogue_has_all_rules_of_the_reference():
    ids = [r.id for r in rules()]
    assert [i[:3] for i in ids] == [f"R{n:02d}" for n in range(1, 22)]
    assert all(r.severity in ("error", "warn") and r.check in ("equal", "at_most", "at_least") for r in rules())
    assert all(r.severity == "error" for r in rules() if r.rule_class == "hard" and r.id[:3] not in ("R08",))


def test_rules_doc_is_generated_from_the_catalogue():
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == render()


def test_every_rule_has_operands_in_dbt():
    sql = (ROOT / "dbt" / "models" / "intermediate" / "int_rule_operands.sql").read_text(encoding="utf-8")
    for r in rules():
        assert f"'{r.id}'" in sql, r.id
