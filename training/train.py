"""Build the training data and train the narrative model with spaCy.

Data (``build_examples``), for the NER over windows around candidate numbers and the
textcat over statement units:

- synthetic paragraphs and problem sections (``training.synthetic_narrative``);
- silver: the weak labels over every real report in the corpus that is not held out
  and has no gold in the training set;
- gold: the training gold documents (repeated ``gold_repeat`` times);
- negatives: windows from the unlabelled provincial work reports on which no
  labelling function fires.

``cross_validate`` splits the gold by document into k folds (a body's reports, and
near-duplicate texts, kept together); each fold's model is trained without that fold's gold *and* without
silver from its reports.
"""
from __future__ import annotations

import gzip
import json
import random
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from extraction.narrative import MEASURED_ONLY, candidate_windows, candidates, load_narrative_model, regions
from extraction.quantities import QuantityTagger, features
from extraction.paths import CONFIGS_DIR, CORPUS_DIR
from extraction.record import Narrative
from extraction.statements import classifier_input, segment
from extraction.values import Quantity, find_quantities
from training import synthetic_narrative as synth
from training import weak_labels as wl
from training.corpus import REPORTS_DIR, GoldDoc, report_text, sections_of
from training.evaluate import Metrics, evaluate_documents, match_statements

# the version of the model this code trains: bump it with any change to its data or settings
MODEL_VERSION = "0.5.3"
NerExample = tuple[str, list[tuple[int, int, str]]]
CatExample = tuple[str, str]


@dataclass
class TrainSettings:
    """How much of each data source, and how long to train."""

    synthetic_paragraphs: int = 2500
    synthetic_sections: int = 600
    negatives: int = 1500
    gold_repeat: int = 4
    silver: bool = True
    ner_steps: int = 1500
    textcat_steps: int = 1500
    seed: int = 0
    # facts: "quantities" (the candidate classifier of extraction.quantities, the
    # default) or "ner" (a spaCy NER over windows)
    fact_tagger: str = "quantities"
    # chosen by benchmarks/tagger_selection.py (with synthetic_paragraphs)
    tagger_C: float = 0.3
    tagger_threshold: float = 0.6


def _windowed(text: str, spans: list[tuple[int, int, str]], start: int = 0, end: int | None = None,
              section: str | None = None) -> list[NerExample]:
    """NER examples: the candidate windows of ``text[start:end]`` with the spans inside
    them (a span outside every window gets a window of its own)."""
    windows = candidate_windows(text, start, end, measured_only=section in MEASURED_ONLY)
    for s, e, _ in spans:
        if not any(a <= s and e <= b for a, b in windows) and start <= s and (end is None or e <= end):
            windows.append((max(start, s - 30), e + 10))
    out = []
    for a, b in windows:
        inside = [(s - a, e - a, lab) for s, e, lab in spans if a <= s and e <= b]
        out.append((text[a:b], inside))
    return out


def _silver_spans(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    out = []
    for q in find_quantities(text, start, end):
        lab = wl.label_quantity(wl.QContext.of(text, q))
        if lab != "O":
            out.append((q.start, q.end, lab))
    return out


def _units_with_labels(text: str, start: int, end: int, stmts: list[tuple[str, int, int]]) -> list[CatExample]:
    """Units of a problems section, labelled by the statements they match (else OTHER)."""
    units = segment(text, start, end)
    pred = [("X", u.start, u.end) for u in units]
    labels = ["OTHER"] * len(units)
    for lab in ("PROBLEM", "REMEDY"):
        gold = [("X", s, e) for la, s, e in stmts if la == lab]
        for i, j in match_statements(gold, pred):
            labels[j] = lab
    return [(classifier_input(u), lab) for u, lab in zip(units, labels)]


def gold_examples(doc: GoldDoc) -> tuple[list[NerExample], list[CatExample]]:
    """NER and textcat examples from one gold document."""
    text = doc.text or ""
    spans = [(f.start, f.end, f.label) for f in doc.facts if f.start is not None]
    ner, cat = [], []
    for name, s, e in regions(text, sections_of(text)):
        ner += _windowed(text, [x for x in spans if s <= x[0] and x[1] <= e], s, e, name)
        if name in (None, "problems"):
            cat += _units_with_labels(text, s, e, [(x.label, x.start, x.end) for x in doc.statements
                                                    if x.start is not None])
    # facts found outside the regions the model reads still teach the tagger
    ner += [ex for ex in _windowed(text, [x for x in spans if not any(s <= x[0] < e for _, s, e in
                                                                      regions(text, sections_of(text)))])
            if ex[1]]
    return ner, cat


def silver_examples(text: str) -> tuple[list[NerExample], list[CatExample]]:
    """NER and textcat examples from one unannotated report, labelled by the LFs."""
    ner, cat = [], []
    for name, s, e in regions(text, sections_of(text)):
        ner += _windowed(text, _silver_spans(text, s, e), s, e, name)
        if name in (None, "problems"):
            cat += [(classifier_input(u), wl.label_statement(u)) for u in segment(text, s, e)]
    return ner, cat


def negative_examples(n: int, seed: int = 0) -> list[NerExample]:
    """Windows from the unlabelled provincial work reports where no LF fires."""
    path = CORPUS_DIR / "unlabelled" / "provincial-work-reports-2026.jsonl.gz"
    if not path.exists() or n <= 0:
        return []
    out: list[NerExample] = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            text = json.loads(line)["text"]
            out += [(text[a:b], []) for a, b in candidate_windows(text)
                    if not _silver_spans(text, a, b)]
    random.Random(seed).shuffle(out)
    return out[:n]


def build_examples(train_gold: list[GoldDoc], held_out: set[str], settings: TrainSettings,
                   reports_dir: Path = REPORTS_DIR, with_ner: bool = True
                   ) -> tuple[list[NerExample], list[CatExample]]:
    """All training examples for one model; nothing from the ``held_out`` documents.
    ``with_ner=False``: the statement examples only (the NER windows stay empty)."""
    ner: list[NerExample] = []
    cat: list[CatExample] = []
    if with_ner:
        for d in synth.paragraphs(settings.synthetic_paragraphs, settings.seed):
            ner += _windowed(d.text, d.spans)
    for d in synth.problem_sections(settings.synthetic_sections, settings.seed):
        cat += _units_with_labels(d.text, 0, len(d.text), [(lab, s, e) for s, e, lab in d.statements])
    gold_ids = {d.doc_id for d in train_gold}
    if settings.silver and Path(reports_dir).is_dir():
        for p in sorted(Path(reports_dir).iterdir()):
            if p.stem in held_out or p.stem in gold_ids:
                continue
            text = report_text(p.stem, reports_dir)
            if text:
                n, c = silver_examples(text)
                ner += n if with_ner else []
                cat += c
    for d in train_gold:
        if d.doc_id in held_out or not d.text:
            continue
        n, c = gold_examples(d)
        ner += n * settings.gold_repeat if with_ner else []
        cat += c * settings.gold_repeat
    if with_ner:
        ner += negative_examples(settings.negatives, settings.seed)
    return ner, cat


def _label_of(q: Quantity, spans: list[tuple[int, int, str]]) -> str:
    return next((lab for s, e, lab in spans if s < q.end and q.start < e), "O")


def candidate_examples(text: str, spans: list[tuple[int, int, str]], regs: list[tuple[str | None, int, int]]
                       ) -> tuple[list[dict], list[str]]:
    """Features and labels of the candidate numbers of ``regs``: the label of the span
    of ``spans`` a candidate overlaps, else ``O``."""
    qs = candidates(text, regs)
    return [features(text, q) for q in qs], [_label_of(q, spans) for q in qs]


def tagger_examples(train_gold: list[GoldDoc], held_out: set[str], settings: TrainSettings
                    ) -> tuple[list[dict], list[str], list[float]]:
    """Features, labels and weights of candidate numbers for the quantity tagger:
    synthetic paragraphs, the training gold (weight ``gold_repeat``) and negative
    windows (all ``O``)."""
    X: list[dict] = []
    y: list[str] = []
    w: list[float] = []

    def add(text: str, spans, regs, weight: float) -> None:
        xs, ys = candidate_examples(text, spans, regs)
        X.extend(xs)
        y.extend(ys)
        w.extend([weight] * len(xs))

    for d in synth.paragraphs(settings.synthetic_paragraphs, settings.seed):
        add(d.text, d.spans, [(None, 0, len(d.text))], 1.0)
    for d in train_gold:
        if d.doc_id in held_out or not d.text:
            continue
        add(d.text, [(f.start, f.end, f.label) for f in d.facts if f.start is not None],
            regions(d.text, sections_of(d.text)), float(settings.gold_repeat))
    for text, _ in negative_examples(settings.negatives, settings.seed):
        add(text, [], [(None, 0, len(text))], 1.0)
    return X, y, w


def _docbin(nlp, ner: list[NerExample] | None = None, cat: list[CatExample] | None = None, labels=()):
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    db = DocBin()
    for text, spans in ner or []:
        doc = nlp.make_doc(text)
        ents = [doc.char_span(s, e, label=lab, alignment_mode="expand") for s, e, lab in spans]
        doc.ents = filter_spans([x for x in ents if x is not None])
        db.add(doc)
    for text, label in cat or []:
        doc = nlp.make_doc(text)
        doc.cats = {lab: float(lab == label) for lab in labels}
        db.add(doc)
    return db


def _train_one(config: Path, train_db, dev_db, out: Path, steps: int, seed: int) -> None:
    from spacy.cli.train import train as spacy_train

    with tempfile.TemporaryDirectory() as tmp:
        tr, dv = Path(tmp) / "train.spacy", Path(tmp) / "dev.spacy"
        train_db.to_disk(tr)
        dev_db.to_disk(dv)
        spacy_train(config, Path(tmp) / "out", overrides={
            "paths.train": str(tr), "paths.dev": str(dv), "training.max_steps": steps,
            "training.eval_frequency": max(100, steps // 4), "system.seed": seed})
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(Path(tmp) / "out" / "model-last", out)


def train_model(out_dir: str | Path, train_gold: list[GoldDoc], held_out: set[str] = frozenset(),
                settings: TrainSettings | None = None, reports_dir: Path = REPORTS_DIR) -> Path:
    """Train the fact tagger into ``out_dir/quantities`` (or a spaCy NER into
    ``out_dir/ner``, with ``fact_tagger = "ner"``) and the statement textcat into
    ``out_dir/textcat``; returns out_dir."""
    import spacy
    from extraction.labels import load_labels

    settings = settings or TrainSettings()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ner, cat = build_examples(train_gold, set(held_out), settings, reports_dir,
                              with_ner=settings.fact_tagger == "ner")
    random.Random(settings.seed).shuffle(ner)
    random.Random(settings.seed + 1).shuffle(cat)
    nlp = spacy.blank("zh")
    labels = load_labels().statements
    k_ner, k_cat = max(1, len(ner) // 20), max(1, len(cat) // 20)
    for stale in ("ner", "quantities"):
        shutil.rmtree(out_dir / stale, ignore_errors=True)
    if settings.fact_tagger == "ner":
        _train_one(CONFIGS_DIR / "narrative_ner.cfg", _docbin(nlp, ner=ner[k_ner:]), _docbin(nlp, ner=ner[:k_ner]),
                   out_dir / "ner", settings.ner_steps, settings.seed)
        n_facts = len(ner)
    elif settings.fact_tagger == "quantities":
        X, y, w = tagger_examples(train_gold, set(held_out), settings)
        QuantityTagger(C=settings.tagger_C, threshold=settings.tagger_threshold).fit(X, y, w).save(
            out_dir / "quantities")
        n_facts = len(X)
    else:
        raise ValueError(f"unknown fact tagger {settings.fact_tagger!r}: quantities or ner")
    _train_one(CONFIGS_DIR / "narrative_textcat.cfg", _docbin(nlp, cat=cat[k_cat:], labels=labels),
               _docbin(nlp, cat=cat[:k_cat], labels=labels), out_dir / "textcat", settings.textcat_steps,
               settings.seed)
    meta = {"name": "nianbao-narrative", "version": MODEL_VERSION, "labels_version": load_labels().version,
            "settings": asdict(settings), "fact_examples": n_facts,
            "textcat_examples": len(cat), "gold_documents": sorted(d.doc_id for d in train_gold
                                                                 if d.doc_id not in held_out)}
    (out_dir / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return out_dir


def trained_without(model_dir: str | Path, held_out: set[str], meta_file: str = "meta.json",
                    expect: dict | None = None) -> bool:
    """Whether the model in ``model_dir`` exists and its meta says it saw none of
    ``held_out`` (and has the ``expect`` entries): a cached fold model that fails this
    must be trained again, or it would be scored on its own training documents."""
    path = Path(model_dir) / meta_file
    if not path.is_file():
        return False
    meta = json.loads(path.read_text(encoding="utf-8"))
    seen = meta.get("gold_documents")
    return seen is not None and not set(seen) & set(held_out) and all(
        meta.get(k) == v for k, v in (expect or {}).items())


def predict_gold(model, docs: list[GoldDoc]) -> dict[str, Narrative]:
    """The model's narrative for each gold document's text."""
    return {d.doc_id: model.extract(d.text, sections_of(d.text))[0] for d in docs if d.text}


_BODY_SUFFIX = re.compile(r"(?:管理委员会|管委会)$")


def body_of(meta: dict | None) -> str:
    """The issuing body of a gold document's ``meta`` (a trailing 管委会 aside), or ''."""
    return _BODY_SUFFIX.sub("", str((meta or {}).get("agency") or "").strip())


def document_groups(docs: list[GoldDoc], threshold: float = 0.35) -> dict[str, str]:
    """doc_id → group: documents of the same issuing body (``meta.agency``, a trailing
    管委会 aside), or whose character-4-gram Jaccard similarity reaches ``threshold``
    (another body's copy of the same text), share a group. Cross-validation keeps a
    group in one fold, so every report is read by a model that has seen nothing of its
    body: the score says what to expect on bodies the model has never seen."""
    grams = {d.doc_id: {t[i:i + 4] for i in range(len(t) - 3)} for d in docs if (t := "".join((d.text or "").split()))}
    parent = {d.doc_id: d.doc_id for d in docs}

    def root(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    ids = sorted(parent)
    body: dict[str, str] = {}
    for d in sorted(docs, key=lambda d: d.doc_id):
        agency = body_of(d.meta)
        if agency:
            if agency in body:
                join(body[agency], d.doc_id)
            body.setdefault(agency, d.doc_id)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if a in grams and b in grams and len(grams[a] & grams[b]) >= threshold * len(grams[a] | grams[b]):
                join(a, b)
    return {i: root(i) for i in ids}


def folds(doc_ids: list[str], k: int, groups: dict[str, str] | None = None) -> list[list[str]]:
    """A fixed split of documents into k folds: groups of near-duplicates stay together;
    groups, largest first (then by name), go to the fold with the fewest documents."""
    groups = groups or {}
    members: dict[str, list[str]] = {}
    for d in sorted(doc_ids):
        members.setdefault(groups.get(d, d), []).append(d)
    out: list[list[str]] = [[] for _ in range(k)]
    for g in sorted(members, key=lambda g: (-len(members[g]), g)):
        min(out, key=len).extend(members[g])
    return [sorted(f) for f in out]


def cross_validate(docs: list[GoldDoc], k: int, settings: TrainSettings, work_dir: str | Path,
                   ) -> tuple[Metrics, dict[str, Narrative]]:
    """Train k models, each without one fold; evaluate each on its fold; pool the results."""
    work_dir = Path(work_dir)
    predicted: dict[str, Narrative] = {}
    for i, fold in enumerate(folds([d.doc_id for d in docs], k, document_groups(docs))):
        held = set(fold)
        path = train_model(work_dir / f"fold{i}", [d for d in docs if d.doc_id not in held], held, settings)
        model = load_narrative_model(path)
        predicted.update(predict_gold(model, [d for d in docs if d.doc_id in held]))
    return evaluate_documents(docs, predicted), predicted
