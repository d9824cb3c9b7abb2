"""Reports made the way most real ones are: the blank national 2021 template
(``../shared/corpus/reference/template-2021-blank.docx``) filled in Word-like fashion
(``training.synthetic_reports.word_report``: every table cell typed in, some zero cells
left blank or given "/", thousands separators now and then) and exported to PDF by LibreOffice.
Each report is read from the ``.docx`` and from the ``.pdf`` by the whole pipeline; its
table cells are compared with the known answer (a blank cell must come out null).

    python benchmarks/word_template.py [--reports 20] [--seed 0] [--blank-rate 0.2]
        [--fixture DIR]   # also write one report (docx, pdf, answer) for tests/

Needs LibreOffice (``soffice`` on PATH; Debian: ``apt-get install libreoffice-writer-nogui
fonts-noto-cjk``) and ../shared/corpus.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extraction.paths import CORPUS_DIR  # noqa: E402

TEMPLATE = CORPUS_DIR / "reference" / "template-2021-blank.docx"


def to_pdf(paths: list[Path], outdir: Path) -> None:
    """Export ``.docx`` files to PDF with LibreOffice, in one process."""
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(outdir), *map(str, paths)],
                   check=True, capture_output=True, timeout=600)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--blank-rate", type=float, default=0.2, help="share of zero cells left blank")
    ap.add_argument("--fixture", type=Path, help="write the first report (docx, pdf, answer JSON) here")
    args = ap.parse_args()
    if shutil.which("soffice") is None:
        sys.exit("LibreOffice (soffice) is not on PATH: apt-get install libreoffice-writer-nogui fonts-noto-cjk")
    if not TEMPLATE.is_file():
        sys.exit(f"{TEMPLATE} not found (../shared/corpus)")

    from rich.progress import track

    from extraction.pipeline import Extractor
    from training.report import table_cells
    from training.synthetic_reports import word_report

    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="word-template-"))
    answers = {}
    for i in range(args.reports):
        doc, truth = word_report(rng, TEMPLATE, args.blank_rate)
        path = tmp / f"report-{i:03d}.docx"
        doc.save(str(path))
        answers[path.stem] = truth
    t0 = time.perf_counter()
    to_pdf(sorted(tmp.glob("*.docx")), tmp)
    export_s = time.perf_counter() - t0

    extractor = Extractor(narrative=False)
    stats = {fmt: {"reports": 0, "cells": 0, "right": 0, "blank": 0, "blank_null": 0, "ok": 0, "seconds": 0.0}
             for fmt in ("docx", "pdf")}
    wrong: list[str] = []
    for stem, truth in track(answers.items(), description="reading"):
        want = table_cells(json.loads(truth.model_dump_json()))
        for fmt in ("docx", "pdf"):
            t0 = time.perf_counter()
            rec = extractor.extract_path(tmp / f"{stem}.{fmt}")
            s = stats[fmt]
            s["seconds"] += time.perf_counter() - t0
            got = table_cells(json.loads(rec.model_dump_json())["tables"] or {})
            s["reports"] += 1
            s["ok"] += rec.status == "ok" and rec.meta.template == "2021"
            for key, v in want.items():
                s["cells"] += 1
                s["blank"] += v is None
                if got.get(key) == v:
                    s["right"] += 1
                    s["blank_null"] += v is None
                else:
                    wrong.append(f"{stem}.{fmt} {key}: want {v!r}, got {got.get(key)!r}")

    print(f"\n{args.reports} reports from the national template, exported to PDF by LibreOffice in "
          f"{export_s:.1f} s ({export_s / max(1, args.reports):.2f} s each)\n")
    print("| format | reports | ok, template 2021 | cells right | blank cells null | ms per report |")
    print("|---|---|---|---|---|---|")
    for fmt, s in stats.items():
        print(f"| {fmt} | {s['reports']} | {s['ok']} | {s['right']}/{s['cells']} ({s['right'] / max(1, s['cells']):.2%}) "
              f"| {s['blank_null']}/{s['blank']} | {1000 * s['seconds'] / max(1, s['reports']):.0f} |")
    for line in wrong[:30]:
        print("  wrong:", line)

    if args.fixture:
        args.fixture.mkdir(parents=True, exist_ok=True)
        stem = next(iter(answers))
        for fmt in ("docx", "pdf"):
            shutil.copy(tmp / f"{stem}.{fmt}", args.fixture / f"filled-2021.{fmt}")
        (args.fixture / "filled-2021.tables.json").write_text(
            answers[stem].model_dump_json(indent=1) + "\n", encoding="utf-8")
        print(f"fixture written to {args.fixture}")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
