"""`dbt docs generate` works on the project (catalog read from a real warehouse)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_dbt_docs_generate(tmp_path):
    project = tmp_path / "dbt"
    shutil.copytree(ROOT / "dbt", project, ignore=shutil.ignore_patterns("target", "logs"))
    dbt = str(Path(sys.executable).parent / "dbt")
    env = {**os.environ, "OGI_WAREHOUSE": str(tmp_path / "w.duckdb")}
    # raw tables come from the Dagster raw asset; create them empty so dbt can build on them
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import duckdb, os; from dagster_project.raw_load import ensure_schema; "
            "ensure_schema(duckdb.connect(os.environ['OGI_WAREHOUSE']))",
        ],
        check=True,
        env=env,
        cwd=ROOT,
    )
    for args in (["build"], ["docs", "generate"]):
        proc = subprocess.run([dbt, *args, "--profiles-dir", "."], cwd=project, env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout[-3000:]
    catalog = json.loads((project / "target" / "catalog.json").read_text())
    assert "model.ogi.mart_agency_year" in catalog["nodes"]
