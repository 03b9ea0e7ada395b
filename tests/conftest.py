"""Shared paths and fixtures. Truth comes from the hand-checked files, never from our output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
TRUTH = ROOT / "data" / "truth"
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"  # grows over time; tested too when present
OGI = [sys.executable, "-m", "ogi"]


def pytest_configure(config: pytest.Config) -> None:
    """With pytest-xdist (``make test`` runs two workers), dbt's manifest for the Dagster
    definitions is brought up to date once, here, before the workers start: each would otherwise
    parse the project into the same folder at the same moment."""
    if config.getoption("numprocesses", None) and not hasattr(config, "workerinput"):
        import dagster_project.defs.resources  # noqa: F401  (prepares the manifest when stale)


def truth_files() -> list[Path]:
    files = sorted(TRUTH.glob("*.json"))
    bundled = {p.name for p in files}
    if (SHARED_CORPUS / "truth").is_dir():
        files += [p for p in sorted((SHARED_CORPUS / "truth").glob("*.json")) if p.name not in bundled]
    return files


def load_truth(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def document_for(truth_path: Path, truth: dict) -> Path:
    if truth_path.parent == TRUTH:
        return SAMPLES / Path(truth["file"]).name
    for candidate in (SHARED_CORPUS / truth["file"], SHARED_CORPUS / "seeds" / truth["file"]):
        if candidate.is_file():
            return candidate
    pytest.skip(f"document for {truth['file']} not found")


def run_ogi(*args: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*OGI, *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout, env={**os.environ, **(env or {})}
    )
