"""Evaluation reports on held-out years.

A narrative model is trained on the gold documents of some years (or given as a path)
and evaluated on the documents of other years. :func:`build_metrics` gathers, as one
JSON-ready dict: facts and statements per label, per year and per template (the
metric code of :mod:`training.evaluate`), table cells and checks per year (against
table gold where a document has one), a label confusion matrix, calibration, and the
worst errors with the text around them. :mod:`training.report_html` renders it.

Gold is read from any JSONL in our formats, rows of one ``doc_id`` merged: a row with
``facts``/``statements`` is narrative gold (offsets resolved by
:func:`training.corpus.resolve` on the row's own ``text`` or on the report found by
``doc_id``), a row with ``tables`` is table gold as in ``../shared/corpus/gold/tables.jsonl``.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from extraction.labels import load_labels
from extraction.record import REQUEST_COLUMNS, Narrative, Record
from training.corpus import GoldDoc, REPORTS_DIR, find_report, read_jsonl, report_text, resolve
from training.evaluate import evaluate_documents, match_statements, norm_value

REPORT_SCHEMA = "nianbao.report/1"
TEMPLATES = ("pre2019", "2019", "2021")
SPLITS = ("train", "test")
NONE = "none"  # the confusion-matrix class of "no span here"
_YEAR_IN_ID = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


@dataclass
class ReportSettings:
    """What a report is built from: gold files, the year split, and the model."""

    gold: list[Path]
    test_years: tuple[int, ...]
    train_years: tuple[int, ...] = ()
    model: Path | None = None      # evaluate this model; None: train one on the train years
    backend: str = "spacy"         # narrative backend (``rules`` needs no model)
    reports_dir: Path = REPORTS_DIR
    errors_shown: int = 30         # worst errors of each kind listed in the HTML
    context_chars: int = 40        # text shown on each side of an error's span
    bins: int = 10                 # confidence bins of the reliability diagram


@dataclass
class EvalDoc:
    """One gold document: its narrative and/or table gold, year, template and split."""

    doc_id: str
    gold: GoldDoc | None = None
    tables_gold: dict | None = None
    path: Path | None = None      # the report file (of ``report`` for a paragraph of an annotation round)
    year: int | None = None
    template: str = "unknown"
    split: str = ""


# --- years and templates ---------------------------------------------------------------
def parse_years(spec: str) -> tuple[int, ...]:
    """Years of ``"2019-2021"``, ``"2022"`` or ``"2011-2015,2018"``, sorted."""
    years: set[int] = set()
    for part in filter(None, (p.strip() for p in spec.split(","))):
        m = re.fullmatch(r"(\d{4})\s*(?:[-–~]\s*(\d{4}))?", part)
        if not m:
            raise ValueError(f"not a year or range of years: {part!r} (expected e.g. 2019-2021)")
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        if hi < lo:
            raise ValueError(f"empty year range: {part!r}")
        years.update(range(lo, hi + 1))
    return tuple(sorted(years))


def template_of_year(year: int | None) -> str:
    """The national template in force for reports on ``year``: 〔2019〕60号 from 2019,
    〔2021〕30号 from 2021, free form before."""
    if year is None:
        return "unknown"
    return "pre2019" if year < 2019 else "2019" if year < 2021 else "2021"


# --- gold ------------------------------------------------------------------------------
def load_eval_docs(paths: Iterable[str | Path], reports_dir: str | Path = REPORTS_DIR
                   ) -> tuple[list[EvalDoc], list[str]]:
    """Gold documents of JSONL files in our formats, merged by ``doc_id``, with the notes
    a reader should see (rows replaced by a later file, gold not found in its text)."""
    notes: list[str] = []
    narrative: dict[str, dict] = {}
    tables: dict[str, dict] = {}
    for path in paths:
        for raw in read_jsonl(path):
            doc_id = raw.get("doc_id")
            if not doc_id:
                notes.append(f"{path}: a row without doc_id was skipped")
                continue
            for store, kind, is_kind in ((narrative, "narrative", "facts" in raw or "statements" in raw),
                                         (tables, "table", "tables" in raw)):
                if not is_kind:
                    continue
                if doc_id in store:
                    keep = store[doc_id].get("ground_truth") and not raw.get("ground_truth")
                    notes.append(f"{doc_id}: {kind} gold given twice; the "
                                 + ("ground-truth row is kept" if keep else f"row of {path} is used"))
                    if keep:
                        continue
                store[doc_id] = raw
    docs = []
    for doc_id in sorted(narrative.keys() | tables.keys()):
        raw = narrative.get(doc_id) or tables[doc_id]
        report = raw.get("report") or doc_id   # a round row is a paragraph of ``report``
        doc = EvalDoc(doc_id, path=find_report(report, reports_dir), tables_gold=tables.get(doc_id))
        m = _YEAR_IN_ID.findall(report)
        doc.year = int(m[-1]) if m else None
        if doc_id in narrative:
            text = raw.get("text") or report_text(report, reports_dir)
            if text is None:
                notes.append(f"{doc_id}: no text (no report of that name in {reports_dir}); its narrative gold "
                             "is scored as predicting nothing")
            doc.gold = resolve(raw, text)
            notes += [f"{doc_id}: gold {u} not found in the text" for u in doc.gold.unresolved if text is not None]
            doc.year = doc.gold.meta.get("year") or doc.year
        if doc.tables_gold is not None:
            doc.template = str(doc.tables_gold.get("template", "unknown"))
        docs.append(doc)
    return docs, notes


def complete_meta(docs: list[EvalDoc], records: dict[str, Record]) -> None:
    """Fill a missing year (from the extracted record) and template (detected, then by
    year) in place."""
    for d in docs:
        rec = records.get(d.doc_id)
        if d.year is None and rec is not None:
            d.year = rec.meta.year
        if d.template not in TEMPLATES:
            detected = rec.meta.template if rec is not None else "unknown"
            d.template = detected if detected in TEMPLATES else template_of_year(d.year)


def assign_splits(docs: list[EvalDoc], train_years: Iterable[int], test_years: Iterable[int]
                  ) -> tuple[list[EvalDoc], list[EvalDoc]]:
    """(documents of the train or test years with ``split`` set, the others)."""
    train, test = set(train_years), set(test_years)
    if train & test:
        raise ValueError(f"train and test years overlap: {sorted(train & test)}")
    kept, left = [], []
    for d in docs:
        d.split = "train" if d.year in train else "test" if d.year in test else ""
        (kept if d.split else left).append(d)
    return kept, left


# --- predictions -----------------------------------------------------------------------
def extract_records(docs: list[EvalDoc]) -> dict[str, Record]:
    """The rules-only record (meta, tables, checks) of every document whose report file
    was found."""
    from extraction.pipeline import Extractor

    ex = Extractor(narrative=False)
    by_path = {p: ex.extract_path(p) for p in {d.path for d in docs if d.path is not None}}
    return {d.doc_id: by_path[d.path] for d in docs if d.path is not None}


# --- metrics ---------------------------------------------------------------------------
def narrative_metrics(docs: list[EvalDoc], narratives: dict[str, Narrative]) -> dict | None:
    """P/R/F1 of facts (micro, per label, span-exact) and statements over ``docs`` with
    narrative gold; None when there are none."""
    golds = [d.gold for d in docs if d.gold is not None]
    if not golds:
        return None
    m = evaluate_documents(golds, narratives).to_dict()
    m.pop("per_document")
    return m


def table_cells(tables: dict) -> dict[str, object]:
    """Every cell of a record's ``tables`` as ``{"part.row.column": value}``."""
    out: dict[str, object] = {}
    for row, fields in (tables.get("proactive") or {}).items():
        for k, v in (fields or {}).items():
            out[f"proactive.{row}.{k}"] = v
    req = tables.get("requests") or {}
    cols = req.get("columns") or REQUEST_COLUMNS
    for row, values in (req.get("rows") or {}).items():
        for c, v in zip(cols, values if values is not None else [None] * len(cols)):  # null row: absent
            out[f"requests.{row}.{c}"] = v
    for group, fields in (tables.get("review_litigation") or {}).items():
        for k, v in (fields or {}).items():
            out[f"review_litigation.{group}.{k}"] = v
    return out


def _same_cell(gold, pred) -> bool:
    if gold is None or pred is None:
        return gold is None and pred is None
    return abs(float(gold) - float(pred)) < 1e-9


@dataclass
class TableScore:
    """Cells right / compared, per part, and the checks of one or more documents."""

    documents: int = 0
    correct: dict[str, int] = field(default_factory=dict)   # part -> right cells
    total: dict[str, int] = field(default_factory=dict)     # part -> gold cells
    checks: dict[str, int] = field(default_factory=dict)    # pass / fail / not_applicable (extracted)
    gold_pass: int = 0
    gold_checks: int = 0
    agree: int = 0
    wrong_cells: list[tuple[str, object, object]] = field(default_factory=list)

    def add(self, other: "TableScore") -> None:
        self.documents += other.documents
        for mine, theirs in ((self.correct, other.correct), (self.total, other.total), (self.checks, other.checks)):
            for k, v in theirs.items():
                mine[k] = mine.get(k, 0) + v
        self.gold_pass += other.gold_pass
        self.gold_checks += other.gold_checks
        self.agree += other.agree

    def to_dict(self) -> dict:
        def acc(c: int, t: int) -> float | None:
            return round(c / t, 4) if t else None

        right, cells = sum(self.correct.values()), sum(self.total.values())
        ran = self.checks.get("pass", 0) + self.checks.get("fail", 0)
        return {
            "documents": self.documents,
            "cells": {"correct": right, "total": cells, "accuracy": acc(right, cells)},
            "parts": {p: {"correct": self.correct.get(p, 0), "total": t, "accuracy": acc(self.correct.get(p, 0), t)}
                      for p, t in sorted(self.total.items())},
            "checks": {
                "pass": self.checks.get("pass", 0), "fail": self.checks.get("fail", 0),
                "not_applicable": self.checks.get("not_applicable", 0),
                "pass_rate": acc(self.checks.get("pass", 0), ran),
                "gold_pass_rate": acc(self.gold_pass, self.gold_checks),
                "agreement": acc(self.agree, self.gold_checks),
            },
        }


def score_tables(gold: dict, record: Record | None) -> TableScore:
    """Cell accuracy of one record against its table gold (a row listed in
    ``ambiguous_in_text`` must be null: the text cannot decide it), its extracted checks,
    and their agreement with the gold's published checks."""
    s = TableScore(documents=1)
    pred_tables = record.tables.model_dump() if record is not None else {}
    pred = table_cells(pred_tables)
    ambiguous = tuple(a + "." for a in gold.get("ambiguous_in_text") or [])
    for key, g in table_cells(gold.get("tables") or {}).items():
        part = key.split(".", 1)[0]
        expected = None if key.startswith(ambiguous) else g
        ok = _same_cell(expected, pred.get(key))
        s.total[part] = s.total.get(part, 0) + 1
        s.correct[part] = s.correct.get(part, 0) + ok
        if not ok:
            s.wrong_cells.append((key, expected, pred.get(key)))
    status = {c.name: c.status for c in record.checks} if record is not None else {}
    for st in status.values():
        s.checks[st] = s.checks.get(st, 0) + 1
    for name, passed in (gold.get("checks") or {}).items():
        s.gold_checks += 1
        s.gold_pass += bool(passed)
        s.agree += status.get(name) == ("pass" if passed else "fail")
    return s


def tables_metrics(docs: list[EvalDoc], records: dict[str, Record]) -> dict | None:
    """Table scores summed over ``docs`` with table gold; None when there are none."""
    total = TableScore()
    for d in docs:
        if d.tables_gold is not None:
            total.add(score_tables(d.tables_gold, records.get(d.doc_id)))
    return total.to_dict() if total.documents else None


def _pair_spans(gold: list[tuple[int, int]], pred: list[tuple[int, int]]) -> dict[int, int]:
    """One-to-one gold index -> pred index of overlapping spans, largest overlap first."""
    cands = sorted(((min(g[1], p[1]) - max(g[0], p[0]), i, j) for i, g in enumerate(gold)
                    for j, p in enumerate(pred) if min(g[1], p[1]) > max(g[0], p[0])), reverse=True)
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in cands:
        if i not in pairs and j not in used:
            pairs[i] = j
            used.add(j)
    return pairs


def _confusion(labels: list[str], pairs: Iterable[tuple[str, str]]) -> dict:
    idx = {lab: k for k, lab in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in pairs:
        matrix[idx[g]][idx[p]] += 1
    return {"labels": labels, "matrix": matrix}


def _statements(narrative: Narrative) -> list[tuple[str, object]]:
    return [("PROBLEM", s) for s in narrative.problems] + [("REMEDY", s) for s in narrative.remedies]


def confusion_matrices(docs: list[EvalDoc], narratives: dict[str, Narrative]) -> dict:
    """Gold label (rows) against predicted label (columns) of overlapping spans, ``none``
    where a span has no counterpart: quantity facts, and statements."""
    labels = load_labels()
    fact_pairs, st_pairs = [], []
    for d in docs:
        if d.gold is None:
            continue
        pred = narratives.get(d.doc_id, Narrative())
        for golds, preds, out in (
            ([(f.label, f.start, f.end) for f in d.gold.facts if f.start is not None],
             [(f.label, f.start, f.end) for f in pred.facts], fact_pairs),
            ([(s.label, s.start, s.end) for s in d.gold.statements if s.start is not None],
             [(lab, s.start, s.end) for lab, s in _statements(pred)], st_pairs),
        ):
            pairs = _pair_spans([g[1:] for g in golds], [p[1:] for p in preds])
            out += [(g[0], preds[pairs[i]][0] if i in pairs else NONE) for i, g in enumerate(golds)]
            matched = set(pairs.values())
            out += [(NONE, p[0]) for j, p in enumerate(preds) if j not in matched]
    st_labels = [s for s in labels.statements if s in labels.statement_record_keys]
    return {"facts": _confusion(list(labels.quantity) + [NONE], fact_pairs),
            "statements": _confusion(st_labels + [NONE], st_pairs)}


def reliability(items: list[tuple[float, bool]], bins: int = 10) -> dict:
    """Mean confidence against accuracy in ``bins`` equal-width confidence bins, and the
    expected calibration error (the count-weighted mean gap)."""
    rows = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, ok) for c, ok in items if lo <= c < hi or (b == bins - 1 and c == hi)]
        n = len(inside)
        rows.append({"lo": round(lo, 4), "hi": round(hi, 4), "count": n,
                     "confidence": round(sum(c for c, _ in inside) / n, 4) if n else None,
                     "accuracy": round(sum(ok for _, ok in inside) / n, 4) if n else None})
    n = len(items)
    ece = sum(r["count"] / n * abs(r["accuracy"] - r["confidence"]) for r in rows if r["count"]) if n else None
    return {"predictions": n, "correct": sum(ok for _, ok in items),
            "ece": round(ece, 4) if ece is not None else None, "bins": rows}


def _fact_key(label: str, value) -> tuple:
    return label, norm_value(value)


def calibration(docs: list[EvalDoc], narratives: dict[str, Narrative], bins: int = 10) -> dict:
    """Reliability of the confidences: a fact is right when its (label, value) is in the
    document's gold, a statement when it matches a gold statement (``match_statements``)."""
    facts, stmts = [], []
    for d in docs:
        if d.gold is None:
            continue
        pred = narratives.get(d.doc_id, Narrative())
        gold_keys = {_fact_key(f.label, f.value) for f in d.gold.facts}
        facts += [(f.confidence, _fact_key(f.label, f.value) in gold_keys) for f in pred.facts]
        ps = _statements(pred)
        pairs = match_statements([(s.label, s.start, s.end) for s in d.gold.statements if s.start is not None],
                                 [(lab, s.start, s.end) for lab, s in ps])
        hit = {j for _, j in pairs}
        stmts += [(s.confidence, j in hit) for j, (_, s) in enumerate(ps)]
    return {"facts": reliability(facts, bins), "statements": reliability(stmts, bins)}


def _context(text: str | None, start: int | None, end: int | None, n: int) -> dict:
    if text is None or start is None:
        return {"start": None, "end": None, "left": "", "span": "", "right": ""}
    return {"start": start, "end": end, "left": text[max(0, start - n):start], "span": text[start:end],
            "right": text[end:end + n]}


def find_errors(docs: list[EvalDoc], narratives: dict[str, Narrative], context_chars: int = 40) -> list[dict]:
    """Every wrong prediction (most confident first) then every miss, in context.

    Kinds: ``wrong_label`` (overlaps a gold span of another label), ``wrong_value``
    (same label, other value), ``spurious`` (no gold span there), ``missed`` (a gold item
    nothing predicted; gold items whose span a wrong prediction already shows are not
    listed twice)."""
    wrong, missed = [], []
    for d in docs:
        if d.gold is None:
            continue
        g, text = d.gold, d.gold.text
        pred = narratives.get(d.doc_id, Narrative())
        base = {"doc_id": d.doc_id, "year": d.year, "split": d.split}
        # facts
        gold_keys = {_fact_key(f.label, f.value) for f in g.facts}
        pred_keys = {_fact_key(f.label, f.value) for f in pred.facts}
        resolved = [i for i, f in enumerate(g.facts) if f.start is not None]
        pairs = _pair_spans([(g.facts[i].start, g.facts[i].end) for i in resolved],
                            [(f.start, f.end) for f in pred.facts])
        gold_of = {j: resolved[i] for i, j in pairs.items()}
        shown: set[int] = set()
        for j, f in enumerate(pred.facts):
            if _fact_key(f.label, f.value) in gold_keys:
                continue
            gf = g.facts[gold_of[j]] if j in gold_of else None
            kind = "spurious" if gf is None else "wrong_label" if gf.label != f.label else "wrong_value"
            if gf is not None:
                shown.add(gold_of[j])
            wrong.append({**base, "item": "fact", "kind": kind, "gold_label": gf.label if gf else NONE,
                          "pred_label": f.label, "gold_value": gf.value if gf else None, "pred_value": f.value,
                          "confidence": f.confidence, **_context(text, f.start, f.end, context_chars)})
        for i, f in enumerate(g.facts):
            if _fact_key(f.label, f.value) in pred_keys or i in shown:
                continue
            missed.append({**base, "item": "fact", "kind": "missed", "gold_label": f.label, "pred_label": NONE,
                           "gold_value": f.value, "pred_value": None, "confidence": None,
                           **_context(text, f.start, f.end, context_chars),
                           **({} if f.start is not None else {"span": f.text})})
        # statements
        gs = [s for s in g.statements if s.start is not None]
        ps = _statements(pred)
        hit = match_statements([(s.label, s.start, s.end) for s in gs], [(lab, s.start, s.end) for lab, s in ps])
        hit_g, hit_p = {i for i, _ in hit}, {j for _, j in hit}
        over = _pair_spans([(s.start, s.end) for s in gs], [(s.start, s.end) for _, s in ps])
        gold_of = {j: i for i, j in over.items() if i not in hit_g}
        for j, (lab, s) in enumerate(ps):
            if j in hit_p:
                continue
            gst = gs[gold_of[j]] if j in gold_of else None
            kind = "spurious" if gst is None else "wrong_label" if gst.label != lab else "wrong_span"
            wrong.append({**base, "item": "statement", "kind": kind, "gold_label": gst.label if gst else NONE,
                          "pred_label": lab, "gold_value": None, "pred_value": None, "confidence": s.confidence,
                          **_context(text, s.start, s.end, context_chars)})
        shown = {gold_of[j] for j in gold_of if j not in hit_p}
        lost = [s for i, s in enumerate(gs) if i not in hit_g and i not in shown]
        for s in lost + [s for s in g.statements if s.start is None]:
            missed.append({**base, "item": "statement", "kind": "missed", "gold_label": s.label, "pred_label": NONE,
                           "gold_value": None, "pred_value": None, "confidence": None,
                           **_context(text, s.start, s.end, context_chars),
                           **({} if s.start is not None else {"span": s.text})})
    wrong.sort(key=lambda e: -e["confidence"])
    out = wrong + missed
    for rank, e in enumerate(out, 1):
        e["rank"] = rank
    return out


def _group_rows(docs: list[EvalDoc], narratives, records, key) -> list[dict]:
    groups: dict[tuple, list[EvalDoc]] = {}
    for d in docs:
        groups.setdefault(key(d), []).append(d)
    rows = []
    for k, members in sorted(groups.items(), key=lambda kv: tuple(str(x) for x in kv[0])):
        rows.append({**dict(zip(("group", "split"), k)), "documents": len(members),
                     "narrative": narrative_metrics(members, narratives),
                     "tables": tables_metrics(members, records)})
    return rows


def build_metrics(docs: list[EvalDoc], narratives: dict[str, Narrative], records: dict[str, Record],
                  settings: ReportSettings, model_info: dict, notes: list[str] = ()) -> dict:
    """The whole report as one JSON-ready dict (see :mod:`training.report_html`)."""
    test = [d for d in docs if d.split == "test"]
    per_doc = []
    for d in docs:
        n = narrative_metrics([d], narratives)
        t = tables_metrics([d], records)
        per_doc.append({"doc_id": d.doc_id, "year": d.year, "template": d.template, "split": d.split,
                        "facts": n["facts"] if n else None, "statements": n["statements"] if n else None,
                        "cells": t["cells"] if t else None, "checks": t["checks"] if t else None})
    errors = find_errors(test, narratives, settings.context_chars)
    kinds: dict[str, int] = {}
    for e in errors:
        kinds[f"{e['item']}.{e['kind']}"] = kinds.get(f"{e['item']}.{e['kind']}", 0) + 1
    wrong_cells = [{"doc_id": d.doc_id, "year": d.year, "cell": key, "gold": g, "extracted": p}
                   for d in test if d.tables_gold is not None
                   for key, g, p in score_tables(d.tables_gold, records.get(d.doc_id)).wrong_cells]
    return {
        "schema": REPORT_SCHEMA,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "model": model_info,
        "gold_files": [str(p) for p in settings.gold],
        "split": {"train_years": list(settings.train_years), "test_years": list(settings.test_years),
                  "train_documents": sorted(d.doc_id for d in docs if d.split == "train"),
                  "test_documents": sorted(d.doc_id for d in test)},
        "notes": list(notes),
        "test": {"documents": len(test), "narrative": narrative_metrics(test, narratives),
                 "tables": tables_metrics(test, records)},
        "per_year": [{"year": r.pop("group"), **r} for r in
                     _group_rows(docs, narratives, records, lambda d: (d.year, d.split))],
        "per_template": [{"template": r.pop("group"), **r} for r in
                         _group_rows(docs, narratives, records, lambda d: (d.template, d.split))],
        "confusion": confusion_matrices(test, narratives),
        "calibration": calibration(test, narratives, settings.bins),
        "errors": {"counts": dict(sorted(kinds.items())), "shown": settings.errors_shown, "list": errors,
                   "table_cells": wrong_cells},
        "documents": per_doc,
    }


# --- the whole run ---------------------------------------------------------------------
def held_out_ids(test_docs: list[EvalDoc], test_years: Iterable[int], reports_dir: str | Path) -> set[str]:
    """What training must not see: the test documents, and every report of the test
    years (by the year in its file name), so that no silver label comes from them."""
    years = set(test_years)
    held = {d.doc_id for d in test_docs}
    if Path(reports_dir).is_dir():
        for p in Path(reports_dir).iterdir():
            m = _YEAR_IN_ID.findall(p.stem)
            if m and int(m[-1]) in years:
                held.add(p.stem)
    return held


def trained_on(model_path: str | Path) -> list[str]:
    """The gold documents a model was trained on, as its ``meta.json`` lists them."""
    meta = Path(model_path) / "meta.json"
    if not meta.exists():
        return []
    return list(json.loads(meta.read_text(encoding="utf-8")).get("gold_documents", []))


def run_report(settings: ReportSettings, train_settings=None, model_dir: str | Path | None = None) -> dict:
    """Load the gold, split it by year, train (or load) the model, predict, and return
    the metrics of :func:`build_metrics`. A model trained here is written to
    ``model_dir`` (a temporary directory when None)."""
    import tempfile
    import time

    from extraction.checks import run_checks
    from extraction.narrative import load_narrative_model
    from training.train import TrainSettings, predict_gold, train_model

    docs, notes = load_eval_docs(settings.gold, settings.reports_dir)
    records = extract_records(docs)
    complete_meta(docs, records)
    docs, left = assign_splits(docs, settings.train_years, settings.test_years)
    if left:
        notes.append(f"{len(left)} gold documents are outside the train and test years and not used: "
                     + ", ".join(f"{d.doc_id} ({d.year})" for d in left))
    test = [d for d in docs if d.split == "test"]
    if not test:
        raise ValueError(f"no gold document in the test years {list(settings.test_years)}")
    info = {"backend": settings.backend, "path": str(settings.model) if settings.model else None,
            "trained_here": False}
    t0 = time.perf_counter()
    if settings.model is not None or settings.backend == "rules":
        model = load_narrative_model(settings.model, backend=settings.backend)
        seen = sorted(set(trained_on(settings.model)) & {d.doc_id for d in test}) if settings.model else []
        if seen:
            info["trained_on_test"] = seen
            notes.insert(0, f"the model was trained on {len(seen)} of the {len(test)} test documents "
                            f"({', '.join(seen)}): its scores on them are not held-out scores")
    elif settings.backend != "spacy":
        raise ValueError(f"training here makes a spacy model; give --model PATH for the {settings.backend} backend")
    else:
        train_gold = [d.gold for d in docs if d.split == "train" and d.gold is not None and d.gold.text]
        if not train_gold:
            raise ValueError(f"no narrative gold in the train years {list(settings.train_years)} to train on "
                             "(give --train-years with gold, or --model PATH)")
        train_settings = train_settings or TrainSettings()
        with tempfile.TemporaryDirectory() as tmp:
            path = train_model(Path(model_dir) if model_dir else Path(tmp) / "model", train_gold,
                               held_out_ids(test, settings.test_years, settings.reports_dir), train_settings,
                               settings.reports_dir)
            model = load_narrative_model(path, backend=settings.backend)
        info.update(trained_here=True, path=str(model_dir) if model_dir else None,
                    train_documents=sorted(g.doc_id for g in train_gold),
                    train_settings=dict(vars(train_settings)), train_seconds=round(time.perf_counter() - t0, 1))
    info["name"] = model.name
    t0 = time.perf_counter()
    narratives = predict_gold(model, [d.gold for d in docs if d.gold is not None])
    info["predict_seconds"] = round(time.perf_counter() - t0, 2)
    for d in docs:  # the prose-against-tables check, with the model's narrative
        rec = records.get(d.doc_id)
        if d.tables_gold is not None and rec is not None and d.doc_id in narratives:
            checks = run_checks(rec.tables, rec.meta.template, narratives[d.doc_id])
            records[d.doc_id] = rec.model_copy(update={"checks": checks})
    return build_metrics(docs, narratives, records, settings, info, notes)
