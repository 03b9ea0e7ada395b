"""Reading the rule catalogue (rules.yml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    title_zh: str
    title_en: str
    rule_class: str
    severity: str
    scope: str
    check: str  # equal | at_most | at_least
    tolerance: float
    format_versions: tuple[str, ...]

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """Allowed range of delta = lhs - rhs."""
        return {
            "equal": (-self.tolerance, self.tolerance),
            "at_most": (None, self.tolerance),
            "at_least": (-self.tolerance, None),
        }[self.check]


@cache
def rules() -> tuple[Rule, ...]:
    data = yaml.safe_load(resources.files("expectations").joinpath("rules.yml").read_text(encoding="utf-8"))
    return tuple(
        Rule(
            r["id"],
            r["version"],
            r["title_zh"],
            r["title_en"],
            r["class"],
            r["severity"],
            r["scope"],
            r["check"],
            float(r["tolerance"]),
            tuple(r["format_versions"]),
        )
        for r in data["rules"]
    )


def rule(rule_id: str) -> Rule:
    return next(r for r in rules() if r.id == rule_id)
