"""CLI: ``nianbao al`` — active-learning annotation rounds with Label Studio
(push, pull, retrain, status, serve)."""
from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

console = Console(stderr=True)
al_app = typer.Typer(help="Active-learning annotation rounds with Label Studio (docs/active-learning.md).",
                     no_args_is_help=True)

_ROUNDS_HELP = "directory of the round files, ledger and model registry"


def _rounds_dir() -> Path:
    from annotations.rounds import ROUNDS_DIR

    return ROUNDS_DIR


def _connect(url: Optional[str], token: Optional[str]):
    from annotations.labelstudio import LabelStudioError, connect

    try:
        return connect(url, token)
    except LabelStudioError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2)


def _model(model: Optional[Path], backend: str, rounds_dir: Path):
    """The model to push with and its version: ``--model``, else the latest registered
    model, else the shipped one."""
    from extraction.narrative import DEFAULT_MODEL, load_narrative_model
    from annotations.rounds import latest_model

    if backend == "rules":
        return load_narrative_model(backend="rules"), "rules"
    path = model
    if path is None:
        entry = latest_model(rounds_dir)
        path = Path(entry["path"]) if entry else DEFAULT_MODEL
    try:
        nm = load_narrative_model(path, backend=backend)
    except (FileNotFoundError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}; train one (`nianbao train` or `nianbao al retrain`), "
                      "or push with --backend rules")
        raise typer.Exit(2)
    meta = Path(path) / "meta.json"
    info = json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else {}
    return nm, info.get("version") or f"{nm.name}@{Path(path).name}"


@al_app.command()
def push(
    pool: List[Path] = typer.Option(..., "--pool", help="report files or directories (repeat --pool for more)"),
    k: int = typer.Option(50, "--k", min=1, help="tasks to push"),
    strategy: str = typer.Option("uncertainty", "--strategy", help="uncertainty | margin | entropy | diverse | random"),
    model: Optional[Path] = typer.Option(None, "--model", help="narrative model directory "
                                         "(default: the latest `al retrain` model, else models/narrative)"),
    backend: str = typer.Option("spacy", "--backend", help="narrative backend: spacy | rules | transformer"),
    committee: bool = typer.Option(True, "--committee/--no-committee",
                                   help="average the model's decisions with the rules' (query by committee)"),
    seed: int = typer.Option(0, "--seed", help="seed for ties, clustering and random"),
    project: str = typer.Option("nianbao narrative", "--project", help="Label Studio project title"),
    url: Optional[str] = typer.Option(None, "--url", help="Label Studio URL [env LABEL_STUDIO_URL]"),
    token: Optional[str] = typer.Option(None, "--token", help="API token [env LABEL_STUDIO_API_KEY]"),
    rounds_dir: Path = typer.Option(None, "--rounds-dir", help=_ROUNDS_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help="rank and list the tasks, push nothing"),
) -> None:
    """Rank the paragraphs of sections 一 and 五 of a pool of reports; push the top k with pre-annotations."""
    from annotations.active_learning import STRATEGIES, Ledger, push as do_push
    from annotations.labelstudio import LabelStudioError, ensure_project
    from annotations.rounds import LEDGER_FILE, eval_keys
    from extraction.narrative import RulesBackend

    if strategy not in STRATEGIES:
        raise typer.BadParameter(f"choose one of {', '.join(STRATEGIES)}", param_hint="--strategy")
    rounds_dir = rounds_dir or _rounds_dir()
    nm, version = _model(model, backend, rounds_dir)
    client = project_id = None
    if not dry_run:
        client = _connect(url, token)
    try:
        if client is not None:
            project_id = ensure_project(client, project)
        result = do_push(client, project_id, pool, nm, version, Ledger(rounds_dir / LEDGER_FILE), k, strategy, seed,
                         [RulesBackend()] if committee and backend != "rules" else [], eval_keys(), dry_run)
    except (LabelStudioError, FileNotFoundError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2)
    for path, why in result.skipped_files:
        console.print(f"[yellow]skipped[/yellow] {path}: {why}")
    for r in result.pushed:
        print(f"{r['informativeness']:.4f}\t{r['task_id']}\t{r['doc_id']}\t{r['section']}\t[{r['start']}:{r['end']}]")
    verb = "would push" if dry_run else "pushed"
    console.print(f"{verb} {len(result.pushed)} of {result.candidates} new tasks by {strategy} "
                  f"(model {version})" + ("" if dry_run else f" to project {project!r} (id {project_id})"))


@al_app.command()
def pull(
    project: str = typer.Option("nianbao narrative", "--project", help="Label Studio project title"),
    url: Optional[str] = typer.Option(None, "--url", help="Label Studio URL [env LABEL_STUDIO_URL]"),
    token: Optional[str] = typer.Option(None, "--token", help="API token [env LABEL_STUDIO_API_KEY]"),
    rounds_dir: Path = typer.Option(None, "--rounds-dir", help=_ROUNDS_HELP),
) -> None:
    """Export new annotations into the next round file (exit 1 if a region was set aside)."""
    from annotations.labelstudio import LabelStudioError, find_project
    from annotations.rounds import pull as do_pull

    client = _connect(url, token)
    try:
        project_id = find_project(client, project)
        if project_id is None:
            console.print(f"[red]error:[/red] no project {project!r} on the server (push creates it)")
            raise typer.Exit(2)
        result = do_pull(client, project_id, rounds_dir or _rounds_dir())
    except LabelStudioError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2)
    for p in result.problems:
        style = "yellow" if p["kept"] else "red"
        console.print(f"[{style}]{'kept' if p['kept'] else 'set aside'}[/{style}] task {p['task_id']} "
                      f"annotation {p['annotation_id']} ({p['annotator']}): {p['reason']}")
    where = result.path.name if result.path else "nothing new"
    console.print(f"{where}: {len(result.rows)} new annotations; {result.unchanged} pulled before, "
                  f"{result.duplicates} duplicates, {result.cancelled} skipped tasks, "
                  f"{result.foreign} tasks not pushed by nianbao")
    if any(not p["kept"] for p in result.problems):
        raise typer.Exit(1)


@al_app.command()
def retrain(
    out: Optional[Path] = typer.Option(None, "-o", "--out", help="model directory (default runs/al/VERSION)"),
    hold_out: Optional[List[str]] = typer.Option(None, "--hold-out", help="evaluation doc ids "
                                                 "(default: the fixed split, `al status` lists it)"),
    rounds_dir: Path = typer.Option(None, "--rounds-dir", help=_ROUNDS_HELP),
    synthetic_paragraphs: int = typer.Option(3000, help="synthetic overview paragraphs"),
    synthetic_sections: int = typer.Option(600, help="synthetic problems sections"),
    negatives: int = typer.Option(1500, help="negative windows from unlabelled prose"),
    silver: bool = typer.Option(True, "--silver/--no-silver", help="weak labels over the corpus reports"),
    ner_steps: int = typer.Option(1500, help="NER training steps"),
    textcat_steps: int = typer.Option(1500, help="textcat training steps"),
    seed: int = typer.Option(0, help="random seed"),
) -> None:
    """Train on all gold so far, evaluate on the fixed split, register the model version."""
    from annotations.rounds import retrain as do_retrain
    from training.train import TrainSettings

    settings = TrainSettings(synthetic_paragraphs=synthetic_paragraphs, synthetic_sections=synthetic_sections,
                             negatives=negatives, silver=silver, ner_steps=ner_steps, textcat_steps=textcat_steps,
                             seed=seed)
    entry = do_retrain(out, rounds_dir or _rounds_dir(), settings, hold_out)
    m = entry["metrics"]
    print(f"{entry['version']}\t{entry['path']}\tfacts F1 {m['facts']['f1']:.3f}\t"
          f"statements F1 {m['statements']['f1']:.3f}\t({len(entry['eval_documents'])} evaluation documents, "
          f"{entry['round_rows']} round annotations)")


@al_app.command()
def status(
    rounds_dir: Path = typer.Option(None, "--rounds-dir", help=_ROUNDS_HELP),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Rounds, counts per label, tasks pushed, and the metrics of each model version."""
    from annotations.rounds import eval_split, status as do_status

    s = do_status(rounds_dir or _rounds_dir())
    s["eval_split"] = eval_split()
    if as_json:
        print(json.dumps(s, ensure_ascii=False, indent=1))
        return
    print(f"pushed {s['pushed']} tasks {s['pushed_by_strategy']}; gold from rounds: {s['gold_tasks']} tasks")
    for r in s["rounds"]:
        print(f"{r['file']}\t{r['annotations']} annotations\t{r['tasks']} tasks\t{', '.join(r['annotators'])}\t"
              f"{r['problems']} problems\t{r['lead_time_s']} s\t{r['labels']}")
    print(f"labels (all rounds): {s['labels']}")
    for m in s["models"]:
        print(f"{m['version']}\tround {m['round']}\t{m['round_rows']} round annotations\t"
              f"facts F1 {m['facts_f1']:.3f}\tstatements F1 {m['statements_f1']:.3f}\t{m['path']}")
    print(f"evaluation split: {', '.join(s['eval_split'])}")


@al_app.command()
def serve(
    port: int = typer.Option(8080, "--port", help="port on 127.0.0.1"),
    data_dir: Path = typer.Option(Path(".ls-data"), "--data-dir", help="database and media of this server"),
    install: bool = typer.Option(False, "--install", help="create the server's venv (.ls-venv) if it is missing"),
) -> None:
    """Run a local Label Studio on 127.0.0.1 (its own venv) until Ctrl-C."""
    from annotations import serve as srv

    if not srv.installed():
        if not install:
            console.print(f"[red]error:[/red] Label Studio is not installed in {srv.LS_VENV}; "
                          "run again with --install (a few minutes, once)")
            raise typer.Exit(2)
        srv.install()
    server = srv.start(data_dir, port)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a kill stops the server too
    try:
        console.print(f"starting Label Studio (pid {server.pid}, log {server.log}) …")
        srv.wait_ready(server)
        creds = srv.credentials(data_dir.resolve())
        print(f"Label Studio is up at {server.url}: log in as {creds.username}, password {creds.password}")
        print(f"export LABEL_STUDIO_URL={server.url}\nexport LABEL_STUDIO_API_KEY={server.token}")
        server.process.wait()
    except KeyboardInterrupt:
        pass
    except RuntimeError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2)
    finally:
        srv.stop(server)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.add_typer(al_app, name="al")
