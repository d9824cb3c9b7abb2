"""OCR (``extraction.ocr``) on the corpus PDFs against their own text layer: seconds per
page and character similarity at a few resolutions, and with ``--tables`` the table cells
read from a scan of each whole report against the gold.

Each page is rendered at the resolution and read by rapidocr as ``read_document`` does
for a scanned page; its text is compared with pdfplumber's text layer of the same page,
white space removed on both sides, by ``difflib.SequenceMatcher.ratio`` (1.0: the same
characters in the same order). Seconds per page are render + OCR + line assembly with
the engine already built (the first page read is a warm-up, not timed). ``--tables``
saves every page as an image-only PDF at ``--scan-dpi`` (the "scan"), reads it with
``read_document`` (OCR at ``extraction.ocr.DPI``) and counts the table cells of
``../shared/corpus/gold/tables.jsonl`` it reproduces.

    python benchmarks/ocr.py [--dpi 150,200,300] [--pages 3] [--tables] [--scan-dpi 200]

Needs the ``ocr`` extra (``pip install -e '.[ocr]'``) and ../shared/corpus.
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extraction.paths import CORPUS_DIR  # noqa: E402

REPORTS = CORPUS_DIR / "reports"
GOLD = CORPUS_DIR / "gold" / "tables.jsonl"


def squash(text: str) -> str:
    """The text as compared: radicals mapped like ingest does, white space removed."""
    from extraction.ingest import _RADICALS

    return re.sub(r"\s", "", text.translate(_RADICALS))


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, squash(a), squash(b), autojunk=False).ratio()


def text_layer(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def pages_at(path: Path, dpi: int, numbers: list[int], layer: list[str]) -> list[dict]:
    import pypdfium2 as pdfium

    from extraction import ocr

    engine = ocr.engine()
    pdf = pdfium.PdfDocument(str(path))
    rows = []
    try:
        for n in numbers:
            t = time.perf_counter()
            page = ocr.read_image(engine, ocr.render(pdf, n - 1, dpi), n)
            seconds = time.perf_counter() - t
            rows.append({"pdf": path.name, "dpi": dpi, "page": n, "seconds": seconds,
                         "confidence": page.confidence or 0.0, "boxes": page.boxes,
                         "similarity": similarity(layer[n - 1], page.text)})
    finally:
        pdf.close()
    return rows


def scan_pdf(src: Path, dst: Path, dpi: int) -> None:
    """``src`` as an image-only PDF: every page rendered at ``dpi``, saved by Pillow."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(src))
    images = [pdf[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(pdf))]
    pdf.close()
    images[0].save(dst, save_all=True, append_images=images[1:], resolution=dpi)


def _cells(tables: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in tables.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            out.update(_cells(value, name))
        elif isinstance(value, list) and key != "columns":
            out.update({f"{name}[{i}]": v for i, v in enumerate(value)})
        elif key != "columns":
            out[name] = value
    return out


def tables_against_gold(scan_dpi: int) -> list[dict]:
    from extraction.ingest import read_document
    from extraction.pipeline import Extractor

    gold = {d["doc_id"]: d for d in map(json.loads, filter(str.strip, GOLD.open(encoding="utf-8")))}
    extractor = Extractor(narrative=False)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(REPORTS.glob("*.pdf")):
            if path.stem not in gold:
                continue
            scan = Path(tmp) / path.name
            scan_pdf(path, scan, scan_dpi)
            t = time.perf_counter()
            doc = read_document(scan)
            seconds = time.perf_counter() - t
            want = _cells(gold[path.stem]["tables"])
            got = _cells(extractor.extract_document(doc).tables.model_dump())
            layer = _cells(extractor.extract_document(read_document(path)).tables.model_dump())
            rows.append({"pdf": path.name, "seconds": seconds, "cells": len(want),
                         "ocr_equal": sum(got.get(k) == v for k, v in want.items()),
                         "layer_equal": sum(layer.get(k) == v for k, v in want.items()),
                         "wrong": [k for k, v in want.items() if got.get(k) != v]})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dpi", default="150,200,300", help="render resolutions, comma-separated")
    ap.add_argument("--pages", type=int, default=0, help="pages per PDF (0: all)")
    ap.add_argument("--tables", action="store_true", help="also read whole scanned reports' tables")
    ap.add_argument("--scan-dpi", type=int, default=200, help="resolution of the image-only PDFs of --tables")
    ap.add_argument("--threads", type=int, default=0, help="onnxruntime threads (default: extraction.ocr's)")
    args = ap.parse_args()
    if args.threads:
        os.environ["NIANBAO_OCR_THREADS"] = str(args.threads)

    from extraction import ocr

    if not ocr.available():
        raise SystemExit("rapidocr is not installed: pip install -e '.[ocr]'")
    pdfs = sorted(REPORTS.glob("*.pdf"))
    if not pdfs:
        raise SystemExit(f"no PDFs in {REPORTS}")
    t = time.perf_counter()
    ocr.engine()
    print(f"engine built in {time.perf_counter() - t:.2f} s; "
          f"{ocr._threads()} onnxruntime thread(s), {os.cpu_count()} cores")
    layers = {p: text_layer(p) for p in pdfs}
    pages_at(pdfs[0], 150, [1], layers[pdfs[0]])  # warm-up: the sessions' first run is slow

    rows = []
    print(f"\n{'pdf':<22} {'dpi':>4} {'page':>4} {'s/page':>7} {'conf':>6} {'boxes':>5} {'similarity':>10}")
    for dpi in (int(d) for d in args.dpi.split(",")):
        for path in pdfs:
            n = len(layers[path])
            numbers = list(range(1, (min(n, args.pages) if args.pages else n) + 1))
            for r in pages_at(path, dpi, numbers, layers[path]):
                rows.append(r)
                print(f"{r['pdf']:<22} {r['dpi']:>4} {r['page']:>4} {r['seconds']:>7.2f} "
                      f"{r['confidence']:>6.3f} {r['boxes']:>5} {r['similarity']:>10.4f}")
    print(f"\n{'dpi':>4} {'pages':>5} {'s/page':>7} {'mean sim':>8} {'min sim':>8} {'mean conf':>9}")
    for dpi in sorted({r["dpi"] for r in rows}):
        at = [r for r in rows if r["dpi"] == dpi]
        print(f"{dpi:>4} {len(at):>5} {sum(r['seconds'] for r in at) / len(at):>7.2f} "
              f"{sum(r['similarity'] for r in at) / len(at):>8.4f} {min(r['similarity'] for r in at):>8.4f} "
              f"{sum(r['confidence'] for r in at) / len(at):>9.4f}")

    if args.tables:
        print(f"\ntables of whole reports scanned at {args.scan_dpi} dpi, OCR at {ocr.DPI} dpi, against gold")
        for r in tables_against_gold(args.scan_dpi):
            print(f"{r['pdf']:<22} {r['seconds']:6.1f} s  OCR {r['ocr_equal']}/{r['cells']} cells equal "
                  f"(text layer {r['layer_equal']}/{r['cells']})"
                  + (f"; wrong: {', '.join(r['wrong'][:12])}" if r["wrong"] else ""))


if __name__ == "__main__":
    main()
