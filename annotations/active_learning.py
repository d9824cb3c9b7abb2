"""Active learning: cut reports into tasks, let the model score them, pick what to label.

A *task* is one paragraph of section 一 (overview) or 五 (problems) of a report, with
a stable id: a hash of the report's sha256 and the paragraph's offsets in its
normalised text, so the same paragraph is the same task whichever model or pool found
it. Paragraphs never cut through a statement unit (``extraction.statements.segment``);
a paragraph longer than ``MAX_TASK_CHARS`` is cut between units.

For every task the model makes *decisions*, each a class distribution: one per
candidate number (a quantity label or ``O``) and one per statement unit of section 五
(PROBLEM / REMEDY / OTHER). The distributions come from the model's backend; with a
*committee* (by default the rules backend beside the model) they are the average of
the members' distributions, so that a model that reports no span scores (the greedy
spaCy NER says 1.0) still shows where it disagrees with the rules (query by committee).

Strategies rank tasks by their decisions:

- ``uncertainty``: the least confident decision, ``max(1 - p_max)``;
- ``margin``: the smallest margin between the two most likely classes, ``max(1 - (p1 - p2))``;
- ``entropy``: the total entropy of the task's decisions;
- ``diverse``: the ``DIVERSE_FACTOR·k`` most uncertain tasks clustered (k-means over
  character 1–3-gram TF-IDF) into k clusters, the most uncertain task of each;
- ``random``: a seeded shuffle.

A local ledger (``pushed.jsonl``) lists every task pushed, so no task is pushed twice.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import random
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from extraction.ingest import IngestError, read_document
from extraction.labels import load_labels
from extraction.narrative import Backend, NarrativeModel, candidate_windows, candidates, regions
from extraction.record import Sections
from extraction.sections import find_sections
from extraction.statements import Unit, segment

from annotations.labelstudio import Region

STRATEGIES = ("uncertainty", "margin", "entropy", "diverse", "random")
TASK_SECTIONS = ("overview", "problems")  # 一 and 五
MAX_TASK_CHARS = 600
MIN_TASK_CHARS = 6      # shorter paragraphs (page numbers, stray marks) are no tasks
HEADING_CHARS = 20      # a line this short ends a paragraph; without a sentence end or a
                        # digit it is a heading, and no task
DIVERSE_FACTOR = 4
POOL_SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
NONE = "O"
_PARAGRAPH_END = re.compile(r"[。；;！？!?：:”’」』）)]\s*$")
_PAGE_NUMBER = re.compile(r"[-—–]?\s*\d+\s*[-—–]?")


@dataclass(frozen=True)
class Task:
    """One paragraph to label: ``text`` is ``document text[start:end]``."""

    id: str
    doc_id: str
    doc_sha256: str
    path: str
    section: str
    start: int
    end: int
    text: str


@dataclass
class Scored:
    """A task with the model's pre-annotations and decisions."""

    task: Task
    regions: list[Region] = field(default_factory=list)
    decisions: list[dict[str, float]] = field(default_factory=list)


def task_id(doc_sha256: str, start: int, end: int) -> str:
    """The stable id of ``text[start:end]`` of the report with this sha256."""
    return hashlib.sha256(f"{doc_sha256}:{start}:{end}".encode()).hexdigest()[:20]


# --- tasks -----------------------------------------------------------------------------
def paragraphs(text: str, start: int, end: int, units: Sequence[Unit] | None = None) -> list[tuple[int, int]]:
    """Paragraph spans of ``text[start:end]``: a line break ends a paragraph after a
    sentence end, a blank or a short line, but never inside a statement unit; headings
    and surrounding whitespace are left out and long paragraphs are cut between units."""
    units = list(segment(text, start, end)) if units is None else list(units)
    cuts = [start]
    line_start = start
    for m in re.finditer("\n", text[start:end]):
        nl = start + m.start()
        line = text[line_start:nl].strip()
        line_start = nl + 1
        heading = len(line) <= HEADING_CHARS and not _PAGE_NUMBER.fullmatch(line)
        if (not line or heading or _PARAGRAPH_END.search(line)) \
                and not any(u.start < nl < u.end for u in units):
            cuts.append(nl + 1)
    cuts.append(end)
    out = []
    for a, b in zip(cuts, cuts[1:]):
        for s, e in _split_long(text, a, b, units):
            s, e = _strip(text, s, e)
            if len(re.sub(r"\s", "", text[s:e])) >= MIN_TASK_CHARS and not _is_heading(text[s:e]):
                out.append((s, e))
    return out


def _is_heading(par: str) -> bool:
    return len(par) <= HEADING_CHARS and not _PARAGRAPH_END.search(par) and not re.search(r"\d", par)


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    """``[a, b)`` without surrounding whitespace and page-number lines."""
    while True:
        seg = text[a:b]
        a, b = a + (len(seg) - len(seg.lstrip())), b - (len(seg) - len(seg.rstrip()))
        first = text.find("\n", a, b)
        last = text.rfind("\n", a, b)
        if first >= 0 and _PAGE_NUMBER.fullmatch(text[a:first].strip()):
            a = first + 1
        elif last >= 0 and _PAGE_NUMBER.fullmatch(text[last + 1:b].strip()):
            b = last
        else:
            return a, b


def _split_long(text: str, a: int, b: int, units: Sequence[Unit]) -> list[tuple[int, int]]:
    """``[a, b)`` cut after units into pieces of at most ``MAX_TASK_CHARS`` where it can be."""
    if b - a <= MAX_TASK_CHARS:
        return [(a, b)]
    out, s, prev_end = [], a, None
    for u in units:
        if not (a <= u.start and u.end <= b):
            continue
        if u.end - s > MAX_TASK_CHARS and prev_end is not None and prev_end > s:
            out.append((s, prev_end))
            s = prev_end
        prev_end = u.end
    out.append((s, b))
    return out


def task_regions(text: str, sections: Sections) -> list[tuple[str, int, int]]:
    """(section, start, end) of sections 一 and 五 as the narrative model reads them
    (headings left out)."""
    return [(name, s, e) for name, s, e in regions(text, sections) if name in TASK_SECTIONS]


def cut_tasks(text: str, sections: Sections, doc_id: str, doc_sha256: str, path: str = "") -> list[Task]:
    """The tasks of one report: the paragraphs of its sections 一 and 五."""
    return [Task(task_id(doc_sha256, s, e), doc_id, doc_sha256, path, name, s, e, text[s:e])
            for name, a, b in task_regions(text, sections) for s, e in paragraphs(text, a, b)]


# --- model decisions ---------------------------------------------------------------------
def _span_decisions(backend: Backend, text: str, task: Task) -> list[dict[str, float]]:
    """One distribution per candidate number of the task: the label of the predicted
    span over it with its score, the rest of the mass on ``O`` (a backend may also
    return spans labelled ``O``: the rest then goes to ``*``, any label); no span: ``O``.
    A backend with ``distributions`` (the quantity tagger) gives every label's probability."""
    cands = candidates(text, [(None, task.start, task.end)])
    if not cands:
        return []
    full = getattr(backend, "distributions", None)
    dists = full(text, cands) if full is not None else None
    if dists is not None:  # a backend that scores every label of every candidate
        return dists
    spans = backend.predict_spans(text, candidate_windows(text, task.start, task.end))
    out = []
    for q in cands:
        over = [p for p in spans if p.start < q.end and q.start < p.end]
        if over:
            best = max(over, key=lambda p: p.score)
            rest = NONE if best.label != NONE else "*"
            out.append({best.label: best.score, rest: 1.0 - best.score} if best.score < 1 else {best.label: 1.0})
        else:
            out.append({NONE: 1.0})
    return out


def _average(dists: list[dict[str, float]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for d in dists:
        for k, v in d.items():
            out[k] = out.get(k, 0.0) + v / len(dists)
    return out


def decide(members: Sequence[Backend], text: str, sections: Sections, tasks: list[Task]) -> list[list[dict]]:
    """The decisions of each task, averaged over the ``members``: one per candidate
    number, one per statement unit of section 五."""
    units = [u for name, a, b in task_regions(text, sections) if name == "problems" for u in segment(text, a, b)]
    units_by_task = [[u for u in units if t.start <= u.start and u.end <= t.end] for t in tasks]
    unit_list = [u for us in units_by_task for u in us]
    unit_dists = [member.classify(unit_list) if unit_list else [] for member in members]
    unit_decision = {(u.start, u.end): _average([d[i] for d in unit_dists]) for i, u in enumerate(unit_list)}
    out = []
    for t, us in zip(tasks, units_by_task):
        per_member = [_span_decisions(m, text, t) for m in members]
        out.append([_average(list(ds)) for ds in zip(*per_member)] + [unit_decision[(u.start, u.end)] for u in us])
    return out


def score_document(model: NarrativeModel, text: str, sections: Sections, tasks: list[Task],
                   committee: Sequence[Backend] = ()) -> list[Scored]:
    """Pre-annotations (the model's facts and statements inside each task) and
    decisions (averaged over the model and the ``committee``) of one report's tasks."""
    narrative, _ = model.extract(text, sections)
    statements = [(lab, s) for lab, key in load_labels().statement_record_keys.items()
                  for s in getattr(narrative, key)]
    out = []
    for t, decisions in zip(tasks, decide([model.backend, *committee], text, sections, tasks)):
        regions = [Region(f.label, f.start - t.start, f.end - t.start, f.text, f.qualifier, f.confidence)
                   for f in narrative.facts if t.start <= f.start and f.end <= t.end]
        regions += [Region(lab, s.start - t.start, s.end - t.start, s.text, None, s.confidence)
                    for lab, s in statements if t.start <= s.start and s.end <= t.end]
        out.append(Scored(t, sorted(regions, key=lambda r: (r.start, r.end)), decisions))
    return out


# --- strategies ------------------------------------------------------------------------
def least_confidence(decisions: list[dict[str, float]]) -> float:
    return max((1.0 - max(d.values()) for d in decisions if d), default=0.0)


def smallest_margin(decisions: list[dict[str, float]]) -> float:
    """``1 - (p1 - p2)`` of the decision with the smallest margin (0 without decisions)."""
    out = 0.0
    for d in decisions:
        top = sorted(d.values(), reverse=True) + [0.0]
        out = max(out, 1.0 - (top[0] - top[1]))
    return out


def total_entropy(decisions: list[dict[str, float]]) -> float:
    return sum(-p * math.log(p) for d in decisions for p in d.values() if p > 0)


_INFORMATIVENESS = {"uncertainty": least_confidence, "margin": smallest_margin, "entropy": total_entropy}


def informativeness(scored: Sequence[Scored], strategy: str) -> list[float]:
    """The value each task is ranked by (least confidence for ``diverse`` and ``random``)."""
    info = _INFORMATIVENESS.get(strategy, least_confidence)
    return [info(s.decisions) for s in scored]


def select(scored: Sequence[Scored], k: int, strategy: str = "uncertainty", seed: int = 0) -> list[int]:
    """Indices into ``scored`` of the k tasks to label next, most useful first; ties
    are broken by a seeded shuffle."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}")
    order = list(range(len(scored)))
    random.Random(seed).shuffle(order)
    if strategy == "random":
        return order[:k]
    value = informativeness(scored, strategy)
    order.sort(key=lambda i: -value[i])  # stable: the shuffle breaks ties
    if strategy != "diverse" or len(order) <= k:
        return order[:k]
    return _diverse(scored, order[:DIVERSE_FACTOR * k], k, seed)


def _diverse(scored: Sequence[Scored], cands: list[int], k: int, seed: int) -> list[int]:
    """The most uncertain candidate of each of k k-means clusters of the candidates' texts."""
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True).fit_transform(
        [scored[i].task.text for i in cands])
    n_clusters = min(k, x.shape[0])
    clusters = KMeans(n_clusters=n_clusters, n_init=3, random_state=seed).fit_predict(x)
    best: dict[int, int] = {}
    for i, c in zip(cands, clusters):  # cands are sorted most uncertain first
        best.setdefault(int(c), i)
    picked = sorted(best.values(), key=cands.index)
    chosen = set(picked)
    return (picked + [i for i in cands if i not in chosen])[:k]


# --- the pool and the ledger -----------------------------------------------------------
def pool_files(paths: Iterable[str | Path]) -> list[Path]:
    """Report files of ``paths`` (files, or directories searched recursively), sorted."""
    out: set[Path] = set()
    for p in map(Path, paths):
        if p.is_dir():
            out.update(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in POOL_SUFFIXES)
        elif p.is_file():
            out.add(p)
        else:
            raise FileNotFoundError(f"no such file or directory: {p}")
    return sorted(out)


def score_pool(paths: Iterable[str | Path], model: NarrativeModel, committee: Sequence[Backend] = (),
               skip_doc_ids: Iterable[str] = (), skip_task_ids: Iterable[str] = ()
               ) -> tuple[list[Scored], list[tuple[str, str]]]:
    """Scored tasks of every report in ``paths`` (reports whose file stem or sha256 is in
    ``skip_doc_ids``, and tasks in ``skip_task_ids``, left out), and (path, reason) of
    the files that gave none."""
    skip_docs, skip_tasks = set(skip_doc_ids), set(skip_task_ids)
    scored: list[Scored] = []
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()
    for path in pool_files(paths):
        if path.stem in skip_docs:
            skipped.append((str(path), "in the evaluation split"))
            continue
        try:
            doc = read_document(path)
        except IngestError as exc:
            skipped.append((str(path), str(exc)))
            continue
        if doc.sha256 in skip_docs:
            skipped.append((str(path), "in the evaluation split"))
            continue
        if doc.sha256 in seen:
            skipped.append((str(path), "same content as another file of the pool"))
            continue
        seen.add(doc.sha256)
        sections, _ = find_sections(doc.text)
        tasks = [t for t in cut_tasks(doc.text, sections, path.stem, doc.sha256, str(path)) if t.id not in skip_tasks]
        if not tasks:
            skipped.append((str(path), "no new paragraphs in sections 一 and 五"))
            continue
        scored += score_document(model, doc.text, sections, tasks, committee)
    return scored, skipped


class Ledger:
    """The tasks pushed so far, one JSON object a line."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def rows(self) -> list[dict]:
        if not self.path.exists():
            return []
        with open(self.path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def ids(self) -> set[str]:
        return {r["task_id"] for r in self.rows()}

    def add(self, rows: list[dict]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")


def task_payload(s: Scored, model_version: str, strategy: str, value: float) -> dict:
    """The Label Studio task of ``s``: data, and the model's pre-annotations as a
    prediction whose score is the model's confidence in the whole task."""
    from annotations.labelstudio import to_results

    t = s.task
    data = {"text": t.text, "task_id": t.id, "doc_id": t.doc_id, "doc_sha256": t.doc_sha256,
            "section": t.section, "start": t.start, "end": t.end, "source_path": t.path,
            "strategy": strategy, "informativeness": round(value, 6)}
    score = 1.0 - least_confidence(s.decisions)
    return {"data": data, "predictions": [{"model_version": model_version, "score": round(score, 6),
                                           "result": to_results(t.text, s.regions)}]}


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def ledger_row(s: Scored, ls_task_id: int, project_id: int, model_version: str, strategy: str,
               value: float) -> dict:
    row = {k: v for k, v in asdict(s.task).items() if k != "text"}
    row["task_id"] = row.pop("id")
    row.update(ls_task_id=ls_task_id, project_id=project_id, model_version=model_version, strategy=strategy,
               informativeness=round(value, 6), pushed_at=now())
    return row


@dataclass
class PushResult:
    """What a push did: the ledger rows of the tasks pushed, how many candidates there
    were, and the pool files that gave none."""

    pushed: list[dict]
    candidates: int
    skipped_files: list[tuple[str, str]]


def push(client, project_id: int, paths: Iterable[str | Path], model: NarrativeModel, model_version: str,
         ledger: Ledger, k: int = 50, strategy: str = "uncertainty", seed: int = 0,
         committee: Sequence[Backend] = (), skip_doc_ids: Iterable[str] = (), dry_run: bool = False) -> PushResult:
    """Score the pool, pick k tasks by ``strategy`` and import them with the model's
    pre-annotations; tasks in the ledger or already in the project are never pushed.
    ``dry_run`` picks without importing or writing the ledger."""
    from annotations.labelstudio import existing_task_ids, import_tasks

    known = ledger.ids() | (existing_task_ids(client, project_id) if client is not None else set())
    scored, skipped = score_pool(paths, model, committee, skip_doc_ids, known)
    picked = select(scored, k, strategy, seed)
    value = informativeness(scored, strategy)
    if dry_run or not picked:
        return PushResult([ledger_row(scored[i], -1, project_id, model_version, strategy, value[i]) for i in picked],
                          len(scored), skipped)
    payloads = [task_payload(scored[i], model_version, strategy, value[i]) for i in picked]
    ls_ids = import_tasks(client, project_id, payloads)
    if len(ls_ids) != len(payloads):
        raise RuntimeError(f"Label Studio returned {len(ls_ids)} task ids for {len(payloads)} tasks imported; "
                           "nothing was written to the ledger: check the project before pushing again")
    rows = [ledger_row(scored[i], ls_id, project_id, model_version, strategy, value[i])
            for i, ls_id in zip(picked, ls_ids)]
    ledger.add(rows)
    return PushResult(rows, len(scored), skipped)
