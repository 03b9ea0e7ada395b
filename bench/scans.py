"""Scans read end to end, part of `bench.throughput`: generated reports rasterised (every scanned
and pictured shape), scored cell by cell, seconds per page per core, and how alike the reader
finds prints of the same digit (what confirms a doubtful lone digit)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np

from extract.readers import ocr

from .generate import PICTURE_SHAPES, SCAN_SHAPES, generate


def page_images(path: Path) -> list:
    """A generated scan's pages: an image PDF's, a TIFF's frames, a Word file's or a web page's pictures."""
    import base64
    import io
    import re
    import zipfile

    import pypdfium2 as pdfium
    from PIL import Image, ImageSequence

    if path.suffix == ".pdf":
        pdf = pdfium.PdfDocument(path)
        return [pdf[i].render(scale=ocr.DPI / 72).to_pil() for i in range(len(pdf))]
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as z:
            media = sorted(n for n in z.namelist() if n.startswith("word/media/"))
            return [Image.open(io.BytesIO(z.read(n))) for n in media]
    if path.suffix == ".html":
        found = re.findall(r'src="data:image/png;base64,([^"]+)"', path.read_text(encoding="utf-8"))
        return [Image.open(io.BytesIO(base64.b64decode(b))) for b in found]
    return [frame.copy() for frame in ImageSequence.Iterator(Image.open(path))]


def lone_digit_likeness(docs: Path) -> dict[str, float]:
    """How alike the reader finds prints of the same digit and of different digits: every lone
    digit read surely (extract.readers.ocr.SURE) on the scans' pages, each against the others of
    the same document, leave-one-out. The thresholds that confirm a doubtful digit sit between."""
    same, other = [], []
    for path in sorted(docs.iterdir()):
        glyphs = []
        for image in page_images(path):
            gray = ocr.deskew(np.asarray(image.convert("L")))
            tables, _ = ocr.read_page(gray)
            glyphs += [(text, *glyph) for _, text, glyph, sure in ocr.lone_digits(gray, tables) if sure]
        for i, (digit, vector, aspect) in enumerate(glyphs):
            best: dict[str, float] = {}  # compared as the reader compares: glyphs of a like shape
            for j, (d, v, a) in enumerate(glyphs):
                if i != j and abs(np.log(a / aspect)) < ocr.ASPECT_SPAN:
                    best[d] = max(best.get(d, -1.0), float(vector @ v))
            same += [best[digit]] if digit in best else []
            other += [max(v for d, v in best.items() if d != digit)] if set(best) - {digit} else []
    return {
        "digits": len(same),
        "same_p1": float(np.percentile(same, 1)) if same else float("nan"),
        "same_min": min(same, default=float("nan")),
        "other_p99": float(np.percentile(other, 99)) if other else float("nan"),
        "other_max": max(other, default=float("nan")),
    }


def scan_section(n: int, seed: int = 4) -> list[str]:
    """The benchmark's section on scans: ``n`` generated scans, shapes in turn."""
    from .throughput import score_shapes, shape_row

    os.environ["OGI_OCR_THREADS"] = "1"  # per core, as each extraction worker of a refresh reads
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), n, seed=seed, formats=SCAN_SHAPES + PICTURE_SHAPES)
        docs = Path(tmp) / "docs"
        ocr.engine(), ocr.engine(ocr.CELL_WIDTH)  # models loaded before the clock starts
        start = time.perf_counter()
        scored = score_shapes(Path(tmp))
        seconds = time.perf_counter() - start
        n_pages = sum(len(page_images(p)) for p in docs.iterdir())
        likeness = lone_digit_likeness(docs)
    return [
        "## Scans read by OCR",
        "",
        f"`--scans {n}` generated reports rasterised at 150 dpi, turned by up to 1°, with grain and JPEG",
        "artefacts: image-only PDFs, multi-page TIFFs, page pictures in Word files and in web pages (`data:`",
        f"URIs), shapes in turn. Read by RapidOCR on one thread: {n_pages} pages in {seconds:.0f} s, "
        f"**{seconds / max(1, n_pages):.1f} s per page per core** (goal ≤ 2 s). A value cell (narrow, its ink one "
        "line, or a number wrapped over lines) is read alone from its ink, scaled to the recogniser's height; the "
        f"rest of the page (labels, text) is found on the page shrunk to {ocr.DET_SCALE:g} and read from the "
        "page itself, texts batched by width (a lone digit read as a box of the page "
        "is padded to a line's width and costs as much as one).",
        "",
        "| shape | reports | exact | flagged | 表三/表四 cells | exact | left unread | wrong | silent errors "
        "| agency + year right |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *(shape_row(shape, r, f"{r['meta_right']}/{r['meta']}") for shape, r in scored.items()),
        "",
        "The recogniser is least sure of a digit alone in its cell (a lone 0 often scores 0.6–0.9). Such a "
        "digit is confirmed when its ink is like the same document's sure prints of it (correlation ≥ "
        f"{ocr.LIKENESS}, {ocr.LIKENESS_MARGIN} ahead of any other digit). Over the {likeness['digits']} sure "
        "lone digits of these scans, each against the rest of its document: likeness to the same digit "
        f"1st percentile {likeness['same_p1']:.3f}, lowest {likeness['same_min']:.3f}; to the nearest other "
        f"digit 99th percentile {likeness['other_p99']:.3f}, highest {likeness['other_max']:.3f}.",
    ]
