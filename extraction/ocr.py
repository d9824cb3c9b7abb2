"""OCR of PDF pages that have no text layer: pypdfium2 renders a page, rapidocr reads it.

rapidocr (the optional extra ``ocr``: ``pip install 'nianbao[ocr]'``) is imported only
when a page needs it, and its engine is built once per process (batch workers are
processes: each builds its own on its first scanned page). The engine is pointed at the
det/rec/cls ONNX models inside the rapidocr wheel by path, so it never reaches for its
download code; nothing is fetched at run time.

The recognised boxes become text lines in reading order: boxes are grouped into rows by
vertical overlap, rows run top to bottom and boxes left to right; neighbouring boxes of
a row are joined directly (Chinese has no spaces) and boxes far apart (table cells) by a
tab, the cell separator every table of ``Document.text`` uses.
"""
from __future__ import annotations

import functools
import importlib.util
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

# render resolution. benchmarks/ocr.py on the 11 pages of the corpus PDFs (2 shared cores):
# 150 dpi 2.6 s/page, similarity to the text layer 0.986; 200 dpi 3.1-3.5 s, 0.989; 250 dpi
# 4.6 s, 0.990; 300 dpi 4.9-5.5 s, 0.989. Both reports' tables come out cell for cell at
# 150 and 200; 200 keeps a margin for small print at ~1.2x the time of 150.
DPI = 200
# a page whose mean recognition confidence (per character) is below this is named in the
# warning. Clean pages score 0.983-1.000; a page scanned at 36 dpi scores 0.94 (similarity
# 0.955), at 30 dpi 0.78 (similarity 0.76).
LOW_CONFIDENCE = 0.95
# a horizontal gap wider than this many line heights between two boxes of a row is a
# cell boundary (a tab); a narrower one is a gap inside a line of text
CELL_GAP = 0.5
# rapidocr's own downscaling of large images (max side 2000 px) is lifted so that the
# resolution chosen here is the one recognised; a page larger than this at ``DPI`` (a
# poster, an A0 plan) is rendered at the resolution that makes its longer side this long
_MAX_SIDE = 5000
# at most this many pages of one PDF are OCR'd (``NIANBAO_OCR_MAX_PAGES`` overrides): at
# ~3.3 s a page, 60 pages tie a batch worker ~3 min; annual reports have 5-30 pages, a
# longer scan is a compilation the rest of which is named in a warning, not read
MAX_PAGES = 60
# a page whose text layer has fewer characters than this (not counting blanks) while
# images cover at least ``SCAN_COVER`` of it may be a scan with a small text overlay (page
# numbers, a stamp's caption): it is OCR'd, and the OCR text replaces its text layer when it
# reads at least OVERLAY_CHARS characters more (a cover picture under its title does not)
OVERLAY_CHARS = 40
SCAN_COVER = 0.9

ENABLE_HINT = "install the OCR extra to read it: pip install 'nianbao[ocr]'"


# ASCII punctuation OCR reads where a Chinese text has the full-width form (they look alike)
_FULL_WIDTH = {"(": "（", ")": "）", ",": "，", ":": "：", ";": "；", "!": "！", "?": "？"}
_CJK = "\u3001-\u303f\u4e00-\u9fff\uff00-\uffef"
_HALF_BY_CJK = re.compile(rf"(?<=[{_CJK}])[(),:;!?]|[(),:;!?](?=[{_CJK}])")
# blanks OCR reads into wide-set Chinese ("2. 没有", "（六） 其他"): no Chinese text has them
_BLANK_BY_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")


class OcrUnavailable(RuntimeError):
    """rapidocr (or onnxruntime) is not installed."""


@dataclass(frozen=True)
class OcrPage:
    """One page read by OCR: its text lines, the number of boxes, their mean score."""

    number: int              # 1-based page number
    text: str
    boxes: int               # text boxes recognised
    chars: int               # characters recognised
    confidence: float | None  # mean recognition score per character; None when no text was found


def available() -> bool:
    """Whether rapidocr and onnxruntime can be imported (nothing is imported here)."""
    return all(importlib.util.find_spec(m) is not None for m in ("rapidocr", "onnxruntime"))


def cores() -> int:
    """The cores this process may use (its CPU affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _threads() -> int:
    """onnxruntime threads per process: the cores this process may use, at most 4
    (``NIANBAO_OCR_THREADS`` overrides; batch runs with many workers may want 1)."""
    n = cores()
    env = os.environ.get("NIANBAO_OCR_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return min(int(env), n)  # never more threads than cores
    return max(1, min(n, 4))


@functools.lru_cache(maxsize=1)
def engine():
    """The process's rapidocr engine, built on first use with the wheel's own models."""
    if not available():
        raise OcrUnavailable(f"rapidocr is not installed; {ENABLE_HINT}")
    import rapidocr
    from rapidocr import RapidOCR

    models = Path(rapidocr.__file__).resolve().parent / "models"
    paths = {"Det": models / "PP-OCRv6_det_small.onnx", "Rec": models / "PP-OCRv6_rec_small.onnx",
             "Cls": models / "ch_ppocr_mobile_v2.0_cls_mobile.onnx"}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:  # never let rapidocr fall back to downloading
        raise OcrUnavailable(f"the rapidocr wheel lacks its bundled models ({', '.join(missing)}); "
                             f"install a version that has them: pip install 'rapidocr>=3.10,<4'")
    threads = _threads()
    params = {
        "Global.log_level": "error",
        "Global.max_side_len": _MAX_SIDE,
        "Global.use_cls": False,  # rendered pages are upright
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
    params.update({f"{task}.model_path": str(path) for task, path in paths.items()})
    return RapidOCR(params=params)


def max_pages() -> int:
    """Pages of one PDF that may be OCR'd: ``MAX_PAGES`` or ``NIANBAO_OCR_MAX_PAGES``."""
    env = os.environ.get("NIANBAO_OCR_MAX_PAGES", "")
    return int(env) if env.isdigit() and int(env) > 0 else MAX_PAGES


def render(pdf, index: int, dpi: int = DPI):
    """Page ``index`` (0-based) of an open ``pypdfium2.PdfDocument`` as a BGR array, at
    ``dpi`` or less where that would make its longer side more than ``_MAX_SIDE`` pixels."""
    page = pdf[index]
    try:
        width, height = page.get_size()  # points
        scale = min(dpi / 72, _MAX_SIDE / max(width, height, 1.0))
        bitmap = page.render(scale=scale)
        try:
            array = bitmap.to_numpy().copy()
        finally:
            bitmap.close()
    finally:
        page.close()
    if array.ndim == 3 and array.shape[2] == 4:
        array = array[:, :, :3]
    return array


def read_pages(data: bytes, numbers: list[int], dpi: int | None = None) -> list[OcrPage]:
    """OCR the pages ``numbers`` (1-based) of the PDF ``data`` rendered at ``dpi`` (default ``DPI``)."""
    import pypdfium2 as pdfium

    dpi = dpi or DPI
    ocr = engine()
    pdf = pdfium.PdfDocument(data)
    try:
        return [read_image(ocr, render(pdf, n - 1, dpi), n) for n in numbers]
    finally:
        pdf.close()


def read_image(ocr, image, number: int = 1) -> OcrPage:
    """OCR one page image (a BGR array) with the engine ``ocr``."""
    result = ocr(image)
    texts = [t.strip() for t in (result.txts or ())]
    scores = [float(s) for s in (result.scores or ())]
    boxes = [] if result.boxes is None else upright_boxes(result.boxes)
    texts = [_BLANK_BY_CJK.sub("", _HALF_BY_CJK.sub(lambda m: _FULL_WIDTH[m.group()], t)) for t in texts]
    lines = assemble_lines(boxes, texts)
    chars = sum(len(t) for t in texts)
    conf = sum(s * len(t) for s, t in zip(scores, texts)) / chars if chars else None
    return OcrPage(number=number, text="\n".join(lines), boxes=len(texts), chars=chars, confidence=conf)


def warning(pages: list[OcrPage], whole: bool, overlay: bool = False):
    """The ``pdf_ocr`` warning of a document some of whose pages were read by OCR."""
    from extraction.record import Warning_

    read = [p for p in pages if p.confidence is not None]
    mean = sum(p.confidence * p.chars for p in read) / max(1, sum(p.chars for p in read))
    low = [p for p in read if p.confidence < LOW_CONFIDENCE]
    why = "the PDF has no usable text layer" if whole else "they have no text layer"
    if overlay and not whole:
        why += " (or only a few characters over a scanned image)"
    message = (f"page(s) {', '.join(str(p.number) for p in read)} read by OCR (rapidocr, {DPI} dpi) "
               f"because {why}; mean recognition confidence {mean:.3f}")
    if low:
        message += (f"; low confidence (< {LOW_CONFIDENCE}) on page(s) "
                    + ", ".join(f"{p.number} ({p.confidence:.3f})" for p in low)
                    + ": check their text and numbers")
    return Warning_(code="pdf_ocr", message=message)


def upright_boxes(quads) -> list[tuple[float, float, float, float]]:
    """Boxes ``(x0, top, x1, bottom)`` of rapidocr's quadrilaterals (corners clockwise from
    the top left), turned by the page's skew first: the median slope of the top edges of
    the wide boxes (lines of text). A scan 2° askew drifts a table row by more than a line
    height across the page; turned back, its cells fall in one row again."""
    slopes = sorted(math.atan2(q[1][1] - q[0][1], q[1][0] - q[0][0]) for q in quads
                    if q[1][0] - q[0][0] > 2 * abs(q[3][1] - q[0][1]))
    angle = slopes[len(slopes) // 2] if slopes else 0.0
    if abs(angle) > math.radians(10):  # not a skew: a page on its side, or a vertical box
        angle = 0.0
    cos, sin = math.cos(angle), math.sin(angle)
    out = []
    for q in quads:
        xs = [float(x) * cos + float(y) * sin for x, y in q]
        ys = [-float(x) * sin + float(y) * cos for x, y in q]
        out.append((min(xs), min(ys), max(xs), max(ys)))
    return out


def assemble_lines(boxes: list[tuple[float, float, float, float]], texts: list[str],
                   cell_gap: float = CELL_GAP) -> list[str]:
    """Text lines in reading order from boxes ``(x0, top, x1, bottom)`` and their texts.

    A box joins the row it overlaps vertically by at least half the smaller height
    (rows are taken top to bottom); in a row, boxes are joined left to right, directly
    when the gap between them is under ``cell_gap`` line heights, else with a tab.
    """
    items = sorted(((b, t.strip()) for b, t in zip(boxes, texts) if t.strip()),
                   key=lambda it: ((it[0][1] + it[0][3]) / 2, it[0][0]))
    rows: list[list[tuple[tuple[float, float, float, float], str]]] = []
    spans: list[list[float]] = []  # each row's [top, bottom]
    for box, text in items:
        top, bottom = box[1], box[3]
        height = bottom - top
        best, best_overlap = None, 0.0
        for i in range(max(0, len(rows) - 3), len(rows)):  # only the last rows can overlap
            r_top, r_bottom = spans[i]
            overlap = min(bottom, r_bottom) - max(top, r_top)
            if overlap >= 0.5 * min(height, r_bottom - r_top) and overlap > best_overlap:
                best, best_overlap = i, overlap
        if best is None:
            rows.append([(box, text)])
            spans.append([top, bottom])
        else:
            rows[best].append((box, text))
            # the row's span is its first box's: a tall box must not swallow the next row
    lines: list[str] = []
    for row in rows:
        row.sort(key=lambda it: it[0][0])
        heights = sorted(b[3] - b[1] for b, _ in row)
        line_height = heights[len(heights) // 2]
        out = row[0][1]
        for (prev, _), (box, text) in zip(row, row[1:]):
            gap = box[0] - prev[2]
            # two boxes of digits are two numbers (7730.28 and 12), never one
            apart = gap > cell_gap * line_height or (out[-1:].isdigit() and text[:1].isdigit())
            out += ("\t" if apart else "") + text
        lines.append(out)
    return lines
