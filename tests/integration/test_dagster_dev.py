"""`dagster dev` from the project root serves the asset graph (workspace.yaml).

dagster dev does not exit on SIGTERM alone, so the test runs it in its own process group and
kills the whole group."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import ROOT

QUERY = '{"query": "{ assetNodes { assetKey { path } } }"}'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dagster_dev_serves_the_asset_graph(tmp_path):
    port = _free_port()
    shutil.copy(ROOT / "config" / "dagster.yaml", tmp_path / "dagster.yaml")  # as `make dev` does
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "OGI_WAREHOUSE": str(tmp_path / "w.duckdb")}
    dagster = Path(sys.executable).parent / "dagster"
    proc = subprocess.Popen(
        [str(dagster), "dev", "-h", "127.0.0.1", "-p", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        keys = None
        deadline = time.time() + 180
        while time.time() < deadline and keys is None:
            time.sleep(2)
            try:
                req = urllib.request.Request(
                    f"http://127.0.0.1:{port}/graphql",
                    data=QUERY.encode(),
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(req, timeout=10) as resp:
                    body = json.load(resp)
                nodes = (body.get("data") or {}).get("assetNodes") or []
                if nodes:
                    keys = {"/".join(n["assetKey"]["path"]) for n in nodes}
            except OSError:
                pass
        assert keys, "dagster dev did not serve the asset graph in time"
        assert {"landing_files", "raw/reports", "staging/stg_cells", "marts/fct_disposals", "dq_rule_results"} <= keys
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
