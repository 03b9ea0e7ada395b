"""Scans: image-only PDFs and image files, read by OCR (RapidOCR: PP-OCR models shipped inside the
`rapidocr-onnxruntime` wheel, so it runs offline; bench/ocr_candidates.py compares it with
Tesseract). The page is straightened, the table's drawn lines are found in the pixels and turned
into the same cell grid as a PDF's ruling lines (``pdf_grid``), and every recognised character goes
to the cell that holds it. Every cell read this way carries its OCR confidence."""

from __future__ import annotations

import os
import time

import numpy as np

from ..document import Document, Unreadable
from .page_rows import emit_pages
from .pdf_grid import find_tables

DPI = 150  # pages are rendered at this resolution; 72 / DPI converts pixels to PDF points
MAX_PAGES = 20  # a report has a handful; more pages of images are refused, not read for minutes
MAX_PIXELS = 40_000_000  # per image (an A4 page at 150 dpi is 2.2 M)
MAX_VALUE_CELL_WIDTH = 90  # points: the form's value columns are narrower; label cells are wider
MAX_LINE_HEIGHT = 28  # pixels of ink in one line of text at DPI
MIN_INK = 12  # dark pixels: less ink than this in a cell is no character
RULE_REMNANT = 4  # pixels: ink this thin touching a cell's edge is part of its rule
DASH_HEIGHT = 5  # pixels: ink no taller than this (and twice as wide) is a dash
SKEW_STEPS = np.arange(-1.5, 1.51, 0.1)  # degrees tried when straightening a page
CELL_WIDTH = 48  # pixels: the width a cell read alone is padded to at least (see engine)
DET_SCALE = 0.6  # text is found on the page shrunk to this, and read from the page itself
MAX_DET_SIDE = 2000  # pixels: a larger picture is shrunk further to be searched for text (RapidOCR's own cap)
REC_HEIGHT = 48  # pixels: the height the recogniser reads texts at (its trained input)
REC_BATCH_WIDTH = 960  # pixels at REC_HEIGHT: texts are read in batches this wide
SURE = 0.95  # recogniser score of a lone digit read surely
# lone digits: a digit read surely is a print of it to compare doubtful ones with; a doubtful one
# is confirmed at this likeness (correlation of the scaled ink), this far ahead of any other
# digit's (bench/scans.py measures both on generated scans)
LIKENESS = 0.8
LIKENESS_MARGIN = 0.1
GLYPH_BOX = (16, 24)  # width, height the ink is scaled to
MAX_EXEMPLARS = 40
ASPECT_SPAN = 0.3  # glyphs are compared only with glyphs of a like width to height (log ratio)
# pictures in Word files and web pages: read when the text lacks 表三's words (the table, or the
# whole report, was pasted as pictures); smaller ones are logos and seals
TABLE3_WORD = "新收"  # in 表三's first row label (本年新收政府信息公开申请数量) in every template
MIN_PICTURE = (600, 400)  # pixels, each way
_engines: dict[int, object] = {}


def time_limit() -> float:
    return float(os.environ.get("OGI_OCR_TIMEOUT") or 240)


def threads() -> int:
    """``OGI_OCR_THREADS``: threads the OCR engine uses; unset, every core (one process reading
    alone). A refresh sets it in its extraction workers, which share the cores."""
    return int(os.environ.get("OGI_OCR_THREADS") or -1)


def engine(min_width: int = 320):
    """The OCR engine, loaded once per process and width (its models take a second to load). The recogniser
    pads every text it reads to ``min_width`` pixels at least (48 high): a page's boxes are read at
    its trained 320; a single cell's glyphs, cut tight, at less (a lone digit padded to 320 cost as
    much as a line of text). Texts are batched here (``recognise``), not by the engine."""
    if min_width not in _engines:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError:
            raise Unreadable("image_only", "a scan, and the OCR engine rapidocr-onnxruntime is not installed") from None
        # pages are straightened here: no 180° text in reports
        _engines[min_width] = RapidOCR(
            use_cls=False,
            intra_op_num_threads=threads(),
            rec_img_shape=[3, REC_HEIGHT, min_width],
            # the most texts ``recognise`` batches: each of its calls is one batch, and the engine's
            # own call (a whole image) never pads hundreds of texts to the widest
            rec_batch_num=REC_BATCH_WIDTH // REC_HEIGHT,
        )
    return _engines[min_width]


def deskew(gray: np.ndarray) -> np.ndarray:
    """The page turned so that its table rules are level: the angle whose rows of dark pixels are
    most uneven (rules concentrate into single rows) wins."""
    from PIL import Image

    small = Image.fromarray(gray).resize((gray.shape[1] // 4, gray.shape[0] // 4))

    def score(angle: float) -> float:
        rows = (np.asarray(small.rotate(angle, fillcolor=255)) < 128).sum(axis=1).astype(float)
        return float(((rows[1:] - rows[:-1]) ** 2).sum())

    best = max(SKEW_STEPS, key=score)
    if abs(best) < 0.05:
        return gray
    return np.asarray(Image.fromarray(gray).rotate(float(best), fillcolor=255, resample=Image.BILINEAR))


def rule_boxes(gray: np.ndarray, min_len: int = 40) -> list[tuple[float, float, float, float]]:
    """Runs of dark pixels at least ``min_len`` long, horizontal and vertical, as thin boxes in PDF
    points (origin bottom-left), as ``pdf_grid`` takes them."""
    dark = gray < 160
    height = gray.shape[0]
    k = 72 / DPI
    out = []
    for horizontal, ink in ((True, dark), (False, dark.T)):
        mask = _joined(ink)
        padded = np.pad(mask, ((0, 0), (1, 1))).astype(np.int8)
        diff = np.diff(padded, axis=1)
        for line in np.nonzero(mask.sum(axis=1) >= min_len)[0]:
            starts = np.nonzero(diff[line] == 1)[0]
            ends = np.nonzero(diff[line] == -1)[0]
            for a, b in zip(starts, ends, strict=True):
                if b - a < min_len:
                    continue
                if horizontal:
                    out.append((a * k, (height - line - 1) * k, b * k, (height - line) * k))
                else:
                    out.append((line * k, (height - b) * k, (line + 1) * k, (height - a) * k))
    return out


def _joined(ink: np.ndarray) -> np.ndarray:
    """Rules along axis 1 made whole: a scanned rule two pixels wide breaks up in grain and a slight
    slant, its ink swapping between neighbouring pixel rows; each row takes the ink of the row
    below, and gaps of one or two pixels along the rule are closed."""
    band = ink.copy()
    band[:-1] |= ink[1:]
    joined = band.copy()
    for before, after in ((1, 1), (1, 2), (2, 1)):
        joined[:, before:-after] |= band[:, : -before - after] & band[:, before + after :]
    return joined


def read_scan(pages, source_format: str) -> Document:
    """``pages``: PIL images, one per page."""
    doc = Document(source_format, "ocr")
    emit_pages(doc, read_pages(pages))
    return doc


def read_pages(pages) -> list[list[tuple]]:
    """The items of each page image (see page_rows): tables rebuilt from the drawn rules, text in
    them by OCR, lone digits confirmed against the other pages' prints."""
    if len(pages) > MAX_PAGES:
        raise Unreadable("image_only", f"a scan of {len(pages)} pages: over the {MAX_PAGES} pages read by OCR")
    started = time.perf_counter()
    placed, digits = [], []  # per page: its tables with their cells read, and its loose text
    for image in pages:
        if image.width * image.height > MAX_PIXELS:
            raise Unreadable("too_large", f"an image of {image.width}×{image.height} pixels: over {MAX_PIXELS}")
        if time.perf_counter() - started > time_limit():
            raise Unreadable("ocr_timeout", f"OCR took over {time_limit():g} s")
        gray = deskew(np.asarray(image.convert("L")))
        tables, loose = read_page(gray)
        placed.append((tables, loose))
        digits += lone_digits(gray, tables)  # the page's pixels are not kept past here
    _confirm_lone_digits(digits)
    return [_items(tables, loose, pno) for pno, (tables, loose) in enumerate(placed, 1)]


def read_page(gray: np.ndarray) -> tuple[list, list]:
    """A straightened page's tables, their cells read, and the text outside them. A value cell
    (narrow, its ink in lines of text) is read alone from its ink, line by line; the rest of the
    page is read as text boxes found on it with the value cells blanked out, read in batches of
    like width (the recogniser pads what it reads to a line's width at least: a lone digit read
    as a box of the page cost as much as a line)."""
    height = gray.shape[0]
    tables = find_tables(rule_boxes(gray))
    cells = [c for t in tables for c in t.cells]
    ink = {id(c): _lines(gray, c, height) for c in cells if c.bbox[2] - c.bbox[0] <= MAX_VALUE_CELL_WIDTH}
    alone, rest = [], gray.copy()
    for cell in (c for c in cells if ink.get(id(c))):
        lines = ink[id(cell)]
        if all(line.shape[0] - 1 <= MAX_LINE_HEIGHT for line in lines):
            alone.append((cell, lines))
            x0, top, x1, bottom = _pixels(cell.bbox, height)
            rest[top:bottom, x0:x1] = 255
    _read_alone(alone)
    loose = _place(height, tables, _read_text(rest))
    done, missed = {id(c) for c, _ in alone}, []
    for cell in (c for c in cells if not c.chars and id(c) not in done):
        lines = ink[id(cell)] if id(cell) in ink else _lines(gray, cell, height)
        if any(line.shape[0] - 1 > MAX_LINE_HEIGHT for line in lines):
            cell.ink_unread = True  # ink the page's reading gave no text for: never a clean blank
        elif lines:
            missed.append((cell, lines))  # a wide cell's text the page's reading missed
    _read_alone(missed)
    return tables, loose


def _read_text(gray: np.ndarray) -> list:
    """The page's text boxes as RapidOCR gives them (quad, text, score, word boxes, their texts):
    found on the page shrunk by DET_SCALE (text at 150 dpi stays tall enough to find, in a third of
    the time), read from the page itself."""
    import cv2

    ocr = engine()
    rgb = np.stack([gray] * 3, axis=-1)
    scale = min(DET_SCALE, MAX_DET_SIDE / max(gray.shape))
    boxes, _ = ocr.text_det(cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA))
    if boxes is None or not len(boxes):
        return []
    boxes = ocr.sorted_boxes(np.asarray(boxes, dtype=np.float32) / scale)
    crops = ocr.get_crop_img_list(rgb, boxes)
    read = ocr.cal_rec_boxes(crops, boxes, recognise(ocr, crops, word_boxes=True))
    return [[box.tolist(), *r] for box, r in zip(boxes, read, strict=True) if r[1] >= ocr.text_score]


def recognise(ocr, images: list[np.ndarray], word_boxes: bool = False) -> list:
    """What the recogniser reads in each image, in batches of like width about REC_BATCH_WIDTH
    wide in all: each image is padded to its batch's widest, and a wide batch costs more per
    pixel than a narrow one, a batch of one more per image."""
    min_ratio = ocr.text_rec.rec_image_shape[2] / REC_HEIGHT
    ratios = [max(min_ratio, img.shape[1] / img.shape[0]) for img in images]
    order = sorted(range(len(images)), key=ratios.__getitem__)
    out: list = [None] * len(images)
    batch: list[int] = []
    for i in [*order, None]:
        if batch and (i is None or REC_HEIGHT * ratios[i] * (len(batch) + 1) > REC_BATCH_WIDTH):
            read, _ = ocr.text_rec([images[j] for j in batch], word_boxes)
            for j, r in zip(batch, read, strict=True):
                out[j] = r
            batch = []
        if i is not None:
            batch.append(i)
    return out


def read_pdf_scan(data: bytes) -> Document:
    """An image-only PDF: each page rendered at DPI and read by OCR."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        if len(pdf) > MAX_PAGES:
            raise Unreadable("image_only", f"a scan of {len(pdf)} pages: over the {MAX_PAGES} pages read by OCR")
        pages = [pdf[i].render(scale=DPI / 72).to_pil() for i in range(len(pdf))]
    finally:
        pdf.close()
    return read_scan(pages, "pdf")


def read_image(data: bytes) -> Document:
    """A PNG, JPEG, TIFF or GIF file (every frame of a multi-page TIFF is a page)."""
    import io

    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:  # checked before the pixels are decoded
            raise Unreadable("too_large", f"an image of {image.width}×{image.height} pixels: over {MAX_PIXELS}")
        frames = [f.copy() for _, f in zip(range(MAX_PAGES + 1), ImageSequence.Iterator(image), strict=False)]
    except Image.DecompressionBombError as exc:  # Pillow's own guard, before any pixel is decoded
        raise Unreadable("too_large", str(exc)[:200]) from None
    except (UnidentifiedImageError, OSError) as exc:
        raise Unreadable("corrupt", f"the image cannot be read ({type(exc).__name__})") from None
    return read_scan(frames, "image")


def picture(data: bytes):
    """A picture large enough to be a page or a table, as a PIL image; None for a small one and for
    one Pillow cannot read (EMF and WMF hold no scan; nor does a bomb or a truncated file). One over
    MAX_PIXELS is returned undecoded, for the reader to refuse with its reason."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        if image.width < MIN_PICTURE[0] or image.height < MIN_PICTURE[1]:
            return None
        if image.width * image.height <= MAX_PIXELS:
            image.load()  # decoded here: a damaged picture is skipped, not the document failed
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return None
    return image


# what OCR reads for a digit printed alone in a cell ('0' read as 'o'); only whole cells of these
# characters are mapped, and the report's own arithmetic then verifies them
_DIGIT_LOOKALIKES = str.maketrans({"o": "0", "O": "0", "〇": "0", "○": "0", "。": "0", "l": "1", "I": "1", "|": "1"})


def _place(height: int, tables: list, result: list) -> list:
    """Text boxes into the cells of the page's tables; returns the boxes outside them. A box that
    crosses cells is shared out by its characters' positions."""
    k = 72 / DPI
    loose = []  # (top, left, bottom, text, box) of boxes outside every table
    for quad, text, score, *words in result:
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        x0, x1 = min(xs) * k, max(xs) * k
        box = [round(float(v), 1) for v in (x0, (height - max(ys)) * k, x1, (height - min(ys)) * k)]
        placed = set()
        for ch, x, cy in _char_positions(quad, text, words, height):
            cell = next((c for t in tables if (c := t.cell_at(x, cy)) is not None), None)
            if cell is not None:
                placed.add(id(cell))
                if not ch.isspace():
                    cell.chars.append((len(cell.chars), ch))
                    cell.scores.append(float(score))
                    cell.shared = cell.shared or len(placed) > 1
        if not placed:
            loose.append((box[3], box[0], box[1], text, box))
    return loose


def _char_positions(quad, text: str, words: list, height: int):
    """(character, x, y) in PDF points for each character of a recognised box: from the
    recogniser's own character boxes when it gives them, else spread along the box (a CJK character
    about twice as wide as a digit; stacked down a narrow box one character per line)."""
    k = 72 / DPI
    boxes, contents = (words[0], words[1]) if len(words) >= 2 and words[0] else ([], [])
    if len(boxes) == len(contents) and "".join(contents).replace(" ", "") == text.replace(" ", ""):
        for content, wbox in zip(contents, boxes, strict=True):
            wx0, wx1 = min(p[0] for p in wbox), max(p[0] for p in wbox)
            cy = (height - sum(p[1] for p in wbox) / len(wbox)) * k
            for i, ch in enumerate(content):
                yield ch, (wx0 + (i + 0.5) / len(content) * (wx1 - wx0)) * k, cy
        return
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    x0, x1, top, bottom = min(xs) * k, max(xs) * k, (height - min(ys)) * k, (height - max(ys)) * k
    upright = top - bottom > 1.5 * (x1 - x0) and len(text) > 1
    widths = np.array([1.0 if ord(ch) > 0x2E7F else 0.55 for ch in text])
    for ch, share in zip(text, (np.cumsum(widths) - widths / 2) / widths.sum(), strict=True):
        if upright:
            yield ch, (x0 + x1) / 2, top - share * (top - bottom)
        else:
            yield ch, x0 + share * (x1 - x0), (top + bottom) / 2


def _items(tables: list, loose: list, page: int) -> list[tuple]:
    """The page's table rows and its other text as lines, top to bottom."""
    items = []
    for t in tables:
        for r, cells in enumerate(t.rows()):
            if cells:
                row = [(_cell_text(c), _cell_prov(c, page), (c.bbox[0], c.bbox[2])) for c in cells]
                items.append((t.ys[r], ("row", row)))
    lines: list[list] = []
    for top, left, bottom, text, box in sorted(loose, key=lambda b: (-b[0], b[1])):
        if lines and abs(lines[-1][0] - top) < (top - bottom) / 2:
            lines[-1][1].append((left, text, box))
        else:
            lines.append([top, [(left, text, box)]])
    for top, parts in lines:
        parts.sort()
        text = " ".join(t for _, t, _ in parts)
        box = [min(b[0] for _, _, b in parts), min(b[1] for _, _, b in parts)]
        box += [max(b[2] for _, _, b in parts), max(b[3] for _, _, b in parts)]
        items.append((top, ("line", text, lambda s, e, b=box: {"page": page, "bbox": b})))
    return [item for _, item in sorted(items, key=lambda it: -it[0])]


def _cell_text(cell) -> str:
    text = cell.text
    mapped = "".join(text.split()).translate(_DIGIT_LOOKALIKES)
    return mapped if mapped != text and mapped.isdigit() else text


def _cell_prov(cell, page: int) -> dict:
    prov = {"page": page, "bbox": [round(float(v), 1) for v in cell.bbox], "ocr_confidence": 1.0}
    if cell.scores:
        prov["ocr_confidence"] = round(min(cell.scores), 3)
    if cell.likeness is not None:
        prov["ocr_confidence"] = round(cell.likeness, 3)
        prov["confirmed_by"] = "glyph_likeness"
    if cell.stroke:
        prov["confirmed_by"] = "stroke_shape"
    if cell.ink_unread:
        prov["ocr_confidence"] = 0.0  # ink in the cell that no text came out of
    return prov


def lone_digits(gray: np.ndarray, tables: list) -> list[tuple]:
    """The page's cells holding one recognised digit: (cell, digit, glyph, sure), where the glyph
    is the ink scaled to a fixed box (``_glyph``) and sure means read surely, alone in its box."""
    out = []
    for cell in (c for t in tables for c in t.cells):
        text = _cell_text(cell)
        if len(text) != 1 or not text.isdigit() or not cell.scores or cell.ink_unread:
            continue
        glyph = _glyph(gray, cell)
        if glyph is not None:
            out.append((cell, text, glyph, min(cell.scores) >= SURE and not cell.shared))
    return out


def _confirm_lone_digits(digits: list[tuple]) -> None:
    """A lone digit the recogniser read with doubt (it is least sure of single characters) is
    confirmed when its ink is like the document's own sure prints of that digit, and clearly less
    like those of any other digit of a like shape. The same font prints every cell of a report, so
    this compares like with like; a digit with no sure print elsewhere stays doubtful."""
    exemplars: dict[str, list[tuple[np.ndarray, float]]] = {}
    for _, text, glyph, sure in digits:
        if sure:
            exemplars.setdefault(text, []).append(glyph)
    doubtful = [(cell, text, glyph) for cell, text, glyph, sure in digits if not sure and min(cell.scores) < SURE]
    for cell, text, (vector, aspect) in doubtful:
        likeness = {}
        for digit, glyphs in exemplars.items():
            alike = [float(vector @ v) for v, a in glyphs[:MAX_EXEMPLARS] if abs(np.log(a / aspect)) < ASPECT_SPAN]
            if alike:
                likeness[digit] = max(alike)
        best = max(likeness, key=likeness.get, default=None)
        runner_up = max((v for d, v in likeness.items() if d != best), default=0.0)
        if best == text and likeness[best] >= LIKENESS and likeness[best] - runner_up >= LIKENESS_MARGIN:
            cell.likeness = likeness[best]


def _glyph(gray: np.ndarray, cell) -> tuple[np.ndarray, float] | None:
    """The ink of a cell scaled to a fixed box, centred and of unit length, and its aspect ratio."""
    from PIL import Image

    ink = _ink(gray, cell, gray.shape[0])
    if ink is None:
        return None
    scaled = 255.0 - np.asarray(Image.fromarray(ink).resize(GLYPH_BOX, Image.BILINEAR), dtype=float)
    scaled -= scaled.mean()
    norm = float(np.linalg.norm(scaled))
    return (scaled.ravel() / norm, ink.shape[1] / ink.shape[0]) if norm else None


def _is_slash(ink: np.ndarray) -> bool:
    """One stroke whose top sits well right of its bottom ('/'), unlike an upright '1'."""
    third = max(1, ink.shape[0] // 3)
    cols = np.arange(ink.shape[1])

    def centre(part: np.ndarray) -> float | None:
        weight = part.sum(axis=0)
        return float((weight * cols).sum() / weight.sum()) if weight.sum() else None

    top, bottom = centre(ink[:third]), centre(ink[-third:])
    narrow = ink.shape[1] <= ink.shape[0]  # a slash is taller than wide; wider shapes are digits
    # one thin stroke: a row crosses it once, and briefly; a '0' or a '4' is crossed twice in most
    # rows, a '7' is crossed along its bar
    runs = (np.diff(ink.astype(np.int8), axis=1) == 1).sum(axis=1) + ink[:, 0]
    one_stroke = float((runs > 1).mean()) <= 0.2 and int(ink.sum(axis=1).max()) <= max(4, 0.3 * ink.shape[0])
    leaning = top is not None and bottom is not None and top - bottom >= max(2.0, 0.15 * ink.shape[0])
    return narrow and one_stroke and leaning


def _crop(gray: np.ndarray, bbox, height: int) -> np.ndarray:
    """The inside of a cell, rules left out: also the bits of a rule that a page not quite
    straight brings inside the margin (thin strokes touching the edge), which were read as a '1'
    beside the digit or made a lone '0' look twice as wide as it is."""
    import cv2

    x0, top, x1, bottom = _pixels(bbox, height)
    inside = gray[top : max(0, bottom), x0:x1]
    if inside.size == 0:
        return inside
    inside = _without_edge_rules(inside)
    n, labels, stats, _ = cv2.connectedComponentsWithStats((inside < 128).astype(np.uint8), connectivity=8)
    h, w = inside.shape
    remnants = []
    thin = np.minimum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) <= 2  # not the line of text
    glyphs = [k for k in range(1, n) if stats[k, cv2.CC_STAT_AREA] >= MIN_INK and not thin[k]]
    band_top = min((stats[k, cv2.CC_STAT_TOP] for k in glyphs), default=0)
    band_bottom = max((stats[k, cv2.CC_STAT_TOP] + stats[k, cv2.CC_STAT_HEIGHT] for k in glyphs), default=h)
    for k in range(1, n):
        left, top, width, tall = (stats[k, c] for c in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_WIDTH,
                                                         cv2.CC_STAT_HEIGHT))  # fmt: skip
        # an upright piece along the left or right edge as long as half the cell, or a flat one
        # along the top or bottom as long as half the cell (a quarter, near the edge, beside other
        # ink): a digit '1' touching an edge is neither, and a dash (NA) stands mid-cell
        upright = width <= RULE_REMNANT and tall >= h / 2 and (left == 0 or left + width == w)
        near = top <= RULE_REMNANT or top + tall >= h - RULE_REMNANT
        beside = len(glyphs) > 1 and width >= w / 4 and near
        flat = tall <= RULE_REMNANT and ((width >= w / 2 and (top == 0 or top + tall == h)) or beside)
        # a speck of grain or rule above or below the line of text, or at the cell's side (a
        # decimal point is within the line and clear of the sides); a sliver of rule (a pixel or
        # two thin: no digit's stroke at this resolution) above or below it, near a side, or flat
        # along the top or bottom edge
        outside = top >= band_bottom or top + tall <= band_top
        aside = outside or left == 0 or left + width == w
        speck = stats[k, cv2.CC_STAT_AREA] < MIN_INK and aside
        near_side = left <= RULE_REMNANT or left + width >= w - RULE_REMNANT
        on_edge = tall <= 2 and (top == 0 or top + tall == h)
        sliver = thin[k] and (outside or near_side or on_edge)
        if upright or flat or speck or sliver:
            remnants.append(k)
    if not remnants:
        return inside
    inside = inside.copy()
    inside[np.isin(labels, remnants)] = 255
    return inside


def _without_edge_rules(inside: np.ndarray) -> np.ndarray:
    """A cell's inside without whole rules along its edges: a rule the margin did not leave out
    crosses the whole cell, where a glyph's stroke does not (a top rule joined to a side rule is
    one piece, which ``_crop`` would take for a glyph)."""
    dark = inside < 128
    (h, w), band = dark.shape, RULE_REMNANT + 2
    rows = [r for r in {*range(min(band, h)), *range(max(0, h - band), h)} if dark[r].mean() >= 0.8]
    cols = [c for c in {*range(min(band, w)), *range(max(0, w - band), w)} if dark[:, c].mean() >= 0.8]
    if not rows and not cols:
        return inside
    inside = inside.copy()
    inside[rows] = 255
    inside[:, cols] = 255
    return inside


def _lines(gray: np.ndarray, cell, height: int) -> list[np.ndarray]:
    """The cell's ink (``_ink``) as lines of text, top to bottom, each cut to its own ink: a
    number wrapped in a narrow column ('81' over '7') or a header stacked one word per line. A
    piece under half as tall as the tallest (a speck, a stroke of '二') is no line: it joins its
    nearest neighbour, never read alone (a speck read as 'o' would make '12' '120')."""
    ink = _ink(gray, cell, height)
    if ink is None:
        return []
    inked = np.flatnonzero((ink < 128).any(axis=1))
    runs = [[rows[0], rows[-1]] for rows in np.split(inked, np.flatnonzero(np.diff(inked) > 1) + 1)]
    tallest = max(bottom - top + 1 for top, bottom in runs)
    i = 0
    while len(runs) > 1 and i < len(runs):
        top, bottom = runs[i]
        if bottom - top + 1 >= tallest / 2:
            i += 1
            continue
        above = top - runs[i - 1][1] if i > 0 else None
        below = runs[i + 1][0] - bottom if i + 1 < len(runs) else None
        j = i - 1 if below is None or (above is not None and above <= below) else i + 1
        lo, hi = min(i, j), max(i, j)
        runs[lo : hi + 1] = [[runs[lo][0], runs[hi][1]]]
        i = lo  # the joined piece is looked at again
    out = []
    for top, bottom in runs:
        part = ink[top : bottom + 1]
        cols = np.flatnonzero((part < 128).any(axis=0))
        out.append(part[:, cols[0] : cols[-1] + 1])
    return out


def _ink(gray: np.ndarray, cell, height: int) -> np.ndarray | None:
    """The cell's glyphs alone: its inside (``_crop``) cut to the box of its dark pixels; None when
    it holds less ink than a character."""
    inside = _crop(gray, cell.bbox, height)
    dark = inside < 128
    if int(dark.sum()) < MIN_INK:
        return None
    rows, cols = np.nonzero(dark.any(axis=1))[0], np.nonzero(dark.any(axis=0))[0]
    return inside[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def _read_alone(cells: list[tuple]) -> None:
    """Cells, each with its lines of ink, read alone: an NA stroke told by its shape, else what the
    recogniser reads in each line's glyphs scaled to the height it was trained on, lines joined.
    A line that gives no text leaves its cell's ink unread."""
    from PIL import Image

    if not cells:
        return
    lines = []  # (cell, image) for each line, in order
    for cell, inks in cells:
        ink = inks[0]
        flat = len(inks) == 1 and ink.shape[0] <= DASH_HEIGHT and ink.shape[1] >= 2 * DASH_HEIGHT
        if flat or (len(inks) == 1 and _is_slash(ink < 128)):  # a dash or a slash (NA), never a '1'
            cell.chars, cell.scores, cell.stroke = [(0, "—" if flat else "/")], [1.0], True
            continue
        for ink in inks:
            scale = 32 / max(1, ink.shape[0])
            scaled = np.asarray(Image.fromarray(ink).resize((max(1, round(ink.shape[1] * scale)), 32)))
            lines.append((cell, np.stack([np.pad(scaled, 8, constant_values=255)] * 3, axis=-1)))
    texts = recognise(engine(CELL_WIDTH), [image for _, image in lines])
    for (cell, _), (text, score) in zip(lines, texts, strict=True):
        cell.chars += [(len(cell.chars) + i, ch) for i, ch in enumerate("".join(text.split()))]
        cell.scores.append(float(score))
        cell.ink_unread = cell.ink_unread or not text.strip()


def _pixels(bbox, height: int) -> tuple[int, int, int, int]:
    """A cell's inside in the page's pixels (x0, top, x1, bottom): its box less the rules' margin."""
    x0, y0, x1, y1 = (v * DPI / 72 for v in bbox)
    return int(x0) + 4, max(0, int(height - y1) + 4), int(x1) - 4, int(height - y0) - 4
