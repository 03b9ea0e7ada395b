"""A refresh launched from the Dagster UI: `dagster dev` on a fresh instance, a warehouse built by
`ogi refresh`, then the `refresh` job launched as the UI's Launchpad does (GraphQL `launchRun`),
several times with nothing new. Seconds from the launch to the run's success, as the operator
waits for it, and the run's own time (its start to its end, without the run process's start).

    python -m bench.ui_refresh [--landing data/samples] [--runs 3] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from .sections import write_section

ROOT = Path(__file__).resolve().parent.parent
LAUNCH = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"""
STATUS = """query($id: ID!) { runOrError(runId: $id) { ... on Run { status startTime endTime } } }"""
LOCATIONS = "{ workspaceOrError { ... on Workspace { locationEntries { name } } } }"


def graphql(port: int, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response).get("data") or {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch_and_wait(port: int, location: str) -> dict:
    selector = {"repositoryLocationName": location, "repositoryName": "__repository__", "jobName": "refresh"}
    params = {"selector": selector}
    started = time.perf_counter()
    launched = graphql(port, LAUNCH, {"params": params})["launchRun"]
    if launched["__typename"] != "LaunchRunSuccess":
        raise SystemExit(f"launch failed: {launched}")
    run_id = launched["run"]["runId"]
    while True:
        time.sleep(0.5)
        run = graphql(port, STATUS, {"id": run_id})["runOrError"]
        if run["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
            waited = time.perf_counter() - started
            break
    if run["status"] != "SUCCESS":
        raise SystemExit(f"run {run_id} ended {run['status']}")
    return {"waited": waited, "run": run["endTime"] - run["startTime"]}


def measure(landing: Path, runs: int) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        home, warehouse = Path(tmp), Path(tmp) / "w.duckdb"
        shutil.copy(ROOT / "config" / "dagster.yaml", home / "dagster.yaml")  # as `make dev` does
        env = {**os.environ, "DAGSTER_HOME": str(home), "OGI_WAREHOUSE": str(warehouse), "OGI_LANDING": str(landing)}
        bin_dir = Path(sys.executable).parent
        subprocess.run([str(bin_dir / "ogi"), "refresh"], env=env, cwd=ROOT, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [str(bin_dir / "dagster"), "dev", "-h", "127.0.0.1", "-p", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # dagster dev does not exit on SIGTERM alone: its group is killed
        )
        try:
            location = None
            deadline = time.time() + 180
            while location is None and time.time() < deadline:
                time.sleep(1)
                try:
                    entries = graphql(port, LOCATIONS)["workspaceOrError"]["locationEntries"]
                    location = entries[0]["name"] if entries else None
                except (OSError, KeyError, TypeError):
                    pass
            if location is None:
                raise SystemExit("dagster dev did not serve its workspace in 180 s")
            return [launch_and_wait(port, location) for _ in range(runs)]
        finally:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def section(results: list[dict], landing: Path) -> str:
    waited = [r["waited"] for r in results]
    own = [r["run"] for r in results]
    return "\n".join(
        [
            "## Refresh from the UI",
            "",
            f"`python -m bench.ui_refresh` on {os.cpu_count()} cores: `dagster dev`, a warehouse of "
            f"`{landing.name}` built by `ogi refresh`, then the `refresh` job launched {len(results)} times as the "
            "Launchpad does, with nothing new. *Waited*: from the launch to the run's success, as the operator "
            "waits (it includes starting the run's process and loading the code); *run*: the run's own start to end.",
            "",
            "| refresh | waited s (median) | run s (median) | each run, waited s |",
            "|---|---|---|---|",
            f"| nothing new | {statistics.median(waited):.1f} | {statistics.median(own):.1f} | "
            + " / ".join(f"{w:.1f}" for w in waited)
            + " |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--landing", type=Path, default=ROOT / "data" / "samples")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    text = section(measure(args.landing.resolve(), args.runs), args.landing)
    print(text)
    if args.out:
        write_section(args.out, text)


if __name__ == "__main__":
    main()
