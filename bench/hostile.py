"""Hostile inputs: a corpus of damaged and crafted files, and how the extractor takes them.

    python -m bench.hostile [--n 1000] [--seed 7] [--keep DIR] [--out docs/benchmarks.md]

Mutations of real reports (the bundled samples and generated DOCX/HTML/XLSX: flipped bytes, cuts,
foreign-encoding phrases, damaged zip members, malformed Word attributes) and crafted files
(rowspan and compression bombs, page-tree loops, deep nesting, huge images and tables, garbage
under every suffix). Each file is extracted in its own forked process with a time limit; the
table gives per category the outcomes, exceptions that escaped ``extract_file`` (a traceback for
the user), time-outs, the slowest file and the peak memory of one process. A mutated file called
``ok`` must have its original's values; a crafted one must not be ``ok`` at all."""

from __future__ import annotations

import argparse
import io
import multiprocessing
import random
import resource
import struct
import tempfile
import time
import zipfile
import zlib
from collections import Counter, defaultdict
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path

from pebble import ProcessExpired, ProcessPool

from .generate import random_truth
from .render import Sample, render_docx, render_html, render_xlsx
from .sections import write_section

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
LIMIT_SECONDS = 60
GBK_PHRASE = "政府信息公开".encode("gbk")
HTML_SAMPLE, TEXT_SAMPLE = "pingtan-2025.html", "003_53998b694067610d.txt"


@dataclass
class Case:
    path: Path
    category: str
    origin: Path | None  # the intact file a mutation was made from; None for a crafted file


# --- mutations of intact reports -------------------------------------------------------------


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(out))
        out[i] ^= rng.randint(1, 255)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randint(len(data) // 10, len(data) - 1)]


def foreign_phrase(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data))
    return data[:i] + GBK_PHRASE + data[i:]


def _rezip(data: bytes, change) -> bytes:
    """The package with each member passed through ``change(name, bytes) -> bytes``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info.filename)))
    return out.getvalue()


def _member_offset(data: bytes, name: str) -> tuple[int, int, int]:
    """(local header offset, data offset, compressed size) of a zip member."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    return info.header_offset, info.header_offset + 30 + name_len + extra_len, info.compress_size


def _main_member(data: bytes) -> str:
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    return "word/document.xml" if "word/document.xml" in names else next(n for n in names if "sheet" in n)


def damage_member(data: bytes, rng: random.Random) -> bytes:
    """A flipped byte inside the compressed text: a bad CRC or a broken deflate stream."""
    _, start, size = _member_offset(data, _main_member(data))
    out = bytearray(data)
    i = start + rng.randrange(max(1, size))
    out[i] ^= rng.randint(1, 255)
    return bytes(out)


def odd_compression(data: bytes, rng: random.Random) -> bytes:
    """The main member declared encrypted, or compressed with a method Python cannot read
    (9 Deflate64, 99 AES, 12 bzip2 over deflate data)."""
    header, _, _ = _member_offset(data, _main_member(data))
    central = data.index(b"PK\x01\x02")
    while struct.unpack("<I", data[central + 42 : central + 46])[0] != header:  # this member's record
        central = data.index(b"PK\x01\x02", central + 4)
    out = bytearray(data)
    if rng.random() < 0.3:
        for at in (header + 6, central + 8):  # general-purpose flag, bit 0: encrypted
            out[at] |= 1
    else:
        method = rng.choice((9, 99, 12))
        out[header + 8 : header + 10] = struct.pack("<H", method)
        out[central + 10 : central + 12] = struct.pack("<H", method)
    return bytes(out)


def odd_word_attribute(data: bytes, rng: random.Random) -> bytes:
    value = rng.choice(('"abc"', '"-3"', '"2147483647"', '"1e9"', '""'))
    attr = rng.choice(("gridSpan", "vMerge"))

    def change(name: str, body: bytes) -> bytes:
        if name != "word/document.xml":
            return body
        return body.replace(b"<w:tcPr>", f"<w:tcPr><w:{attr} w:val={value}/>".encode(), rng.randint(1, 50))

    return _rezip(data, change)


MUTATIONS = {
    "flipped_bytes": (flip_bytes, None),
    "truncated": (truncate, None),
    "foreign_encoding_phrase": (foreign_phrase, (".txt", ".html")),
    "zip_member_damaged": (damage_member, (".docx", ".xlsx")),
    "zip_odd_compression": (odd_compression, (".docx", ".xlsx")),
    "word_odd_attribute": (odd_word_attribute, (".docx",)),
}


# --- crafted files ---------------------------------------------------------------------------


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of the given objects (numbered from 1, the catalog first) with a valid xref."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % o for o in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def pdf_compression_bomb() -> bytes:
    z = zlib.compressobj(9)
    block = b"0 0 m 1 1 l S\n" * 4096
    stream = b"".join(z.compress(block) for _ in range(1024 * 1024 * 1024 // len(block))) + z.flush()
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        ]
    )


def pdf_page_tree_loop() -> bytes:
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
        ]
    )


def pdf_many_pages(n: int) -> bytes:
    kids = b" ".join(b"%d 0 R" % (i + 3) for i in range(n))
    pages = [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * n
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n), *pages])


def image_pdf(pages: int) -> bytes:
    from PIL import Image

    first = Image.new("L", (200, 280), 255)
    out = io.BytesIO()
    first.save(out, "PDF", save_all=True, append_images=[first] * (pages - 1), resolution=20)
    return out.getvalue()


def huge_png(side: int) -> bytes:
    """A PNG declaring side × side pixels whose data is tiny (a decompression bomb)."""
    raw = zlib.compress(b"\x00" * (side // 8 + 1) * 64, 9)
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def rowspan_bomb(rows: int) -> bytes:
    cells = '<td rowspan="100000000" colspan="100000000">1</td>' * 20
    return ("<html><body><table>" + f"<tr>{cells}</tr>" * rows + "</table></body></html>").encode()


def million_cells() -> bytes:
    row = "<tr>" + "<td>1</td>" * 1000 + "</tr>"
    return ("<html><body><table>" + row * 1000 + "</table></body></html>").encode()


def deep_nesting(depth: int) -> bytes:
    html = (SAMPLES / HTML_SAMPLE).read_text(encoding="utf-8")
    return ("<div>" * depth + html + "</div>" * depth).encode()


def docx_zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            for _ in range(1024):
                f.write(b" " * (1024 * 1024))
    return out.getvalue()


def crafted(rng: random.Random, garbage: int = 40) -> list[tuple[str, str, bytes, str | None]]:
    """(category, file name, bytes, the sample it re-encodes or None) of every crafted file."""
    html = (SAMPLES / HTML_SAMPLE).read_text(encoding="utf-8")
    text = (SAMPLES / TEXT_SAMPLE).read_text(encoding="utf-8")
    files = [
        ("pdf_compression_bomb", "bomb.pdf", pdf_compression_bomb(), None),
        ("pdf_page_tree_loop", "loop.pdf", pdf_page_tree_loop(), None),
        ("pdf_many_pages", "pages-5000.pdf", pdf_many_pages(5000), None),
        ("image_huge", "huge-20000.png", huge_png(20000), None),
        ("image_pdf_many_pages", "scan-300-pages.pdf", image_pdf(300), None),
        ("html_rowspan_bomb", "rowspan-88k.html", rowspan_bomb(80), None),
        ("html_million_cells", "million-cells.html", million_cells(), None),
        ("docx_zip_bomb", "bomb.docx", docx_zip_bomb(), None),
        ("text_huge", "digits-39mb.txt", b"1 2 3 4 5 6 7 8 9 0\n" * (39 * 1024 * 1024 // 20), None),
        ("empty", "empty.pdf", b"", None),
        ("empty", "one-byte.docx", b"P", None),
        # a real report under a charset declaration that lies, in UTF-32, nested deep
        ("charset_unknown", "undefined.html", html.replace("utf-8", "undefined").encode(), HTML_SAMPLE),
        ("charset_unknown", "utf32-declared.html", html.replace("utf-8", "utf-32").encode(), HTML_SAMPLE),
        ("utf32_text", "utf32-bom.txt", text.encode("utf-32"), TEXT_SAMPLE),
        ("utf32_text", "utf32-le.txt", text.encode("utf-32-le"), TEXT_SAMPLE),
        ("utf32_text", "utf32-be.txt", text.encode("utf-32-be"), TEXT_SAMPLE),
    ]
    files += [("html_deep_nesting", f"nested-{d}.html", deep_nesting(d), HTML_SAMPLE) for d in (260, 3000, 100_000)]
    for i in range(garbage):
        suffix = rng.choice((".pdf", ".docx", ".html", ".txt", ".doc", ".xlsx", ".png", ".wps"))
        head = {".pdf": b"%PDF-1.4\n", ".docx": b"PK\x03\x04", ".doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"}
        body = head.get(suffix, b"") + rng.randbytes(rng.randint(10, 200_000))
        files.append(("garbage", f"garbage-{i}{suffix}", body, None))
    return files


# --- building and running --------------------------------------------------------------------


def intact_reports(folder: Path, rng: random.Random) -> list[Path]:
    """The bundled samples and generated DOCX, HTML and XLSX reports, written to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for src in sorted(SAMPLES.iterdir()):
        dst = folder / src.name
        dst.write_bytes(src.read_bytes())
        out.append(dst)
    for i in range(4):
        sample = Sample(random_truth(rng, "gb2021"))
        for suffix, render in ((".docx", render_docx), (".html", render_html), (".xlsx", render_xlsx)):
            path = folder / f"generated-{i}{suffix}"
            render(sample, path)
            out.append(path)
    return out


def build(out: Path, n: int, seed: int, garbage: int = 40) -> list[Case]:
    """At least ``n`` hostile files in ``out/files`` (crafted ones, then mutations of the intact
    reports in ``out/intact`` until ``n`` is reached)."""
    rng = random.Random(seed)
    intact = intact_reports(out / "intact", rng)
    files = out / "files"
    files.mkdir(parents=True, exist_ok=True)
    cases = []
    for category, name, data, origin in crafted(rng, garbage):
        (files / name).write_bytes(data)
        cases.append(Case(files / name, category, origin and out / "intact" / origin))
    while len(cases) < n:
        origin = rng.choice(intact)
        category = rng.choice(list(MUTATIONS))
        mutate, suffixes = MUTATIONS[category]
        if suffixes and origin.suffix not in suffixes:
            continue
        path = files / f"{len(cases):05d}-{category}-{origin.name}"
        path.write_bytes(mutate(origin.read_bytes(), rng))
        cases.append(Case(path, category, origin))
    return cases


def _extract_measured(path: str) -> dict:
    """Runs in a fresh forked process: the extraction, its time and the process's peak memory."""
    from extract.report import extract_file

    started = time.perf_counter()
    try:
        result = extract_file(path)
        escaped = None
    except BaseException as exc:  # what would reach the user as a traceback
        result, escaped = None, f"{type(exc).__name__}: {exc}"[:300]
    return {
        "seconds": time.perf_counter() - started,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "escaped": escaped,
        "status": result and result["status"],
        "reason": result and result.get("quarantine_reason"),
        "tables": result and {t: result[t] for t in ("table2", "table3", "table4")},
        "meta": result and {k: result["report"].get(k) for k in ("agency", "year")},
    }


def run(cases: list[Case], workers: int = 2, limit: float = LIMIT_SECONDS) -> list[dict]:
    """Every case extracted in its own process (fork: the extractor is imported once), with the
    originals of the mutations for comparison."""
    import extract.report  # noqa: F401  (imported before forking)

    originals = sorted({c.origin for c in cases if c.origin})
    paths = [str(p) for p in originals] + [str(c.path) for c in cases]
    with ProcessPool(max_workers=workers, max_tasks=1, context=multiprocessing.get_context("fork")) as pool:
        futures = [pool.schedule(_extract_measured, [p], timeout=limit) for p in paths]
        results = []
        for p, f in zip(paths, futures, strict=True):
            try:
                results.append(f.result())
            except FutureTimeout:
                results.append({"timeout": True, "seconds": limit, "peak_mb": 0, "status": None})
            except ProcessExpired as exc:
                results.append({"died": str(exc), "seconds": 0, "peak_mb": 0, "status": None})
            results[-1]["path"] = p
    by_path = dict(zip(paths, results, strict=True))
    out = []
    for c in cases:
        r = by_path[str(c.path)]
        r["category"] = c.category
        if r["status"] == "ok":
            original = by_path[str(c.origin)] if c.origin else None
            same = original and (r["tables"], r["meta"]) == (original["tables"], original["meta"])
            r["bad_ok"] = not same  # garbage or a changed value called ok
        out.append(r)
    return out


def table(results: list[dict], seconds: float) -> str:
    by_cat: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        by_cat[r["category"]].append(r)
    rows = []
    for cat, rs in sorted(by_cat.items()):
        statuses = Counter(r["status"] or ("timeout" if r.get("timeout") else "died") for r in rs)
        reasons = Counter(r["reason"] for r in rs if r.get("reason"))
        top = ", ".join(f"{k} {v}" for k, v in reasons.most_common(3))
        rows.append(
            f"| {cat} | {len(rs)} | {statuses.get('ok', 0)} | {statuses.get('flagged', 0)} | "
            f"{statuses.get('quarantined', 0)} | {top} | {sum(1 for r in rs if r.get('escaped'))} | "
            f"{statuses.get('timeout', 0) + statuses.get('died', 0)} | {sum(1 for r in rs if r.get('bad_ok'))} | "
            f"{max(r['seconds'] for r in rs):.2f} | {max(r['peak_mb'] for r in rs):.0f} MB |"
        )
    total = Counter()
    for r in results:
        total["escaped"] += bool(r.get("escaped"))
        total["timeouts"] += bool(r.get("timeout") or r.get("died"))
        total["bad_ok"] += bool(r.get("bad_ok"))
    return "\n".join(
        [
            "## Hostile inputs",
            "",
            f"`python -m bench.hostile --n {len(results)}`: {len(results)} damaged and crafted files (mutations of the",
            "bundled samples and of generated DOCX/HTML/XLSX reports; bombs, loops, huge images and tables, garbage),",
            f"each extracted alone in a forked process with a {LIMIT_SECONDS} s limit ({seconds:.0f} s in all, 2",
            "workers). *Escaped*: an exception out of `extract_file`, which the user would see as a traceback.",
            "*Wrong ok*: a file called `ok` whose values or agency/year differ from its intact original, or a",
            "crafted file called `ok`. Peak memory is one process's maximum RSS (about 55 MB with the extractor",
            "loaded and nothing read yet).",
            "",
            f"Totals: {total['escaped']} escaped, {total['timeouts']} timed out or died, {total['bad_ok']} wrong ok; "
            f"slowest file {max(r['seconds'] for r in results):.2f} s, "
            f"highest peak {max(r['peak_mb'] for r in results):.0f} MB.",
            "",
            "| category | files | ok | flagged | quarantined | main reasons | escaped | timed out | wrong ok "
            "| slowest s | peak memory |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build the corpus here and keep it")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        cases = build(folder, args.n, args.seed)
        started = time.perf_counter()
        results = run(cases)
        section = table(results, time.perf_counter() - started)
    print(section)
    for r in results:
        if r.get("escaped") or r.get("timeout") or r.get("died") or r.get("bad_ok"):
            print("  ", r["path"], r.get("escaped") or r.get("died") or ("timeout" if r.get("timeout") else "wrong ok"))
    if args.out:
        write_section(args.out, section)


if __name__ == "__main__":
    main()
