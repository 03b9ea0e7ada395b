"""Hostile and broken inputs in the formats that need generating: each gets a status and a
reason, the batch goes on, nothing is lost."""

import json
import random
import shutil
import subprocess

from bench.generate import random_truth
from bench.hostile import build
from bench.render import Sample, render_docx, render_html
from tests.conftest import SAMPLES, run_ogi


def _extract(*paths):
    proc = run_ogi("extract", "--json", *map(str, paths))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    return [json.loads(line) for line in proc.stdout.strip().split("\n")]


def test_encrypted_pdf_is_quarantined(tmp_path):
    render_docx(Sample(random_truth(random.Random(1), "gb2021")), tmp_path / "r.docx")
    options = '{"EncryptFile":{"type":"boolean","value":"true"},"DocumentOpenPassword":{"type":"string","value":"x"}}'
    subprocess.run(
        [
            shutil.which("soffice"),
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            f"pdf:writer_pdf_Export:{options}",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "r.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [got] = _extract(tmp_path / "r.pdf")
    assert (got["status"], got["quarantine_reason"]) == ("quarantined", "encrypted")


def test_html_with_wrong_declared_encoding_is_still_read(tmp_path):
    truth = random_truth(random.Random(2), "gb2021")
    path = tmp_path / "r.html"
    render_html(Sample(truth), path, encoding="gb18030")
    path.write_bytes(path.read_bytes().replace(b"charset=gb18030", b"charset=utf-8"))  # lies
    [got] = _extract(path)
    assert got["status"] == "ok" and got["table3"] == truth["table3"]


def test_truncated_html_is_flagged_with_what_is_missing(tmp_path):
    truth = random_truth(random.Random(3), "gb2021")
    path = tmp_path / "r.html"
    render_html(Sample(truth), path)
    data = path.read_bytes()
    cut = data.index("（五）不予处理".encode())  # the page ends in the middle of 表三
    path.write_bytes(data[:cut])
    [got] = _extract(path)
    assert got["status"] == "flagged"
    missing = next(i for i in got["issues"] if i["code"] == "missing_rows")
    assert "out_rejected_petition" in missing["rows"] and "out_total" in missing["rows"]
    assert got["table3"]["out_granted"] == truth["table3"]["out_granted"]  # what was printed is kept


def test_a_50_mb_file_is_refused_and_the_batch_goes_on(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.write(b"0" * (50 * 1024 * 1024))
    got = _extract(big, SAMPLES / "003_53998b694067610d.txt")
    assert got[0]["quarantine_reason"] == "too_large"
    assert got[1]["status"] == "ok"


def test_hostile_corpus_never_escapes_and_no_damaged_file_is_wrongly_ok(tmp_path):
    """A fixed-seed subset of bench.hostile (every crafted kind, mutations of every format): each
    file gets a status in one `ogi extract` run, no traceback, and a file called ok has exactly
    its intact original's values."""
    cases = build(tmp_path, 160, seed=3, garbage=8)
    originals = sorted({c.origin for c in cases if c.origin})
    results = _extract(*originals, *(c.path for c in cases))
    by_path = dict(zip([*originals, *(c.path for c in cases)], results, strict=True))
    assert {c.category for c in cases} >= {"pdf_compression_bomb", "html_deep_nesting", "zip_member_damaged"}
    wrong = []
    for c in cases:
        got = by_path[c.path]
        assert got["status"] in ("ok", "flagged", "quarantined")
        if got["status"] == "ok":
            original = by_path[c.origin] if c.origin else None
            keys = ("table2", "table3", "table4", "report")
            if original is None or [got[k] for k in keys] != [original[k] for k in keys]:
                wrong.append(c.path.name)
    assert wrong == []
