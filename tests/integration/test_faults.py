"""Faults during a refresh: killed (-9) during extraction, dbt and rule judging, stopped by
SIGTERM, run beside a fetch. The next refresh leaves the warehouse as a clean build would, and
no alert is sent twice."""

import json
import os
import random
import signal
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import psutil
import pytest

from tests.conftest import OGI, ROOT, SAMPLES, run_ogi

SKIP_COLUMNS = ("_loaded_at", "built_at", "loaded_after", "evaluated_at", "loaded_at", "sent_at", "operands_built_at")
COMPARED = ("raw.files", "raw.reports", "raw.cells", "raw.issues", "main.dq_rule_results", "main.dq_alert_log")


def digest(warehouse) -> dict[str, list]:
    """Every row of the raw, rule and mart tables, without load times and with paths as names."""
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        marts = [
            f"marts.{t}"
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        ]
        for table in (*COMPARED, *marts):
            schema, name = table.split(".")
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                    "order by ordinal_position",
                    [schema, name],
                ).fetchall()
                if c not in SKIP_COLUMNS and c not in ("path", "mtime_ns")
            ]
            rows = con.execute(f"select {', '.join(columns)} from {table}").fetchall()
            out[table] = sorted(map(repr, rows))
    return out


def _start(landing, warehouse) -> subprocess.Popen:
    return subprocess.Popen(
        [*OGI, "refresh", "--landing", str(landing), "--warehouse", str(warehouse)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )


def _kill_when(proc: subprocess.Popen, marker: str, how=signal.SIGKILL) -> tuple[str, list]:
    """Read the refresh's output until ``marker``, then kill it (and, for SIGKILL, every process
    it started, as a crash or the OOM killer would). Returns the output and the processes the
    refresh had started."""
    seen, started = [], []
    for line in proc.stdout:
        seen.append(line)
        if marker in line:
            started = psutil.Process(proc.pid).children(recursive=True)
            if how == signal.SIGKILL:
                for child in started:
                    child.kill()
            proc.send_signal(how)
            break
    rest, _ = proc.communicate(timeout=10)  # a stopped refresh ends within seconds
    return "".join(seen) + rest, started


@pytest.fixture(scope="module")
def clean_build(tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("clean") / "w.duckdb"
    proc = run_ogi("refresh", "--landing", str(SAMPLES), "--warehouse", str(warehouse), timeout=600)
    assert proc.returncode == 0, proc.stderr
    return warehouse


def test_killed_refreshes_then_one_more_equal_a_clean_build(tmp_path, clean_build):
    warehouse = tmp_path / "w.duckdb"
    for marker in ("to extract", "START sql", "judging the rules"):
        proc = _start(SAMPLES, warehouse)
        output, _ = _kill_when(proc, marker)
        assert proc.returncode != 0 and marker in output, output[-2000:]
    proc = _start(SAMPLES, warehouse)
    output, children = _kill_when(proc, "START sql", signal.SIGTERM)
    assert proc.returncode == 128 + signal.SIGTERM and "stopped by SIGTERM" in output, output[-2000:]
    # within seconds (the output was read to its end once the signal was sent), nothing left behind
    assert children and not [p for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]

    final = run_ogi("refresh", "--landing", str(SAMPLES), "--warehouse", str(warehouse), timeout=600)
    assert final.returncode == 0, final.stderr
    assert digest(warehouse) == digest(clean_build)
    alerts = [json.loads(x) for x in warehouse.with_suffix(".alerts.jsonl").read_text(encoding="utf-8").splitlines()]
    keys = [a["finding_key"] for a in alerts]
    assert len(keys) == len(set(keys))  # no alert twice
    clean = clean_build.with_suffix(".alerts.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(keys) == sorted(json.loads(x)["finding_key"] for x in clean)


def test_a_fetch_and_a_refresh_started_together_both_finish(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    for name in ("pingtan-2025.html", "003_53998b694067610d.txt"):
        (site / name).write_bytes((SAMPLES / name).read_bytes())

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(site), **k)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{base}/pingtan-2025.html\n{base}/003_53998b694067610d.txt\n", encoding="utf-8")
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    landing.mkdir()
    (landing / "a.txt").write_bytes((SAMPLES / "000_7e78f6154f3411bd.txt").read_bytes())
    env = {**os.environ, "OGI_FETCH_ALLOW_PRIVATE": "1", "OGI_FETCH_HOST_INTERVAL": "0.5"}
    common = ["--landing", str(landing), "--warehouse", str(warehouse)]
    refresh = subprocess.Popen([*OGI, "refresh", *common], env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    fetch = subprocess.Popen(
        [*OGI, "fetch", "--urls", str(urls), *common],
        env=env,
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    fetched, fetch_err = fetch.communicate(timeout=600)
    _, refresh_err = refresh.communicate(timeout=600)
    server.shutdown()
    assert refresh.returncode == 0, refresh_err[-2000:]
    assert fetch.returncode == 0 and "Traceback" not in fetch_err, fetch_err[-2000:]
    assert json.loads(fetched)["outcomes"] == {"new": 2}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.fetch_log where outcome = 'new'").fetchone()[0] == 2
        assert con.execute("select count(*) from raw.files").fetchone()[0] >= 1


def test_one_bad_file_among_a_thousand_good(tmp_path):
    """The good reports load; the file whose deflate stream is broken, the one that takes too
    long and the one with a flipped byte are each named with what happened."""
    from bench.generate import generate

    landing = tmp_path / "landing"
    docs = generate(tmp_path / "gen", 1000, seed=21, formats=("html", "tsv", "cell_per_line"))
    landing.mkdir()
    for p in docs:
        os.link(p, landing / p.name)
    [docx] = generate(tmp_path / "gen-docx", 1, seed=22, formats=("docx",))
    data = bytearray(docx.read_bytes())
    start = data.index(b"word/document.xml") + len("word/document.xml") + 40
    data[start : start + 64] = bytes(64)  # the deflate stream of the document's text, broken
    (landing / "broken.docx").write_bytes(bytes(data))
    # LibreOffice alone takes longer than the 1 s allowed below to start and refuse this
    (landing / "slow.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(4).randbytes(50_000))
    flipped = bytearray((SAMPLES / "003_53998b694067610d.txt").read_bytes())
    flipped[len(flipped) // 2] = 0xFF  # one invalid UTF-8 byte inside the report
    (landing / "flipped.txt").write_bytes(bytes(flipped))
    warehouse = tmp_path / "w.duckdb"
    proc = run_ogi(
        "refresh", "--landing", str(landing), "--warehouse", str(warehouse), env={"OGI_FILE_TIMEOUT": "1"}, timeout=900
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        status = dict(
            con.execute("select file_name, status || ' ' || coalesce(quarantine_reason, '') from raw.files").fetchall()
        )
    assert status["broken.docx"] == "quarantined corrupt"
    assert status["slow.doc"] == "quarantined timeout"
    assert status["flipped.txt"] == "flagged "
    good = {p.name for p in docs}
    assert all(status[name].split()[0] in ("ok", "flagged") for name in good) and len(status) == len(good) + 3
    assert "broken.docx" in proc.stderr and "slow.doc" in proc.stderr
