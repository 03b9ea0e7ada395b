"""The two offline OCR engines on the same pages: seconds per page and how much of the page's
text they recover.

    python -m bench.ocr_candidates [--pages 3] [--dpi 150]

Pages are generated reports printed to PDF (the 表三 pages, where the numbers are), rendered as
images by pdfium; the PDF's own text layer is the truth. Recovered text is scored as difflib's
ratio between the page's characters and the engine's, whitespace removed (1.0 = every character
in order). Engines: RapidOCR (PP-OCR models inside the `rapidocr-onnxruntime` wheel) and
Tesseract with `chi_sim` (Debian `tesseract-ocr tesseract-ocr-chi-sim`); one that is not
installed is reported as such."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from difflib import SequenceMatcher
from pathlib import Path

import pypdfium2 as pdfium

from extract.readers import ocr

from .generate import PICTURE_SHAPES, SCAN_SHAPES, generate
from .sections import write_section
from .throughput import score_shapes, shape_row


def lone_digit_likeness(docs: Path) -> dict[str, float]:
    """How alike the reader finds prints of the same digit and of different digits: every lone
    digit read surely (extract.readers.ocr.SURE) on the scans' pages, each against the others of
    the same document, leave-one-out. The thresholds that confirm a doubtful digit sit between."""
    import numpy as np

    same, other = [], []
    for path in sorted(docs.iterdir()):
        glyphs = []
        for image in _page_images(path):
            gray = ocr.deskew(np.asarray(image.convert("L")))
            result, _ = ocr.engine()(np.stack([gray] * 3, axis=-1))
            tables, _ = ocr._place(gray, result or [])
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
        "same_p1": float(np.percentile(same, 1)),
        "same_min": min(same),
        "other_p99": float(np.percentile(other, 99)),
        "other_max": max(other),
    }


def _page_images(path: Path) -> list:
    """A generated scan's pages: an image PDF's, a TIFF's frames, a Word file's pictures."""
    import io
    import zipfile

    from PIL import Image, ImageSequence

    if path.suffix == ".pdf":
        pdf = pdfium.PdfDocument(path)
        return [pdf[i].render(scale=ocr.DPI / 72).to_pil() for i in range(len(pdf))]
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as z:
            media = sorted(n for n in z.namelist() if n.startswith("word/media/"))
            return [Image.open(io.BytesIO(z.read(n))) for n in media]
    return [frame.copy() for frame in ImageSequence.Iterator(Image.open(path))]


def _pages(n: int, dpi: int, tmp: Path) -> list[tuple[object, str]]:
    generate(tmp, n, seed=11, formats=("pdf",))
    out = []
    for pdf_path in sorted((tmp / "docs").glob("*.pdf")):
        pdf = pdfium.PdfDocument(pdf_path)
        page = pdf[1]  # the page that holds most of 表三
        out.append((page.render(scale=dpi / 72).to_pil().convert("L"), page.get_textpage().get_text_range()))
    return out


def _rapidocr():
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        return None
    engine = RapidOCR()

    def run(image) -> str:
        import numpy as np

        result, _ = engine(np.asarray(image.convert("RGB")))
        return "".join(text for _, text, _ in result or [])

    return run


def _tesseract():
    exe = shutil.which("tesseract")
    if exe is None:
        return None

    def run(image) -> str:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "page.png"
            image.save(path)
            return subprocess.run(
                [exe, str(path), "-", "-l", "chi_sim", "--psm", "6"], capture_output=True, text=True, check=True
            ).stdout

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--dpi", type=int, default=150)
    parser.add_argument("--scans", type=int, default=9, help="generated scans read end to end")
    parser.add_argument("--out", type=Path, help="write the tables into this benchmarks file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pages = _pages(args.pages, args.dpi, Path(tmp))
        rows = []
        for name, make in (("RapidOCR (PP-OCRv4, onnxruntime)", _rapidocr), ("Tesseract chi_sim, --psm 6", _tesseract)):
            run = make()
            if run is None:
                rows.append(f"| {name} | not installed | | |")
                continue
            seconds, scores = 0.0, []
            for image, truth in pages:
                start = time.perf_counter()
                text = run(image)
                seconds += time.perf_counter() - start
                scores.append(SequenceMatcher(None, "".join(truth.split()), "".join(text.split())).ratio())
            rows.append(f"| {name} | {len(pages)} | {seconds / len(pages):.1f} | {sum(scores) / len(scores):.3f} |")
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), args.scans, seed=12, formats=SCAN_SHAPES + PICTURE_SHAPES)
        start = time.perf_counter()
        scored = score_shapes(Path(tmp))
        seconds = time.perf_counter() - start
        n_pages = sum(len(_page_images(p)) for p in (Path(tmp) / "docs").iterdir())
        likeness = lone_digit_likeness(Path(tmp) / "docs")
    section = "\n".join(
        [
            "## OCR candidates",
            "",
            f"`python -m bench.ocr_candidates --pages {args.pages} --dpi {args.dpi}`: the two offline engines on the",
            "same generated 表三 pages rendered as images, one process. Scans are read with RapidOCR, faster and",
            "more accurate here; neither engine is near the goal of 2 s per page per core on this machine.",
            "",
            "| engine | pages | seconds per page | text recovered (difflib ratio) |",
            "|---|---|---|---|",
            *rows,
            "",
            f"Scans read end to end (`--scans {args.scans}`: generated reports rasterised at 150 dpi, turned by up",
            "to 1°, grain and JPEG artefacts, as image PDFs, multi-page TIFFs and page pictures in Word files), "
            f"{seconds / max(1, n_pages):.1f} s per page:",
            "",
            "| shape | reports | exact | flagged | 表三/表四 cells | exact | left unread | wrong | silent errors "
            "| agency + year right |",
            "|---|---|---|---|---|---|---|---|---|---|",
            *(shape_row(shape, r, f"{r['meta_right']}/{r['meta']}") for shape, r in scored.items()),
            "",
            "The recogniser is least sure of a digit alone in its cell (a lone 0 often scores 0.6–0.9). Such a "
            "digit is confirmed when its ink is like the same document's sure prints of it (correlation ≥ "
            f"{ocr.LIKENESS}, {ocr.LIKENESS_MARGIN} ahead of any other digit). Over the {likeness['digits']} sure "
            f"lone digits of these scans, each against the rest of its document: likeness to the same digit "
            f"1st percentile {likeness['same_p1']:.3f}, lowest {likeness['same_min']:.3f}; to the nearest other "
            f"digit 99th percentile {likeness['other_p99']:.3f}, highest {likeness['other_max']:.3f}.",
            "",
        ]
    )
    print(section)
    if args.out:
        write_section(args.out, section)


if __name__ == "__main__":
    main()
