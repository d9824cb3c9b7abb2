"""CLI: ``nianbao extract``, ``nianbao show``, ``nianbao schema``."""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

console = Console(stderr=True)


def extract(
    inputs: List[str] = typer.Argument(..., help="files, directories (recursive) or globs"),
    out: Path = typer.Option(..., "-o", "--out", help="output file: .jsonl, .parquet or .csv (flattened)"),
    workers: Optional[int] = typer.Option(
        None, "--workers", "-w", min=1,
        help="worker processes (local, default 1) or Ray actors (ray, default: one per CPU of the cluster)"),
    resume: bool = typer.Option(False, "--resume", help="skip inputs whose sha256 is already in OUT"),
    model: Optional[str] = typer.Option(None, "--model", help="narrative model directory (default: the shipped model)"),
    backend: str = typer.Option("spacy", "--backend", help="narrative backend: spacy | rules | transformer | hybrid (the spacy model's facts, the statement rules' statements)"),
    no_narrative: bool = typer.Option(False, "--no-narrative", help="rules only: skip the narrative model"),
    engine: str = typer.Option("local", "--engine", help="local | ray"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
) -> None:
    """Read reports into one checked record each."""
    from extraction.batch import expand_inputs, run_batch
    from extraction.writers import OUTPUT_FORMATS

    if out.suffix.lower() not in OUTPUT_FORMATS:
        console.print(f"[red]error:[/red] OUT must end in {', '.join(OUTPUT_FORMATS)}: {out}")
        raise typer.Exit(2)
    if not no_narrative:
        _check_model(model, backend)
    if engine not in ("local", "ray"):
        console.print(f"[red]error:[/red] unknown engine {engine!r} (local | ray)")
        raise typer.Exit(2)
    if engine == "ray":
        try:
            from extraction.ray_engine import run_ray  # noqa: PLC0415 (optional dependency)
        except ImportError as e:
            console.print(f"[red]error:[/red] --engine ray needs the 'ray' extra (pip install 'nianbao[ray]'): {e}")
            raise typer.Exit(2)
    n = len(expand_inputs(inputs))
    if n == 0:
        console.print("[red]error:[/red] no input files")
        raise typer.Exit(2)
    with Progress(TextColumn("[bold]extract"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TimeRemainingColumn(), console=console, disable=quiet, transient=False) as bar:
        task = bar.add_task("extract", total=n)
        progress = lambda done, total: bar.update(task, completed=done, total=total)  # noqa: E731
        try:
            if engine == "ray":
                summary = run_ray(inputs, out, resume=resume, model_path=model, backend=backend,
                                  narrative=not no_narrative, workers=workers, progress=progress)
            else:
                summary = run_batch(inputs, out, workers=workers or 1, resume=resume, model_path=model,
                                    backend=backend, narrative=not no_narrative, progress=progress)
        except (OSError, ValueError, RuntimeError) as e:
            console.print(f"[red]error:[/red] {e}")
            raise typer.Exit(2)
    _print_summary(summary)


def _check_model(model: Optional[str], backend: str) -> None:
    """Load the narrative model once before any work: a model that cannot be loaded stops
    the run with a clear error instead of failing every record."""
    from extraction.narrative import load_narrative_model

    try:
        load_narrative_model(model, backend=backend)
    except Exception as e:  # missing files, unknown backend, missing optional dependency
        console.print(f"[red]error:[/red] cannot load the narrative model ({backend}): {e}\n"
                      "use --model PATH, or --no-narrative for the rules-only path")
        raise typer.Exit(2)


def _print_summary(summary) -> None:
    t = Table(title=f"nianbao extract → {summary.output}", show_header=False)
    t.add_row("records written", str(summary.total))
    if summary.skipped:
        t.add_row("skipped (already in OUT)", str(summary.skipped))
    for s in ("ok", "partial", "failed"):
        t.add_row(s, str(summary.status.get(s, 0)))
    for name, k in sorted(summary.failing_checks.items()):
        t.add_row(f"failing check: {name}", str(k))
    for code, k in sorted(summary.error_codes.items()):
        t.add_row(f"error: {code}", str(k))
    if summary.seconds > 0 and summary.total:
        t.add_row("speed", f"{summary.total / summary.seconds:.1f} reports/s")
    Console().print(t)


def show(
    file: Path = typer.Argument(..., help="a report file, or a .jsonl of records (shows each)"),
    model: Optional[str] = typer.Option(None, "--model"),
    backend: str = typer.Option("spacy", "--backend"),
    no_narrative: bool = typer.Option(False, "--no-narrative"),
    as_json: bool = typer.Option(False, "--json", help="print the record as JSON instead"),
) -> None:
    """Print one report's record for a person."""
    from extraction.pipeline import Extractor
    from extraction.show import render_record
    from extraction.writers import read_records

    if file.suffix.lower() == ".jsonl" and file.exists():
        records = list(read_records(file))
    else:
        if not no_narrative:
            _check_model(model, backend)
        records = [Extractor(model_path=model, backend=backend, narrative=not no_narrative).extract_path(file)]
    out = Console()
    for rec in records:
        if as_json:
            out.print_json(rec.model_dump_json())
        else:
            render_record(rec, out)


def schema() -> None:
    """Print the JSON Schema of a record."""
    from extraction.record import json_schema

    typer.echo(json.dumps(json_schema(), ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    app.command()(extract)
    app.command()(show)
    app.command()(schema)
