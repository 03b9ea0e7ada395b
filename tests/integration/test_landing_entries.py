"""The landing folder is untrusted: entries that are not regular files inside it are recorded as
skipped with the reason, never opened, and never stop the good files from loading; a name that is
not UTF-8 is loaded under its escaped bytes; damaged and crafted files beside them are each
accounted for, and the good reports load as they would alone."""

import codecs
import os
import shutil

import duckdb

from bench.hostile import build
from extract.report import extract_file
from tests.conftest import SAMPLES, run_ogi


def test_odd_entries_are_skipped_and_recorded_and_the_reports_load(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    for name in ("000_7e78f6154f3411bd.txt", "hongze-2024.pdf"):
        shutil.copy(SAMPLES / name, landing)
    (landing / "2023" / "county").mkdir(parents=True)  # sites are often mirrored a folder per year
    shutil.copy(SAMPLES / "002_f6b3b7a6d887a97c.txt", landing / "2023" / "county")
    hostile = [c.path for c in build(tmp_path / "hostile", 60, seed=5, garbage=4)]
    for path in hostile:
        shutil.copy(path, landing / f"hostile-{path.name}")
    secret = tmp_path / "outside.txt"
    secret.write_text("not part of the landing folder", encoding="utf-8")
    os.mkfifo(landing / "a.fifo")  # opening it would block the refresh
    os.symlink(secret, landing / "outside-link.txt")
    os.symlink(landing / "nowhere.txt", landing / "dangling.txt")
    os.symlink(landing / "loop-b", landing / "loop-a")
    os.symlink(landing / "loop-a", landing / "loop-b")
    (landing / ".hidden.txt").write_text("x", encoding="utf-8")
    gbk_name = os.path.join(os.fsencode(landing), "报告".encode("gbk") + b".txt")
    with open(gbk_name, "wb") as f:  # a name as archives made on Chinese Windows carry it
        f.write((SAMPLES / "003_53998b694067610d.txt").read_bytes())
    warehouse = tmp_path / "w.duckdb"
    proc = run_ogi("refresh", "--landing", str(landing), "--warehouse", str(warehouse), timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        loaded = dict(con.execute("select file_name, status from raw.files").fetchall())
        paths = [r[0] for r in con.execute("select path from raw.files").fetchall()]
        sample_cells = con.execute(
            """select f.file_name, c.table_name, c.row_key, c.col_key, c.value from raw.cells c
               join raw.files f on f.sha256 = c.report_id where f.file_name not like 'hostile-%'"""
        ).fetchall()
        skipped = dict(con.execute("select regexp_extract(path, '[^/]+$'), reason from raw.skipped").fetchall())
    gbk_stored = "\\xb1\\xa8\\xb8\\xe6.txt"  # the name's bytes escaped: kept, recoverable
    assert {k: v for k, v in loaded.items() if not k.startswith("hostile-")} == {
        "000_7e78f6154f3411bd.txt": "ok",
        "hongze-2024.pdf": "ok",
        "002_f6b3b7a6d887a97c.txt": "ok",
        gbk_stored: "ok",
    }
    assert len(loaded) == 4 + len(hostile)  # every damaged or crafted file has its row and status
    alone = {  # the good reports as they read alone
        (name, c["table"], c["row"], c["col"], None if c["value"] is None else float(c["value"]))
        for name in ("000_7e78f6154f3411bd.txt", "hongze-2024.pdf")
        for c in extract_file(SAMPLES / name)["cells"]
    }
    assert {r for r in sample_cells if r[0] not in (gbk_stored, "002_f6b3b7a6d887a97c.txt")} == alone
    [stored] = [p for p in paths if p.endswith(gbk_stored)]
    assert codecs.escape_decode(stored.encode("utf-8"))[0] == gbk_name
    assert skipped["a.fifo"] == "not_a_regular_file"
    assert skipped["outside-link.txt"] == "link_outside_landing"
    assert skipped["dangling.txt"] == "dangling_link"
    assert skipped["loop-a"].startswith("unreadable") or skipped["loop-a"] == "dangling_link"
    assert skipped[".hidden.txt"] == "hidden"
    page = warehouse.with_suffix(".dq.html").read_text(encoding="utf-8")
    assert "a.fifo" in page and "链接指向收件目录之外" in page
