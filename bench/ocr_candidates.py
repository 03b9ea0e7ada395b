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

from .generate import generate
from .sections import write_section


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
    section = "\n".join(
        [
            "## OCR candidates",
            "",
            f"`python -m bench.ocr_candidates --pages {args.pages} --dpi {args.dpi}`: the two offline engines on the",
            "same generated 表三 pages rendered as images, one process. Scans are read with RapidOCR, faster and",
            "more accurate here. Each engine with its own defaults (RapidOCR on every core it finds).",
            "",
            "| engine | pages | seconds per page | text recovered (difflib ratio) |",
            "|---|---|---|---|",
            *rows,
            "",
            "Scans read end to end, with RapidOCR, are scored in the section above (`bench.throughput --scans`).",
        ]
    )
    print(section)
    if args.out:
        write_section(args.out, section)


if __name__ == "__main__":
    main()
