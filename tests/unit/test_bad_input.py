"""Bad files get a status and a reason; the batch goes on; no traceback reaches the user."""

import json
import zipfile

from tests.conftest import SAMPLES, run_ogi


def _extract_all(paths):
    proc = run_ogi("extract", "--json", *map(str, paths))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return {json.loads(line)["file"]: json.loads(line) for line in proc.stdout.strip().split("\n")}


def test_bad_files_are_quarantined_and_the_batch_goes_on(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "garbage.bin").write_bytes(bytes(range(256)) * 64)
    (tmp_path / "legacy.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj<<>>\ntruncated")
    (tmp_path / "novel.txt").write_text("从前有座山，山里有座庙。\n" * 50, encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w") as z:
        z.writestr("x", "0" * 1000)
    good = SAMPLES / "000_7e78f6154f3411bd.txt"
    got = _extract_all(
        [
            tmp_path / "empty.txt",
            tmp_path / "garbage.bin",
            tmp_path / "legacy.doc",
            tmp_path / "broken.pdf",
            tmp_path / "novel.txt",
            good,
            tmp_path / "missing.txt",
        ]
    )
    reasons = {name: r.get("quarantine_reason") for name, r in got.items()}
    assert reasons["empty.txt"] == "empty"
    assert reasons["garbage.bin"] in ("binary", "not_a_report")
    assert reasons["legacy.doc"] == "conversion_failed"  # an OLE header and nothing else
    assert reasons["broken.pdf"] == "corrupt"
    assert reasons["novel.txt"] == "not_a_report"
    assert reasons[str(tmp_path / "missing.txt")] == "not_found"
    assert got[good.name]["status"] == "ok"


def test_gbk_text_report_is_decoded(tmp_path):
    text = (SAMPLES / "000_7e78f6154f3411bd.txt").read_text(encoding="utf-8")
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(text.replace("“", '"').replace("”", '"').encode("gb18030"))
    got = _extract_all([gbk])["gbk.txt"]
    assert got["status"] == "ok" and got["table3"]["new_received"]["total"] == 18


def test_a_report_whose_table_cannot_be_read_is_flagged_not_dropped(tmp_path):
    lines = [
        "某某县人民政府2023年政府信息公开工作年度报告",
        "一、总体情况",
        "本年度共收到政府信息公开申请5件。",
        "三、收到和处理政府信息公开申请情况",
        "一、本年新收政府信息公开申请数量",
        "二、上年结转政府信息公开申请数量",
        "（一）予以公开",
        "（二）部分公开",
        "四、结转下年度继续办理",
    ]
    (tmp_path / "no-grid.txt").write_text("\n".join(lines), encoding="utf-8")
    got = _extract_all([tmp_path / "no-grid.txt"])["no-grid.txt"]
    assert got["status"] == "flagged"
    assert "table_unreadable" in {i["code"] for i in got["issues"]}
    assert (got["report"]["agency"], got["report"]["year"]) == ("某某县人民政府", 2023)


def test_a_docx_with_a_broken_deflate_stream_is_quarantined_not_raised(tmp_path):
    import io

    from bench.render import TEMPLATE

    data = bytearray(TEMPLATE.read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 200
    for k in range(start, start + 40):  # flip bytes inside the compressed document.xml
        data[k] ^= 0x5A
    (tmp_path / "broken.docx").write_bytes(bytes(data))
    got = _extract_all([tmp_path / "broken.docx", SAMPLES / "000_7e78f6154f3411bd.txt"])
    assert got["broken.docx"]["quarantine_reason"] == "corrupt"
    assert got["000_7e78f6154f3411bd.txt"]["status"] == "ok"


def test_a_report_with_damaged_bytes_is_loaded_and_flagged_not_lost(tmp_path):
    data = (SAMPLES / "000_7e78f6154f3411bd.txt").read_bytes()
    cut = data.index("二、主动公开".encode()) - 200
    flipped = data[:cut] + b"\xff" + data[cut + 1 :]  # one byte that is not UTF-8
    mixed = data + "附注：本报告经审核".encode("gbk")  # a GBK phrase inside a UTF-8 file
    (tmp_path / "flipped.txt").write_bytes(flipped)
    (tmp_path / "mixed.txt").write_bytes(mixed)
    got = _extract_all([tmp_path / "flipped.txt", tmp_path / "mixed.txt"])
    for name in ("flipped.txt", "mixed.txt"):
        assert got[name]["status"] == "flagged", name
        [damage] = [i for i in got[name]["issues"] if i["code"] == "encoding_damaged"]
        where = (
            cut if name == "flipped.txt" else len(data)
        )  # the sequence holding the bad byte starts there or just before
        assert where - 3 <= damage["byte_offsets"][0] <= where
        assert got[name]["table3"]["new_received"]["total"] == 18  # the seed's 表三, read whole


def test_utf32_text_is_not_read_as_utf16(tmp_path):
    text = (SAMPLES / "000_7e78f6154f3411bd.txt").read_text(encoding="utf-8")
    (tmp_path / "utf32.txt").write_bytes(text.encode("utf-32"))
    got = _extract_all([tmp_path / "utf32.txt"])["utf32.txt"]
    assert got["status"] == "ok" and got["table3"]["new_received"]["total"] == 18


def test_huge_image_and_many_page_image_pdf_are_refused_quickly(tmp_path):
    import time

    from PIL import Image

    Image.new("1", (20000, 20000), 1).save(tmp_path / "huge.png")  # a 20000×20000 scan
    pages = [Image.new("L", (200, 280), 255) for _ in range(300)]
    pages[0].save(tmp_path / "scan.pdf", save_all=True, append_images=pages[1:])  # 300 image pages
    start = time.perf_counter()
    got = _extract_all([tmp_path / "huge.png", tmp_path / "scan.pdf"])
    assert time.perf_counter() - start < 60
    assert got["huge.png"]["quarantine_reason"] == "too_large"  # refused before its pixels are decoded
    assert got["scan.pdf"]["quarantine_reason"] == "image_only"


def test_a_page_of_huge_row_and_column_spans_is_refused_quickly(tmp_path):
    import time

    cells = "".join('<td rowspan="200" colspan="200">1</td>' for _ in range(40))
    rows = "".join(f"<tr>{cells}</tr>" for _ in range(60))
    (tmp_path / "spans.html").write_text(f"<html><body><table>{rows}</table></body></html>", encoding="utf-8")
    start = time.perf_counter()
    got = _extract_all([tmp_path / "spans.html"])["spans.html"]
    assert time.perf_counter() - start < 30
    assert got["status"] == "quarantined" and got["quarantine_reason"] == "too_large"


def test_cli_mistakes_are_one_line_and_a_nonzero_exit(tmp_path):
    """A damaged warehouse file, a landing 'folder' that is a file, a URL list saved as GBK with a
    year that is not one: one line saying what to do, no traceback, nothing written."""
    damaged = tmp_path / "w.duckdb"
    damaged.write_bytes(b"not a database" * 1000)
    report = SAMPLES / "000_7e78f6154f3411bd.txt"
    for args, code, words in (
        (("refresh", "--landing", str(SAMPLES), "--warehouse", str(damaged)), 3, "cannot be opened as a DuckDB"),
        (("refresh", "--landing", str(report), "--warehouse", str(tmp_path / "x.duckdb")), 2, "is a file"),
        (("fetch", "--urls", str(report), "--landing", str(report), "--warehouse", str(damaged)), 2, "is a file"),
    ):
        proc = run_ogi(*args, timeout=120)
        assert proc.returncode == code and words in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
    urls = tmp_path / "urls.txt"
    urls.write_bytes("http://127.0.0.1:9/a.html,示例局,二〇二四\n".encode("gbk"))  # nothing listens on port 9
    proc = run_ogi(
        "fetch",
        "--urls",
        str(urls),
        "--landing",
        str(tmp_path / "in"),
        "--warehouse",
        str(tmp_path / "f.duckdb"),
        env={"OGI_FETCH_ALLOW_PRIVATE": "1"},
        timeout=120,
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert json.loads(proc.stdout)["outcomes"] == {"bad_line": 1}
