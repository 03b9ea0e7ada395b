"""No package imports a layer above it: the command line on top, then the Dagster project, the
fetcher, alerting and runtime settings, extraction and the rule catalogue at the bottom."""

import ast
from pathlib import Path

from tests.conftest import ROOT

# each package and the project packages it may import
ALLOWED = {
    "extract": {"extract"},
    "expectations": {"expectations", "extract"},
    "runtime": {"runtime"},
    "alerting": {"alerting", "extract", "expectations"},
    "acquire": {"acquire", "alerting", "runtime", "extract"},
    "dagster_project": {"dagster_project", "acquire", "alerting", "runtime", "extract", "expectations"},
    "ogi": {"ogi", "dagster_project", "acquire", "alerting", "runtime", "extract", "expectations"},
}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & set(ALLOWED)


def test_no_package_imports_a_layer_above_it():
    wrong = []
    for package, allowed in ALLOWED.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            wrong += [f"{path.relative_to(ROOT)} imports {name}" for name in _imports(path) - allowed]
    assert wrong == []
