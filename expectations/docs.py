"""docs/rules.md from the catalogue: ``python -m expectations.docs > docs/rules.md``."""

from __future__ import annotations

from .catalogue import rules

CHECKS = {"equal": "lhs = rhs", "at_most": "lhs ≤ rhs", "at_least": "lhs ≥ rhs"}


def render() -> str:
    lines = [
        "# Rule catalogue",
        "",
        "Generated from `expectations/rules.yml` by `python -m expectations.docs`; do not edit by hand.",
        "Every rule is evaluated for every report and lands in `dq_rule_results` as pass, fail (error",
        "severity), warn (warn severity) or not_assessable with the reason. Operands are computed in",
        "`dbt/models/intermediate/int_rule_operands.sql`; Great Expectations judges them.",
        "",
        "| id | 规则 | rule | class | severity | check | tolerance | formats | scope |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rules():
        lines.append(
            f"| {r.id} v{r.version} | {r.title_zh} | {r.title_en} | {r.rule_class} | {r.severity} | "
            f"{CHECKS[r.check]} | {r.tolerance:g} | {', '.join(r.format_versions)} | {r.scope} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
