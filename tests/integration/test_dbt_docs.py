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

    # every column of every mart is described, typed and under contract; counts are integers
    manifest = json.loads((project / "target" / "manifest.json").read_text())
    marts = {k: n for k, n in manifest["nodes"].items() if n["resource_type"] == "model" and "marts" in n["fqn"]}
    assert len(marts) >= 13
    for key, node in marts.items():
        assert node["description"].strip(), key
        assert node["config"]["contract"]["enforced"], key
        built = {c.lower() for c in catalog["nodes"][key]["columns"]}
        assert built == set(node["columns"]), key
        for name, column in node["columns"].items():
            assert column["description"].strip(), f"{key}.{name}"
            typ = catalog["nodes"][key]["columns"][name]["type"].upper()
            if typ in ("DOUBLE", "FLOAT", "REAL", "HUGEINT") or typ.startswith("DECIMAL"):
                # only rates, the rule tolerance and 表二's values (amounts in 万元) are not integers
                assert name.endswith("_rate") or name in ("tolerance", "value"), f"{key}.{name} is {typ}"
