"""CLI: ``nianbao report`` — an evaluation report on held-out years."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

console = Console(stderr=True)


def report(
    gold: List[Path] = typer.Option(..., "--gold", help="gold JSONL in our formats (narrative and/or tables); "
                                    "repeat --gold for several files"),
    test_years: str = typer.Option(..., "--test-years", help="years to evaluate on, e.g. 2022-2025"),
    train_years: str = typer.Option("", "--train-years", help="years to train on, e.g. 2019-2021 "
                                    "(with --model: evaluated too, shown as train)"),
    out: Path = typer.Option(Path("report.html"), "-o", "--out", help="HTML file to write; beside it "
                             "NAME.metrics.json and NAME.summary.md (report.html: report.metrics.json …)"),
    model: Optional[Path] = typer.Option(None, "--model", help="evaluate this narrative model instead of "
                                         "training one on the train years"),
    backend: str = typer.Option("spacy", "--backend", help="narrative backend: spacy | rules | transformer "
                                "(rules needs no model; transformer needs --model)"),
    reports: Optional[Path] = typer.Option(None, "--reports", help="directory of the gold's reports, found "
                                           "by doc_id (default ../shared/corpus/reports)"),
    save_model: Optional[Path] = typer.Option(None, "--save-model", help="keep the model trained here in this "
                                              "directory"),
    errors: int = typer.Option(30, "--errors", min=1, help="worst errors of each kind to list"),
    ner_steps: Optional[int] = typer.Option(None, help="NER training steps (default: the training default)"),
    textcat_steps: Optional[int] = typer.Option(None, help="textcat training steps"),
    seed: int = typer.Option(0, help="random seed of training"),
) -> None:
    """Train on some years (or take --model), evaluate on others: metrics per label,
    year and template, table cells and checks, confusion, calibration, worst errors."""
    from dataclasses import replace

    from training.corpus import REPORTS_DIR
    from training.report import ReportSettings, parse_years, run_report
    from training.report_html import write_report
    from training.train import TrainSettings

    try:
        settings = ReportSettings(gold=list(gold), test_years=parse_years(test_years),
                                  train_years=parse_years(train_years), model=model, backend=backend,
                                  reports_dir=reports or REPORTS_DIR, errors_shown=errors)
    except ValueError as e:
        console.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    for p in settings.gold:
        if not p.is_file():
            console.print(f"[red]error:[/red] no gold file {p}")
            raise typer.Exit(2)
    ts = TrainSettings(seed=seed)
    ts = replace(ts, **{k: v for k, v in (("ner_steps", ner_steps), ("textcat_steps", textcat_steps)) if v})
    try:
        metrics = run_report(settings, ts, save_model)
    except (ValueError, FileNotFoundError) as e:
        console.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2)
    files = write_report(metrics, out)
    print(files.markdown.read_text(encoding="utf-8"))
    console.print(f"report written to {files.html} (metrics {files.json.name}, summary {files.markdown.name})")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("report")(report)
