"""The narrative backends side by side on held-back dev gold, in one run: the spaCy
model, the transformer model, and the rules alone — F1 per label, statement F1,
reports per second, memory and model size.

The dev gold is one fold of ``training.train.folds`` over all gold documents (the split
the spaCy benchmark uses); both models are trained without it (nor silver from its
reports) and cached in ``--work``; a missing one is trained first (the transformer needs
the base model: ``nianbao base-model build``). Each backend runs in a fresh process, one
thread, one report at a time on text already read: reports/s is ``NarrativeModel.extract``
alone, memory is that process's peak resident set minus what it held before loading the
model, model size is the model directory on disk.

    python benchmarks/backends.py [--fold 0] [--folds 3] [--work .cache] [--out bench.json] [--markdown FILE]
                                  [--spacy DIR --transformer DIR]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import time
from dataclasses import asdict
from pathlib import Path

from extraction.record import Narrative
from training.corpus import all_gold_files, load_gold, sections_of
from training.evaluate import Metrics, evaluate_documents
from training.train import MODEL_VERSION, TrainSettings, document_groups, folds, train_model, trained_without

PASSES = 3  # each dev document is read this many times for the timing


def _dir_bytes(path: Path | None) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path else 0


def _status_mib(field: str) -> float | None:
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) / 1024 for line in f if line.startswith(field + ":"))
    except (OSError, StopIteration):
        return None


def _reset_peak() -> float:
    """Reset the process's peak resident set (Linux: /proc/self/clear_refs) and return
    the resident set now, in MiB; elsewhere the peak so far."""
    import gc

    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    now = _status_mib("VmRSS")
    return now if now is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak_mib() -> float:
    peak = _status_mib("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(backend: str, path: str | None, fold: int, k: int, queue) -> None:
    """In a child process: load the model, read the dev documents, report back."""
    import torch

    torch.set_num_threads(1)
    from extraction.narrative import load_narrative_model

    docs = dev_docs(_gold(), fold, k)
    inputs = [(d.doc_id, d.text, sections_of(d.text)) for d in docs]
    before = _reset_peak()  # what reading the gold took is not the model's
    t = time.perf_counter()
    model = load_narrative_model(path, backend=backend)
    load_s = time.perf_counter() - t
    model.extract(*inputs[0][1:])  # warm up
    pred, spent = {}, 0.0
    for _ in range(PASSES):
        for doc_id, text, sections in inputs:
            t = time.perf_counter()
            pred[doc_id] = model.extract(text, sections)[0]
            spent += time.perf_counter() - t
    queue.put({"pred": {k_: v.model_dump(mode="json") for k_, v in pred.items()},
               "reports_per_second": PASSES * len(inputs) / spent, "load_seconds": load_s,
               "memory_mib": _peak_mib() - before})


def _gold():
    return [d for f in all_gold_files() for d in load_gold(f) if d.text]


def dev_docs(docs, fold: int, k: int):
    """The documents of one fold of the spaCy benchmark's split (near-duplicates kept together)."""
    held = set(folds([d.doc_id for d in docs], k, document_groups(docs))[fold])
    return [d for d in docs if d.doc_id in held]


def run_backend(backend: str, path: Path | None, fold: int, k: int) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_measure, args=(backend, str(path) if path else None, fold, k, queue))
    proc.start()
    out = queue.get()
    proc.join()
    out["pred"] = {k_: Narrative(**v) for k_, v in out["pred"].items()}
    return out


def ensure_models(work: Path, fold: int, k: int, docs) -> dict[str, Path]:
    """The fold's spaCy and transformer models, trained where missing."""
    held = {d.doc_id for d in dev_docs(docs, fold, k)}
    train_docs = [d for d in docs if d.doc_id not in held]
    spacy_dir = work / "narrative-cv" / f"fold{fold}"  # the spaCy benchmark's cache
    if not trained_without(spacy_dir, held, expect={"version": MODEL_VERSION, "settings": asdict(TrainSettings())}):
        train_model(spacy_dir, train_docs, held, TrainSettings())
    tr_dir = work / "backends" / f"transformer-fold{fold}"
    if not trained_without(tr_dir, held, meta_file="nianbao.json"):
        from training.base_model import DEFAULT_BASE_MODEL
        from training.transformer_train import TransformerSettings, train_transformer_model

        train_transformer_model(tr_dir, DEFAULT_BASE_MODEL, train_docs, held, TransformerSettings.from_config())
    return {"spacy": spacy_dir, "transformer": tr_dir}


def table(results: dict[str, dict], metrics: dict[str, Metrics]) -> str:
    """A Markdown table: F1 per label, facts, spans, statements, speed, memory, size."""
    names = list(results)
    labels = sorted({lab for m in metrics.values() for lab in m.facts_per_label})
    rows = ["| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]

    def row(title, cells):
        rows.append(f"| {title} | " + " | ".join(cells) + " |")

    for lab in labels:
        row(f"F1 {lab}", [f"{metrics[n].facts_per_label[lab].f1:.3f}" if lab in metrics[n].facts_per_label else "–"
                          for n in names])
    row("**facts F1 (label, value)**", [f"**{metrics[n].facts.f1:.3f}**" for n in names])
    row("facts P / R", [f"{metrics[n].facts.precision:.3f} / {metrics[n].facts.recall:.3f}" for n in names])
    row("spans F1 (exact offsets)", [f"{metrics[n].spans.f1:.3f}" for n in names])
    row("**statements F1**", [f"**{metrics[n].statements.f1:.3f}**" for n in names])
    for lab in ("PROBLEM", "REMEDY"):
        row(f"statements F1 {lab}", [f"{metrics[n].statements_per_label[lab].f1:.3f}" for n in names])
    row("reports/s (narrative, 1 thread)", [f"{results[n]['reports_per_second']:.1f}" for n in names])
    row("model load (s)", [f"{results[n]['load_seconds']:.1f}" for n in names])
    row("memory (MiB, peak RSS over baseline)", [f"{results[n]['memory_mib']:.0f}" for n in names])
    row("model size (MiB on disk)", [f"{results[n]['size_bytes'] / 2**20:.1f}" for n in names])
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fold", type=int, default=0, help="which fold is the dev gold")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path(".cache"))
    ap.add_argument("--spacy", type=Path, help="a spaCy model to use instead of the fold's (must not have seen the dev gold)")
    ap.add_argument("--transformer", type=Path, help="a transformer model to use instead of the fold's (idem)")
    ap.add_argument("--out", type=Path, help="write the numbers as JSON")
    ap.add_argument("--markdown", type=Path, help="write the table as Markdown")
    args = ap.parse_args()
    docs = _gold()
    dev = dev_docs(docs, args.fold, args.folds)
    paths = ({"spacy": args.spacy, "transformer": args.transformer} if args.spacy and args.transformer
             else ensure_models(args.work, args.fold, args.folds, docs))
    results, metrics = {}, {}
    for name, path in (("spacy", paths["spacy"]), ("transformer", paths["transformer"]), ("rules", None)):
        results[name] = run_backend(name, path, args.fold, args.folds)
        results[name]["size_bytes"] = _dir_bytes(path)
        metrics[name] = evaluate_documents(dev, results[name].pop("pred"))
    head = (f"Dev gold: fold {args.fold} of {args.folds} ({len(dev)} documents: "
            f"{', '.join(sorted(d.doc_id for d in dev))}); models trained without them.")
    text = head + "\n\n" + table(results, metrics)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    if args.out:
        args.out.write_text(json.dumps({n: {**results[n], "metrics": metrics[n].to_dict()} for n in results},
                                       ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
