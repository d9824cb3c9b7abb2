"""CLI: ``nianbao train``, ``nianbao evaluate``, ``nianbao weak-report``."""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

console = Console(stderr=True)


def train(
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="model directory to write (default: "
                                       "models/narrative, or models/narrative-transformer with --backend transformer)"),
    backend: str = typer.Option("spacy", "--backend", help="spacy (quantity tagger + spaCy textcat) | transformer"),
    gold: Optional[List[Path]] = typer.Option(None, "--gold", help="gold JSONL files to train on "
                                              "(default: the corpus gold and annotations/gold)"),
    hold_out: Optional[List[str]] = typer.Option(None, "--hold-out", help="doc ids never trained on"),
    cv: int = typer.Option(0, "--cv", help="also cross-validate with this many folds (a body's reports together) "
                                           "and write the metrics to OUT/cv_metrics.json (spacy backend)"),
    fact_tagger: str = typer.Option("quantities", "--fact-tagger",
                                    help="spacy backend: quantities (candidate classifier) | ner (spaCy NER)"),
    synthetic_paragraphs: Optional[int] = typer.Option(None, help="synthetic overview paragraphs (spacy backend; "
                                                       "default: TrainSettings; the transformer's data settings "
                                                       "are in --config)"),
    synthetic_sections: Optional[int] = typer.Option(None, help="synthetic problems sections (spacy backend)"),
    ner_steps: Optional[int] = typer.Option(None, help="NER training steps (--fact-tagger ner)"),
    textcat_steps: Optional[int] = typer.Option(None, help="textcat training steps"),
    base_model: Optional[Path] = typer.Option(None, "--base-model", help="transformer: a local Hugging Face "
                                              "model directory (default: models/e5-small-zh, made by "
                                              "`nianbao base-model build`)"),
    config: Optional[Path] = typer.Option(None, "--config", help="transformer: settings file "
                                          "(default configs/transformer.yaml)"),
    seed: int = typer.Option(0, help="random seed"),
) -> None:
    """Train the narrative model (facts, problem/remedy statements) on gold, synthetic and weak labels."""
    from training.corpus import all_gold_files, load_gold
    from training.evaluate import format_table
    from training.train import TrainSettings, cross_validate, train_model

    docs = [d for f in (gold or all_gold_files()) for d in load_gold(f)]
    held = set(hold_out or [])
    if backend == "transformer":
        from extraction.narrative_transformer import DEFAULT_TRANSFORMER_MODEL
        from training.base_model import DEFAULT_BASE_MODEL
        from training.transformer_train import TransformerSettings, data_settings_from_config, train_transformer_model

        if cv:
            console.print("[red]--cv is for the spacy backend[/red]: compare backends with benchmarks/backends.py")
            raise typer.Exit(2)
        base = base_model or DEFAULT_BASE_MODEL
        if not Path(base).is_dir():
            console.print(f"[red]no base model at {base}[/red]: build one with `nianbao base-model build` "
                          "or pass --base-model DIR")
            raise typer.Exit(2)
        out = out or DEFAULT_TRANSFORMER_MODEL
        train_transformer_model(out, base, docs, held, TransformerSettings.from_config(config, seed=seed),
                                data_settings_from_config(config))
        console.print(f"model written to {out}")
        return
    if backend != "spacy":
        console.print(f"[red]unknown backend {backend!r}[/red]: spacy or transformer")
        raise typer.Exit(2)
    out = out or Path("models/narrative")
    given = {"synthetic_paragraphs": synthetic_paragraphs, "synthetic_sections": synthetic_sections,
             "ner_steps": ner_steps, "textcat_steps": textcat_steps}
    settings = TrainSettings(seed=seed, fact_tagger=fact_tagger, **{k: v for k, v in given.items() if v is not None})
    train_model(out, docs, held, settings)
    console.print(f"model written to {out}")
    if cv:
        metrics, _ = cross_validate([d for d in docs if d.doc_id not in held], cv, settings, out.parent / f".{out.name}-cv")
        print(format_table(metrics, f"{cv}-fold cross-validation, a body's reports kept together"))
        (out / "cv_metrics.json").write_text(json.dumps(metrics.to_dict(), ensure_ascii=False, indent=1),
                                             encoding="utf-8")


def evaluate(
    gold: Path = typer.Option(..., "--gold", help="gold narrative JSONL"),
    records: Optional[Path] = typer.Option(None, "--records", help="records JSONL to score (default: run the model)"),
    reports: Optional[Path] = typer.Option(None, "--reports", help="directory of the gold's reports "
                                           "(default ../shared/corpus/reports)"),
    model: Optional[str] = typer.Option(None, "--model", help="narrative model directory"),
    backend: str = typer.Option("spacy", "--backend", help="narrative backend: spacy | rules | transformer | hybrid"),
    out: Optional[Path] = typer.Option(None, "--out", help="write the metrics as JSON here"),
) -> None:
    """P/R/F1 of facts ((label, value) per document, and span-exact) and statements."""
    from extraction.narrative import load_narrative_model
    from extraction.record import Narrative
    from training.corpus import REPORTS_DIR, load_gold
    from training.evaluate import evaluate_documents, format_table
    from training.train import predict_gold

    # records carry offsets into the text our ingest reads; the model run reads the gold's own text
    docs = load_gold(gold, reports or REPORTS_DIR, text_layer=records is None)
    missing = [d.doc_id for d in docs if d.text is None]
    if records is not None:
        predicted = {}
        with open(records, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    rec = json.loads(line)
                    predicted[Path(rec["source"]["path"]).stem] = Narrative(**rec.get("narrative", {}))
    else:
        if missing:
            console.print(f"[yellow]no report text for {', '.join(missing)}: counted as predicting nothing[/yellow]")
        predicted = predict_gold(load_narrative_model(model, backend=backend), docs)
    metrics = evaluate_documents(docs, predicted)
    print(format_table(metrics, f"{gold.name}: {len(docs)} documents"))
    if out is not None:
        out.write_text(json.dumps(metrics.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")


def weak_report(
    gold: Optional[List[Path]] = typer.Option(None, "--gold", help="gold JSONL (default: all gold)"),
) -> None:
    """Each labelling function's coverage and precision against the gold."""
    from training.corpus import all_gold_files, load_gold
    from training.weak_labels import format_report, lf_report

    docs = [d for f in (gold or all_gold_files()) for d in load_gold(f)]
    print(format_report(lf_report(docs)))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("train")(train)
    app.command("evaluate")(evaluate)
    app.command("weak-report")(weak_report)
