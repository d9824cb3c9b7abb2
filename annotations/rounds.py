"""Annotation rounds: pull finished annotations from Label Studio into our gold format,
retrain on all gold so far, and say where the rounds stand.

``annotations/rounds/`` holds:

- ``round-NNN.jsonl``: what one pull brought, one row per annotation, in the format of
  ``../shared/corpus/gold/narrative.jsonl`` (facts with label/text/context/value/
  qualifier, statements with label/text) plus the row's own ``text`` (the task's
  paragraph), code-point ``start``/``end`` of every span in it, where the paragraph
  stands in its report (``report``, ``doc_sha256``, ``offset``, ``section``), and
  ``annotator``, ``annotated_at``, ``lead_time``, the model versions whose
  pre-annotations the annotator saw (``pre_annotated_by``), the Label Studio ids and
  ``round``.
  Regions that cannot be gold as they stand are listed under ``problems`` with the
  reason, never dropped silently: offsets that do not hold their text or an unknown
  label (``kept: false``), a quantity whose text has no number (``kept: true``,
  value null).
- ``pushed.jsonl``: the ledger of pushed tasks (``annotations.active_learning``).
- ``models.jsonl``: the registry of retrained models with their metrics.

A pull writes only annotations it has not seen: an annotation already pulled (same
task and annotation id, same ``updated_at``) or one with the same content from the
same annotator on the same task is skipped, so pulling twice changes nothing. An
annotation edited after its pull comes again in a later round; readers keep its
latest version.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import re
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from extraction.labels import load_labels
from extraction.paths import REPO_ROOT
from extraction.values import describe

from annotations.labelstudio import annotated_tasks, from_results, span_labels

ROUNDS_DIR = REPO_ROOT / "annotations" / "rounds"
LEDGER_FILE = "pushed.jsonl"
REGISTRY_FILE = "models.jsonl"
EVAL_FOLDS = 4
_ROUND = re.compile(r"round-(\d{3,})\.jsonl")


# --- reading rounds ----------------------------------------------------------------------
def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def round_files(rounds_dir: str | Path = ROUNDS_DIR) -> list[Path]:
    """The round files, in round order."""
    files = [p for p in Path(rounds_dir).glob("round-*.jsonl") if _ROUND.fullmatch(p.name)]
    return sorted(files, key=lambda p: int(_ROUND.fullmatch(p.name).group(1)))


def read_rows(rounds_dir: str | Path = ROUNDS_DIR) -> list[dict]:
    """Every row of every round, in round order."""
    return [r for p in round_files(rounds_dir) for r in read_jsonl(p)]


def current_rows(rows: list[dict]) -> list[dict]:
    """The latest version of each annotation (by task and Label Studio annotation id)."""
    latest: dict[tuple, dict] = {}
    for r in rows:
        key = (r["task_id"], r["annotation_id"])
        if key not in latest or r["annotated_at"] >= latest[key]["annotated_at"]:
            latest[key] = r
    return list(latest.values())


def gold_rows(rounds_dir: str | Path = ROUNDS_DIR) -> list[dict]:
    """One row per task for training: its ground-truth annotation, else the latest one."""
    best: dict[str, dict] = {}
    for r in current_rows(read_rows(rounds_dir)):
        b = best.get(r["task_id"])
        if b is None or (r.get("ground_truth"), r["annotated_at"]) > (b.get("ground_truth"), b["annotated_at"]):
            best[r["task_id"]] = r
    return sorted(best.values(), key=lambda r: (r["round"], r["task_id"]))


# --- one annotation → one row ---------------------------------------------------------------
def context_of(text: str, start: int, end: int, min_chars: int = 8) -> str:
    """The shortest stretch of ``text`` around ``[start, end)`` (at least ``min_chars``
    longer than the span where the text allows) that occurs once in ``text`` and holds
    the span's text once."""
    span = text[start:end]
    grow = 0
    while True:
        a, b = max(0, start - grow), min(len(text), end + (grow + 1) // 2)
        ctx = text[a:b]
        if (len(ctx) >= len(span) + min_chars or (a == 0 and b == len(text))) \
                and text.count(ctx) == 1 and ctx.count(span) == 1:
            return ctx
        if a == 0 and b == len(text):
            return ctx
        grow += 1


def _content_key(row: dict) -> str:
    return json.dumps([row["task_id"], row["annotator"], row["facts"], row["statements"]], ensure_ascii=False,
                      sort_keys=True)


def annotation_row(task: dict, annotation: dict, project_id: int) -> dict:
    """The round row of one annotation of one Label Studio task (a dict of the API)."""
    data = task["data"]
    text = data["text"]
    quantity = set(load_labels().quantity)
    allowed = set(span_labels())
    regions, errors = from_results(text, annotation.get("result") or [])
    facts, statements = [], []
    problems = [{"item": e.item, "reason": e.reason, "kept": False} for e in errors]
    for r in regions:
        if r.label not in allowed:
            problems.append({"item": asdict(r), "reason": f"label {r.label!r} is not in configs/labels.yaml",
                             "kept": False})
        elif r.label in quantity:
            value, qual = describe(text, r.start, r.end)
            facts.append({"label": r.label, "text": r.text, "context": context_of(text, r.start, r.end),
                          "value": value, "qualifier": r.qualifier or qual, "start": r.start, "end": r.end})
            if value is None:
                problems.append({"item": asdict(r), "reason": "its text has no number: value is null", "kept": True})
        else:
            statements.append({"label": r.label, "text": r.text, "start": r.start, "end": r.end})
    return {
        "doc_id": f"{data.get('doc_id', 'task')}#{data.get('start')}-{data.get('end')}",
        "report": data.get("doc_id"),
        "doc_sha256": data.get("doc_sha256"),
        "section": data.get("section"),
        "offset": data.get("start"),
        "task_id": data["task_id"],
        "text": text,
        "meta": {},
        "facts": facts,
        "statements": statements,
        "problems": problems,
        "pre_annotated_by": sorted({p.get("model_version") or "?" for p in task.get("predictions") or []}),
        "annotator": annotation.get("annotator"),
        "annotated_at": str(annotation.get("updated_at") or annotation.get("created_at")),
        "lead_time": annotation.get("lead_time"),
        "ground_truth": bool(annotation.get("ground_truth")),
        "annotation_id": annotation["id"],
        "ls_task_id": task["id"],
        "project_id": project_id,
    }


# --- pull ---------------------------------------------------------------------------
@dataclass
class PullResult:
    """What a pull did."""

    path: Path | None                       # the round file written, None when nothing new
    rows: list[dict] = field(default_factory=list)
    unchanged: int = 0                      # annotations pulled before
    duplicates: int = 0                     # same content as a row already kept
    cancelled: int = 0                      # skipped tasks (was_cancelled)
    foreign: int = 0                        # annotated tasks not pushed by nianbao

    @property
    def problems(self) -> list[dict]:
        return [{"task_id": r["task_id"], "annotation_id": r["annotation_id"], "annotator": r["annotator"], **x}
                for r in self.rows for x in r["problems"]]


def pull(client, project_id: int, rounds_dir: str | Path = ROUNDS_DIR) -> PullResult:
    """Write the project's annotations not pulled before into the next round file."""
    rounds_dir = Path(rounds_dir)
    before = read_rows(rounds_dir)
    seen = {(r["task_id"], r["annotation_id"], r["annotated_at"]) for r in before}
    contents = {_content_key(r) for r in before}
    files = round_files(rounds_dir)
    number = int(_ROUND.fullmatch(files[-1].name).group(1)) + 1 if files else 1
    result = PullResult(None)
    for task in annotated_tasks(client, project_id):
        if not (task.get("data") or {}).get("task_id"):
            result.foreign += 1
            continue
        for ann in sorted(task["annotations"], key=lambda a: a["id"]):
            if ann.get("was_cancelled"):
                result.cancelled += 1
                continue
            row = annotation_row(task, ann, project_id)
            if (row["task_id"], row["annotation_id"], row["annotated_at"]) in seen:
                result.unchanged += 1
                continue
            key = _content_key(row)
            if key in contents:
                result.duplicates += 1
                continue
            contents.add(key)
            row["round"] = number
            result.rows.append(row)
    if result.rows:
        result.path = rounds_dir / f"round-{number:03d}.jsonl"
        _write_jsonl(result.path, result.rows)
    return result


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    """Write ``rows`` to ``path`` all at once (a temporary file renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


# --- retrain ------------------------------------------------------------------------
def eval_split() -> list[str]:
    """The fixed evaluation documents: the first of ``EVAL_FOLDS`` folds
    (``training.train.folds``) of the corpus gold reports whose body has no other report
    in any gold file, so that no report of an evaluated body is ever trained on by
    ``retrain``."""
    from training.corpus import CORPUS_GOLD, all_gold_files
    from training.train import body_of, folds

    reports = Counter(body_of(r.get("meta")) for f in all_gold_files() for r in read_jsonl(f))
    ids = [r["doc_id"] for r in read_jsonl(CORPUS_GOLD)
           if (body := body_of(r.get("meta"))) == "" or reports[body] == 1]
    return folds(ids, EVAL_FOLDS)[0] if ids else []


def eval_keys(ids: list[str] | None = None) -> set[str]:
    """The evaluation documents' ids and the sha256 of their report files, so that a
    copy under another name is known too."""
    from extraction.ingest import sha256_file
    from training.corpus import find_report

    ids = eval_split() if ids is None else ids
    return set(ids) | {sha256_file(p) for i in ids if (p := find_report(i)) is not None}


def round_gold_docs(rows: list[dict]):
    """``training.corpus.GoldDoc`` objects of round rows (their offsets as stored)."""
    from training.corpus import GoldDoc, GoldFact, GoldStatement

    return [GoldDoc(doc_id=r["doc_id"], text=r["text"], meta=r.get("meta", {}),
                    facts=[GoldFact(f["label"], f["text"], f["value"], f["qualifier"], f["start"], f["end"])
                           for f in r["facts"]],
                    statements=[GoldStatement(s["label"], s["text"], s["start"], s["end"]) for s in r["statements"]])
            for r in rows]


def registry(rounds_dir: str | Path = ROUNDS_DIR) -> list[dict]:
    """The registered model versions, oldest first."""
    return read_jsonl(Path(rounds_dir) / REGISTRY_FILE)


def latest_model(rounds_dir: str | Path = ROUNDS_DIR) -> dict | None:
    """The newest registered model whose directory exists here."""
    for entry in reversed(registry(rounds_dir)):
        if _abs(entry["path"]).is_dir():
            return entry
    return None


def _abs(path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else REPO_ROOT / p


def _rel(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def retrain(out_dir: str | Path | None = None, rounds_dir: str | Path = ROUNDS_DIR, settings=None,
            hold_out: list[str] | None = None) -> dict:
    """Train the narrative model on all gold so far (the corpus gold, ``annotations/gold``
    and every round) except the evaluation documents, evaluate it on them, and register
    it; returns the registry entry."""
    from extraction.narrative import load_narrative_model
    from training.corpus import all_gold_files, load_gold
    from training.evaluate import evaluate_documents
    from training.train import TrainSettings, predict_gold, train_model

    settings = settings or TrainSettings()
    rounds_dir = Path(rounds_dir)
    held = set(hold_out if hold_out is not None else eval_split())
    keys = eval_keys(sorted(held))
    docs = [d for f in all_gold_files() for d in load_gold(f)]
    rows = gold_rows(rounds_dir)
    train_rows = [r for r in rows if r.get("report") not in keys and r.get("doc_sha256") not in keys]
    number = max((r["round"] for r in rows), default=0)
    stamp = _dt.datetime.now(_dt.timezone.utc)
    version = f"al-r{number:03d}-{stamp:%Y%m%dT%H%M%S}"
    out = Path(out_dir) if out_dir is not None else REPO_ROOT / "runs" / "al" / version
    train_model(out, [d for d in docs if d.doc_id not in held] + round_gold_docs(train_rows), held, settings)
    meta_path = out / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["version"] = version
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    eval_docs = [d for d in docs if d.doc_id in held]
    metrics = evaluate_documents(eval_docs, predict_gold(load_narrative_model(out), eval_docs)).to_dict()
    entry = {
        "version": version, "path": _rel(out), "created_at": stamp.isoformat(timespec="seconds"),
        "round": number, "round_rows": len(train_rows), "gold_documents": len(docs) - len(eval_docs),
        "eval_documents": sorted(held),
        "settings": asdict(settings),
        "metrics": {k: metrics[k] for k in ("facts", "facts_per_label", "spans_exact", "statements",
                                            "statements_per_label")},
    }
    path = rounds_dir / REGISTRY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entry


# --- status ---------------------------------------------------------------------------
def status(rounds_dir: str | Path = ROUNDS_DIR) -> dict:
    """Rounds (rows, tasks, annotators, counts per label, problems), the
    ledger, and the metrics of each registered model."""
    rounds_dir = Path(rounds_dir)
    rounds = []
    for p in round_files(rounds_dir):
        rows = read_jsonl(p)
        rounds.append({
            "file": p.name, "annotations": len(rows), "tasks": len({r["task_id"] for r in rows}),
            "annotators": sorted({r["annotator"] or "?" for r in rows}),
            "labels": dict(sorted(Counter(x["label"] for r in rows for x in r["facts"] + r["statements"]).items())),
            "problems": sum(len(r["problems"]) for r in rows),
            "lead_time_s": round(sum(r["lead_time"] or 0 for r in rows), 1),
        })
    gold = gold_rows(rounds_dir)
    pushed = read_jsonl(rounds_dir / LEDGER_FILE)
    return {
        "rounds": rounds,
        "gold_tasks": len(gold),
        "labels": dict(sorted(Counter(x["label"] for r in gold for x in r["facts"] + r["statements"]).items())),
        "pushed": len(pushed),
        "pushed_by_strategy": dict(Counter(r["strategy"] for r in pushed)),
        "models": [{"version": m["version"], "round": m["round"], "round_rows": m["round_rows"],
                    "facts_f1": m["metrics"]["facts"]["f1"], "statements_f1": m["metrics"]["statements"]["f1"],
                    "path": m["path"]} for m in registry(rounds_dir)],
    }
