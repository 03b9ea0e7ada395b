"""Generate realistic reports with known truth, in every format the extractor reads.

    python -m bench.generate OUT_DIR [--n 240] [--seed 7]

writes OUT_DIR/docs/<name>.<ext> and OUT_DIR/truth/<name>.json (the truth-file shape of
data/truth; blank cells are 0 plus a ``blank_cells`` entry, NA cells are null). Score with
``ogi eval OUT_DIR/truth OUT_DIR/docs``. PDFs are made from the DOCX with LibreOffice headless.

Values obey the form's arithmetic; what is printed varies: NA markers, thousands separators,
full-width digits, 元 amounts for 万元 columns, blanks (only where a blank is unambiguous: real
table grids), half-width punctuation, wrapped labels, two-line titles, drifting TSV offsets."""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

from extract.keys import GB2019, GB2021, T2_METRICS, T3_COLUMNS, T3_ROWS_GB2019, T3_ROWS_GB2021, T4_OUTCOMES, T4_PROCS

from .render import (
    Sample,
    render_cell_per_line,
    render_docx,
    render_html,
    render_markdown,
    render_run_together,
    render_tsv,
    render_xlsx,
)

PLACES = ("济源市", "金平县", "卫滨区", "邢台市", "淮安市", "洪泽区", "民权县", "宁国市", "定西市", "丽水市", "晋安区")
BODIES = ("人民政府办公室", "人民政府", "自然资源和规划局", "市场监督管理局", "公共资源交易中心", "教育局", "卫健委")
FORMATS = ("html", "html_gbk", "docx", "pdf", "tsv", "cell_per_line", "markdown")
# shapes that lose structure: cells run together, rows run into one line, metadata stated in one
# place only (or in conflicting places)
HARD_SHAPES = ("run_together", "markdown_merged", "metadata")
# web pages printed to PDF (A4 portrait: narrow columns wrap labels and numbers, tables cross pages)
# by LibreOffice, as many offices make their attachments, and by Chromium
PRINTED_SHAPES = ("pdf_lo", "pdf_chromium")
# scans: the template's PDF rasterised at 150 dpi, turned by up to 1°, with noise and JPEG
# artefacts, as an image-only PDF and as a multi-page TIFF (what a scanner writes)
SCAN_SHAPES = ("scan_pdf", "scan_tiff")
# a scanned report pasted into Word, or into a web page: every page a picture in a DOCX, or a
# picture embedded in the page (a data: URI, as a page saved whole carries it)
PICTURE_SHAPES = ("scan_docx", "scan_html")
_SCANNED = (*SCAN_SHAPES, *PICTURE_SHAPES)
_SUFFIX = {"scan_tiff": ".tiff", "scan_docx": ".docx", "scan_html": ".html"}  # what a rasterised PDF becomes
# legacy Office files, made by LibreOffice from generated DOCX and XLSX (.wps and .et are the WPS
# Office names of the same binary formats)
LEGACY_SHAPES = ("doc", "wps", "xlsx", "xls", "et")
GRID_FORMATS = (
    "html",
    "html_gbk",
    "docx",
    "markdown",
    "markdown_merged",
    *PRINTED_SHAPES,
)  # a blank is unambiguous only in a grid
# where the metadata shape states agency and year, per format it is printed as
METADATA_PLACES = {
    "html": ("html_title", "meta", "page_field", "signature", "file_name", "period", "conflict", "none"),
    "docx": ("properties", "signature", "file_name", "period"),
}
NA_MARKERS = ("—", "/", "无", "-")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _count(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.55:
        return 0
    return rng.randint(1, rng.choice((5, 30, 300, 5000)))


def random_truth(rng: random.Random, version: str, hybrid: bool = False) -> dict:
    rows = list(T3_ROWS_GB2019 if version == GB2019 or hybrid else T3_ROWS_GB2021)
    leaves = [r for r in rows if r.startswith(("out_", "grp_")) and r != "out_total"]
    t3 = {r: {} for r in rows}
    for col in T3_COLUMNS[:-1]:
        active = rng.random() < (0.8 if col == "natural_person" else 0.25)
        for leaf in leaves:
            t3[leaf][col] = _count(rng) if active and rng.random() < 0.4 else 0
        t3["out_total"][col] = sum(t3[leaf][col] for leaf in leaves)
        t3["carried_to_next"][col] = rng.randint(0, 5) if active else 0
        t3["carried_over"][col] = rng.randint(0, min(5, t3["out_total"][col] + t3["carried_to_next"][col]))
        t3["new_received"][col] = t3["out_total"][col] + t3["carried_to_next"][col] - t3["carried_over"][col]
    for r in rows:
        t3[r]["total"] = sum(t3[r][c] for c in T3_COLUMNS[:-1])
    t4 = {}
    for p in T4_PROCS:
        parts = {o: (rng.randint(0, 12) if rng.random() < 0.3 else 0) for o in T4_OUTCOMES[:-1]}
        t4[p] = {**parts, "total": sum(parts.values())}
    t2 = {}
    t2_version = GB2021 if hybrid else version
    for item, metrics in T2_METRICS[t2_version].items():
        t2[item] = {}
        for m in metrics:
            if m == "fee_amount_wan":
                t2[item][m] = round(rng.randint(0, 2_000_000) / 100, 2) if rng.random() < 0.6 else 0.0
            elif m == "procurement_amount_wan_2019":
                t2[item][m] = round(rng.randint(0, 3_000_000) / 10000, 4)
            elif m == "yoy_change_2019":
                t2[item][m] = rng.randint(-50, 50) if rng.random() < 0.4 else 0
            else:
                t2[item][m] = _count(rng)
    year = rng.choice((2019, 2020)) if version == GB2019 else rng.randint(2021, 2025)
    agency = rng.choice(PLACES) + rng.choice(BODIES)
    return {
        "report": {
            "agency": agency,
            "year": year,
            "format_version": t2_version,
            "published_date": None,
            "index_no": None,
        },
        "table2": t2,
        "table3": t3,
        "table4": t4,
        "rule_violations": [],
    }


def inject_error(rng: random.Random, truth: dict, has_previous: bool) -> None:
    """One printing error of the kinds found in real reports; the truth keeps what is printed and
    lists the rules that must then fail (hard and cross-year rules only)."""
    t3, t4 = truth["table3"], truth["table4"]
    kind = rng.choice(("t3_total", "t4_total", "carry_over"))
    delta = rng.choice((1, 2, 3, 10))
    if kind == "t3_total":
        t3["out_total"]["total"] += delta
        rules = ["R01_t3_balance_per_column", "R02_t3_total_col_eq_sum_applicants", "R03_t3_out_total_eq_leaf_sum"]
        on_hand = (t3["new_received"]["total"] or 0) + (t3["carried_over"]["total"] or 0)
        rules += ["R10_t3_carry_bounds"] if t3["out_total"]["total"] > on_hand else []
    elif kind == "t4_total":
        t4["admin_review"]["total"] += delta
        rules = ["R05_t4_total_eq_components"]
    else:
        t3["carried_over"][rng.choice(("natural_person", "total"))] += delta
        rules = ["R01_t3_balance_per_column", "R02_t3_total_col_eq_sum_applicants"]
        rules += ["R08_cross_year_carryover"] if has_previous else []
    truth["rule_violations"] = [{"rule": r, "injected": kind} for r in rules]


def vary_printing(rng: random.Random, truth: dict, fmt: str) -> dict:
    """What each cell prints, where it differs from the plain number; updates the truth for NA
    (null) and blank (0 + blank_cells) cells."""
    printed, blanks = {}, []
    if fmt == "run_together":
        return printed  # a dump of plain digits: markers and separators would end the runs
    for table in ("table2", "table3", "table4"):
        for row, cols in truth[table].items():
            for col, v in cols.items():
                key = (table, row, col)
                money = col in ("fee_amount_wan", "procurement_amount_wan_2019")
                r = rng.random()
                if v == 0 and r < 0.03:
                    printed[key] = rng.choice(NA_MARKERS)
                    cols[col] = None
                elif v == 0 and r < 0.06 and fmt in GRID_FORMATS:
                    printed[key] = ""
                    blanks.append(f"{table}.{row}.{col}")
                elif money and v and r < 0.3 and round(v * 10000) == v * 10000:
                    printed[key] = f"{round(v * 10000)}元"
                elif not money and isinstance(v, int) and v >= 1000 and r < 0.3:
                    printed[key] = f"{v:,}"  # in a narrow PDF column '9,142' wraps inside its cell
                elif isinstance(v, int) and v > 0 and r < 0.05:
                    printed[key] = str(v).translate(FULL_WIDTH)
                elif col == "yoy_change_2019" and isinstance(v, int) and v > 0 and r < 0.5:
                    printed[key] = f"+{v}"
    if blanks:
        truth["blank_cells"] = blanks
    return printed


def make_sample(rng: random.Random, fmt: str) -> Sample:
    carrier = rng.choice(("html", "docx")) if fmt == "metadata" else fmt
    if carrier in ("docx", "pdf", "doc", "wps", *_SCANNED):
        version, hybrid = GB2021, False  # the bundled template is the gb2021 form
    else:
        version = rng.choice((GB2021, GB2021, GB2019))
        hybrid = version == GB2021 and rng.random() < 0.15
    # a quarter of the run-together dumps print an error of their own, as real reports do
    adjust = (lambda t: inject_error(rng, t, False)) if fmt == "run_together" and rng.random() < 0.25 else None
    sample = make_sample_for(rng, fmt, version, hybrid=hybrid, adjust=adjust)
    sample.carrier = carrier
    if fmt == "metadata":
        sample.placement = rng.choice(METADATA_PLACES[carrier])
    if fmt == "run_together" or (carrier == "html" and fmt == "metadata" and rng.random() < 0.5):
        year = sample.truth["report"]["year"]
        sample.published = f"{year + 1}-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}"
        sample.truth["report"]["published_date"] = sample.published
    return sample


def make_sample_for(
    rng: random.Random,
    fmt: str,
    version: str,
    agency: str | None = None,
    year: int | None = None,
    adjust=None,
    hybrid: bool = False,
) -> Sample:
    """A sample of ``version`` printed as ``fmt``; ``adjust(truth)`` may change the values before
    the printing is chosen (to chain years, or to inject an error)."""
    if fmt in ("docx", "pdf", "doc", "wps", *_SCANNED):
        version = GB2021  # the bundled template is the gb2021 form
    truth = random_truth(rng, version, hybrid)
    if agency:
        truth["report"]["agency"] = agency
    if year:
        truth["report"]["year"] = year
    if adjust:
        adjust(truth)
    printed = vary_printing(rng, truth, fmt)
    return Sample(
        truth,
        printed,
        halfwidth=rng.random() < 0.3,
        wrap=fmt in ("html", "html_gbk") and rng.random() < 0.5,
        title_lines=rng.choice((1, 2)),
        states_cases=rng.random() < 0.5,
    )


# the file each shape is first rendered as (LibreOffice, Chromium or a raster step makes the rest)
RENDERED_AS = {
    **dict.fromkeys(("html", "html_gbk", "pdf_lo", "pdf_chromium"), "html"),
    **dict.fromkeys(("docx", "pdf", "doc", "wps", *_SCANNED), "docx"),
    **dict.fromkeys(("xlsx", "xls", "et"), "xlsx"),
}


def render_sample(sample: Sample, fmt: str, stem: Path, rng: random.Random) -> Path:
    """Write ``sample`` as ``fmt`` next to ``stem``; a PDF is left as its DOCX for docx_to_pdf."""
    ext = RENDERED_AS.get(fmt, "txt")
    if fmt == "metadata":
        fmt = ext = sample.carrier
    if sample.placement == "file_name":
        r = sample.truth["report"]
        stem = stem.with_name(f"{r['agency']}{r['year']}年政府信息公开工作年度报告_{stem.name}")
    path = stem.with_name(f"{stem.name}.{ext}")
    if fmt == "run_together":
        render_run_together(sample, path, rng, numbered=rng.random() < 0.7, one_line=rng.random() < 0.7)
    elif fmt == "markdown_merged":
        render_markdown(sample, path, rng)
    elif fmt in ("html", "pdf_lo", "pdf_chromium"):
        render_html(sample, path)
    elif fmt == "html_gbk":
        render_html(sample, path, "gb18030")
    elif fmt in ("docx", "pdf", "doc", "wps", *_SCANNED):
        render_docx(sample, path)
    elif fmt in ("xlsx", "xls", "et"):
        render_xlsx(sample, path)
    elif fmt == "tsv":
        render_tsv(sample, path, rng)
    elif fmt == "cell_per_line":
        render_cell_per_line(sample, path)
    else:
        render_markdown(sample, path)
    return path


def generate(out: Path, n: int, seed: int, formats: tuple[str, ...] = FORMATS, start: int = 0) -> list[Path]:
    rng = random.Random(seed)
    docs, truths = out / "docs", out / "truth"
    docs.mkdir(parents=True, exist_ok=True)
    truths.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    pending: dict[str, list[Path]] = {}  # LibreOffice target -> files to convert
    scans: list[tuple[Path, str]] = []  # PDFs to rasterise once made
    for i in range(start, start + n):
        fmt = formats[i % len(formats)]
        sample = make_sample(rng, fmt)
        name = f"gen{i:04d}_{fmt}"
        path = render_sample(sample, fmt, docs / name, rng)
        target = CONVERTED_TO.get(fmt)
        if target:
            pending.setdefault(target, []).append(path)
            path = path.with_suffix(".pdf" if target in ("pdf", "chromium") else f".{fmt}")
            if fmt in _SCANNED:
                scans.append((path, fmt))
        sample.truth["file"] = path.with_suffix(_SUFFIX.get(fmt, path.suffix)).name
        sample.truth["generated_as"] = fmt
        if sample.placement != "title":
            sample.truth["metadata_placement"] = sample.placement
        (truths / f"{name}.json").write_text(json.dumps(sample.truth, ensure_ascii=False, indent=1), encoding="utf-8")
        written.append(path)
    for target, files in pending.items():
        if target == "chromium":
            chromium_print(files)
        else:
            libreoffice_convert(files, docs, target)
    lost = [p for p in written if p.suffix == ".pdf" and lost_content(p)]
    for path in lost:  # its truth is no longer what the document says
        path.unlink()
        (truths / f"{path.stem}.json").unlink()
        print(f"dropped {path.name}: the converter cut it off (a layout table taller than a page)")
    written = [p for p in written if p not in lost]
    scans = [(p, fmt) for p, fmt in scans if p not in lost]
    for path, fmt in scans:
        rasterise(path, fmt, rng)
    scanned_as = dict(scans)
    written = [p.with_suffix(_SUFFIX.get(scanned_as.get(p), p.suffix)) for p in written]
    for path in written:  # .wps and .et are the WPS Office names of .doc and .xls
        made = path.with_suffix({".wps": ".doc", ".et": ".xls"}.get(path.suffix, path.suffix))
        if made != path:
            made.rename(path)
    return written


# shapes LibreOffice makes from the rendered DOCX or XLSX, by its conversion target
CONVERTED_TO = {"pdf": "pdf", "pdf_lo": "pdf", "pdf_chromium": "chromium", "doc": "doc", "wps": "doc", "xls": "xls"}
CONVERTED_TO.update(et="xls", scan_pdf="pdf", scan_tiff="pdf", scan_docx="pdf", scan_html="pdf")


def lost_content(pdf_path: Path) -> bool:
    """LibreOffice cannot break a table row over pages: a page laid out in one big table cell (a
    web page's layout table) can come out cut off after the first pages. Every rendered report
    ends with section 六; a PDF without its heading lost the rest."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(pdf_path)
    try:
        text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()
    return "六、其他需要报告的事项" not in "".join(text.split())


def rasterise(pdf_path: Path, fmt: str, rng: random.Random) -> None:
    """A PDF made into a scan of itself: 150 dpi, turned by up to 1°, grain, JPEG artefacts; an
    image-only PDF in place, or beside it a multi-page TIFF, a DOCX of page pictures or a web page
    of them (the PDF removed)."""
    import base64
    import io

    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    pdf = pdfium.PdfDocument(pdf_path)
    noise = np.random.default_rng(rng.randint(0, 2**31))
    pages = []
    for i in range(len(pdf)):
        page = pdf[i].render(scale=150 / 72).to_pil().convert("L")
        page = page.rotate(rng.uniform(-1, 1), fillcolor=255, resample=Image.BILINEAR)
        grain = np.asarray(page).astype(np.int16) + noise.normal(0, 10, (page.height, page.width)).astype(np.int16)
        buf = io.BytesIO()
        Image.fromarray(np.clip(grain, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=rng.randint(60, 85))
        pages.append(Image.open(io.BytesIO(buf.getvalue())).convert("L"))
    pdf.close()
    if fmt == "scan_tiff":
        pages[0].save(pdf_path.with_suffix(".tiff"), save_all=True, append_images=pages[1:], compression="tiff_lzw")
    elif fmt in PICTURE_SHAPES:
        pngs = []
        for page in pages:
            png = io.BytesIO()
            page.save(png, "PNG")
            pngs.append(png.getvalue())
        if fmt == "scan_docx":
            import docx
            from docx.shared import Cm

            document = docx.Document()
            for png in pngs:
                document.add_picture(io.BytesIO(png), width=Cm(16))
            document.save(pdf_path.with_suffix(".docx"))
        else:
            body = "\n".join(f'<p><img src="data:image/png;base64,{base64.b64encode(p).decode()}"></p>' for p in pngs)
            html = f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'
            pdf_path.with_suffix(".html").write_text(html, encoding="utf-8")
    else:
        pages[0].save(pdf_path, save_all=True, append_images=pages[1:], resolution=150)
        return
    pdf_path.unlink()


def chromium_print(files: list[Path]) -> None:
    """HTML -> PDF as a browser prints it (headless Chromium, A4); the sources are removed."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Chromium is needed to print web pages: apt-get install chromium")
    with tempfile.TemporaryDirectory() as profile:
        for f in files:
            subprocess.run(
                [
                    chromium,
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    f"--user-data-dir={profile}",
                    "--no-pdf-header-footer",
                    f"--print-to-pdf={f.with_suffix('.pdf')}",
                    f.as_uri(),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            f.unlink()


def docx_to_pdf(files: list[Path], outdir: Path) -> None:
    libreoffice_convert(files, outdir, "pdf")


def libreoffice_convert(files: list[Path], outdir: Path, target: str) -> None:
    """Convert with LibreOffice headless (Debian: libreoffice-writer-nogui, libreoffice-calc-nogui);
    the sources are removed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice is needed: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(outdir),
                *map(str, files),
            ],
            check=True,
            capture_output=True,
            timeout=900,
        )
    for f in files:
        f.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=240)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    files = generate(args.out, args.n, args.seed)
    print(f"{len(files)} reports in {args.out / 'docs'}, truth in {args.out / 'truth'}")


if __name__ == "__main__":
    main()
