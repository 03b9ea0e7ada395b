"""Extraction workers start by importing the extractor only: a spawned worker imports the module
of every function it is given, and Dagster's import costs seconds, paid by every refresh that
brings a new file."""

import subprocess
import sys

from dagster_project.defs import raw
from tests.conftest import ROOT


def test_extraction_workers_are_given_functions_of_a_module_without_dagster():
    given = (raw.extract_chunk, raw.extract_rows, raw.ocr_threads)  # the pool's tasks and initializer
    assert {f.__module__ for f in given} == {"dagster_project.extract_worker"}
    code = "import sys, dagster_project.extract_worker; print(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    loaded = {name.split(".")[0] for name in out.split()}
    assert not loaded & {"dagster", "dagster_dbt", "dbt", "great_expectations"}
