"""`dagster dev` from the project root serves the asset graph (workspace.yaml) and, on the instance
a headless `ogi refresh` recorded into, shows that run, the asset groups by layer with their
descriptions and row counts, as a user sees them in a browser (headless Chromium, read back by OCR).

dagster dev does not exit on SIGTERM alone, so the test runs it in its own process group and
kills the whole group."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.ui_refresh import free_port, graphql
from extract.readers.ocr import engine
from tests.conftest import ROOT, SAMPLES, run_ogi

ASSETS = """{ assetNodes { assetKey { path } groupName description
  assetMaterializations(limit: 1) { metadataEntries { label ... on IntMetadataEntry { intValue } } } } }"""
RUNS = "{ runsOrError { ... on Runs { results { runId jobName status } } } }"


def _screenshot(url: str, shot: Path, profile: Path) -> str:
    """What headless Chromium shows at ``url`` once the page's scripts ran, as OCR reads it."""
    subprocess.run(
        [
            shutil.which("chromium"),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--window-size=1600,1000",
            "--virtual-time-budget=20000",  # the UI is a single-page app: let it fetch and draw
            f"--screenshot={shot}",
            url,
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return " ".join(text for _, text, _ in engine()(str(shot))[0] or [])


def test_dagster_dev_shows_the_recorded_refresh_and_the_layers(tmp_path):
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    landing.mkdir()
    shutil.copy(SAMPLES / "000_7e78f6154f3411bd.txt", landing)
    shutil.copy(ROOT / "config" / "dagster.yaml", tmp_path / "dagster.yaml")  # as `make dev` does
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "OGI_WAREHOUSE": str(warehouse)}
    refresh = run_ogi("refresh", "--landing", str(landing), "--warehouse", str(warehouse), env=env)
    assert refresh.returncode == 0, refresh.stderr
    port = free_port()
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
        nodes = None
        deadline = time.time() + 180
        while time.time() < deadline and not nodes:
            time.sleep(2)
            try:
                nodes = graphql(port, ASSETS).get("assetNodes")
            except OSError:
                pass
        assert nodes, "dagster dev did not serve the asset graph in time"
        by_key = {"/".join(n["assetKey"]["path"]): n for n in nodes}
        assert {"landing_files", "raw/reports", "staging/stg_cells", "marts/fct_disposals", "dq_rule_results"} <= set(
            by_key
        )
        # groups by layer, each asset described, the marts' row counts from the headless refresh
        assert {n["groupName"] for n in nodes} >= {"landing", "raw", "staging", "intermediate", "marts", "data_quality"}
        assert all(n["description"] for n in nodes)
        [facts] = by_key["marts/fct_requests"]["assetMaterializations"]
        counts = {e["label"]: e.get("intValue") for e in facts["metadataEntries"]}
        assert counts["dagster/row_count"] > 0
        [run] = graphql(port, RUNS)["runsOrError"]["results"]
        assert (run["jobName"], run["status"]) == ("refresh", "SUCCESS")
        # what the operator sees: the run in the runs list, the layers on the asset page
        seen = _screenshot(f"http://127.0.0.1:{port}/runs", tmp_path / "runs.png", tmp_path / "profile")
        # the run id is hex: OCR's '0'/'o' and '1'/'l' confusions are undone before looking for it
        as_hex = seen.replace(" ", "").translate(str.maketrans("oOlI", "0011"))
        assert "refresh" in seen and run["runId"][:8] in as_hex, seen
        seen = _screenshot(f"http://127.0.0.1:{port}/assets", tmp_path / "assets.png", tmp_path / "profile")
        # the catalog: assets with their layer, status and description
        assert all(group in seen for group in ("data_quality", "intermediate", "landing", "marts")), seen
        assert "Materialized" in seen and "Operands of every rule" in seen, seen
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
