"""The narrative model at inference time: quantity facts and problem/remedy statements.

A *backend* only predicts labelled spans inside short windows around candidate numbers
and classifies statement units; everything else — where to look (sections), the
windows, values and qualifiers, the summary, statement records — is shared here.

Backends: ``spacy`` (the shipped default: the quantity tagger of
``extraction.quantities`` — or a spaCy NER — and a spaCy textcat on
``spacy.blank("zh")``), ``rules`` (the labelling functions of ``training.weak_labels``,
for comparison) and ``transformer`` (``extraction.narrative_transformer``). A backend
with ``tag_candidates`` is handed the candidate numbers themselves instead of windows.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from extraction.labels import load_labels
from extraction.quantities import Candidate, QuantityTagger, features
from extraction.paths import MODELS_DIR
from extraction.record import Fact, Narrative, Sections, Statement, Summary, Warning_
from extraction.statements import Unit, classifier_input, segment
from extraction.values import Quantity, describe, find_quantities

DEFAULT_MODEL = MODELS_DIR / "narrative"
BACKENDS = ("spacy", "rules", "transformer", "hybrid")
WINDOW_LEFT, WINDOW_RIGHT = 30, 12
_SENT_END = re.compile(r"[。；;！？!?\n]")
# sections that are tables in 2019+ reports and prose before, and 六 (contacts, fees, codes):
# numbers with a measure word only
MEASURED_ONLY = ("proactive", "requests", "other")


@dataclass(frozen=True)
class SpanPrediction:
    start: int  # offsets into the full text
    end: int
    label: str
    score: float


class Backend(Protocol):
    """What a backend provides: spans in windows, and statement class probabilities."""

    def predict_spans(self, text: str, windows: list[tuple[int, int]]) -> list[SpanPrediction]: ...

    def classify(self, units: list[Unit]) -> list[dict[str, float]]: ...


# a number in a statistics table flattened to text (主动公开信息数 条 425 1516): after a
# unit column (条 425) or after another number (425 1516), whitespace between — tables
# are the table parser's, not prose
_TABLE_CELL = re.compile(r"(?:^|[^\d\s])[ \t]*[条件个篇项次人份][ \t]+$|\d[ \t]+$")


def is_candidate(q: Quantity) -> bool:
    """A number worth a window: with a measure word, a bare number of 2–6 digits, or one
    in 万 (粉丝数达56万, 粉丝120余万)."""
    return (q.measure is not None or (len(q.text) >= 2 and q.text.isdigit() and len(q.text) <= 6)
            or q.text.rstrip().endswith("万"))


def candidates(text: str, regs: list[tuple[str | None, int, int]]) -> list[Quantity]:
    """The candidate numbers of the regions the model reads (``regions``): in
    ``MEASURED_ONLY`` sections only those with a measure word. Training and inference
    take their candidates from here, so the tagger sees at run time what it learned on."""
    return [q for name, s, e in regs for q in find_quantities(text, s, e, measured_only=name in MEASURED_ONLY)
            if is_candidate(q) and not _TABLE_CELL.search(text, max(0, q.start - 8), q.start)]


def candidate_windows(text: str, start: int = 0, end: int | None = None,
                      measured_only: bool = False) -> list[tuple[int, int]]:
    """Merged windows (at most 30 chars before, 12 after, within the sentence) around
    each candidate number of ``text[start:end]`` (only those with a measure word if
    ``measured_only``)."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for q in find_quantities(text, start, end, values=False, measured_only=measured_only):
        if not is_candidate(q):
            continue
        lo = max(start, q.start - WINDOW_LEFT)
        cut = [m.end() for m in _SENT_END.finditer(text, lo, q.start)]
        lo = cut[-1] if cut else lo
        m = _SENT_END.search(text, q.end, min(end, q.end + WINDOW_RIGHT))
        hi = m.start() if m else min(end, q.end + WINDOW_RIGHT)
        if spans and lo <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], hi))
        else:
            spans.append((lo, hi))
    return spans


def regions(text: str, sections: Sections | None) -> list[tuple[str | None, int, int]]:
    """(section name, start, end) of the parts the model reads; the whole text when no
    section was found."""
    names = load_labels().narrative_sections
    out = []
    for name in names:
        sec = getattr(sections, name) if sections is not None else None
        if sec is not None:
            start = sec.start + len(sec.heading) if text.startswith(sec.heading, sec.start) else sec.start
            out.append((name, start, sec.end))
    return out or [(None, 0, len(text))]


def summarize(facts: list[Fact]) -> Summary:
    """One number per label: the sum of its distinct values (a repeat is a restatement)."""
    keys = load_labels().summary_keys
    values: dict[str, set] = {}
    for f in facts:
        if f.value is not None:
            values.setdefault(keys[f.label], set()).add(f.value)
    return Summary(**{k: sum(sorted(v)) for k, v in values.items()})


class NarrativeModel:
    """Reads the narrative sections (``labels.yaml``) into ``Narrative``: facts from all
    of them, statements from the problems section."""

    def __init__(self, backend: Backend, name: str):
        self.backend = backend
        self.name = name

    def extract(self, text: str, sections: Sections | None) -> tuple[Narrative, list[Warning_]]:
        labels = load_labels()
        warnings: list[Warning_] = []
        regs = regions(text, sections)
        if regs[0][0] is None:
            warnings.append(Warning_(code="narrative_whole_text",
                                     message="no overview or problems section: the narrative model read the whole text",
                                     where="narrative"))
        facts: list[Fact] = []
        units = [u for name, start, end in regs if name in (None, "problems") for u in segment(text, start, end)]
        # a backend that classifies candidate numbers gets them whole; a span tagger gets
        # windows around them (one call for all: batching is what makes a tagger fast)
        tag = getattr(self.backend, "tag_candidates", None)
        spans = tag(text, candidates(text, regs)) if tag is not None else None
        if spans is None:
            windows = [w for name, start, end in regs
                       for w in candidate_windows(text, start, end, measured_only=name in MEASURED_ONLY)]
            spans = self.backend.predict_spans(text, windows)
        for p in sorted(spans, key=lambda p: p.start):
            if p.label not in labels.quantity:
                continue
            value, qual = describe(text, p.start, p.end)
            if value is None:
                continue
            name = next((n for n, a, b in regs if a <= p.start < b), None)
            facts.append(Fact(label=p.label, text=text[p.start:p.end], value=value, qualifier=qual,
                              start=p.start, end=p.end, section=name, confidence=round(p.score, 4)))
        narrative = Narrative(facts=facts, summary=summarize(facts))
        for u, probs in zip(units, self.backend.classify(units) if units else []):
            label = max(probs, key=probs.get)
            key = labels.statement_record_keys.get(label)
            if key:
                getattr(narrative, key).append(
                    Statement(text=u.text, start=u.start, end=u.end, confidence=round(probs[label], 4)))
        return narrative, warnings


# --- backends --------------------------------------------------------------------------
class SpacyBackend:
    """The default model: ``quantities/`` (the quantity tagger of
    ``extraction.quantities``: one probability per candidate number) or, in a model
    trained with ``fact_tagger = "ner"``, ``ner/`` (a spaCy NER over the windows), and
    ``textcat/`` (spaCy, statements)."""

    def __init__(self, path: Path):
        import spacy

        self.tagger = QuantityTagger.load(path / "quantities") if (path / "quantities").is_dir() else None
        self.ner = spacy.load(path / "ner") if self.tagger is None else None
        self.textcat = spacy.load(path / "textcat")

    def tag_candidates(self, text: str, quantities: list[Quantity]) -> list[SpanPrediction] | None:
        """The tagger's facts among the candidate numbers; None for the NER variant."""
        if self.tagger is None:
            return None
        cands = [Candidate(text, q) for q in quantities]
        return [SpanPrediction(c.q.start, c.q.end, label, p)
                for c, (label, p) in zip(cands, self.tagger.predict(cands)) if label != "O"]

    def predict_spans(self, text: str, windows: list[tuple[int, int]]) -> list[SpanPrediction]:
        if self.tagger is not None:
            return self.tag_candidates(text, candidates(text, [(None, a, b) for a, b in windows]))
        out = []
        texts = [text[a:b] for a, b in windows]
        for (a, _), doc in zip(windows, self.ner.pipe(texts, batch_size=64)):
            for ent in doc.ents:
                # the greedy NER scores no spans: its facts carry confidence 1.0
                out.append(SpanPrediction(a + ent.start_char, a + ent.end_char, ent.label_, 1.0))
        return out

    def distributions(self, text: str, quantities: list[Quantity]) -> list[dict[str, float]] | None:
        """The tagger's whole label distribution for each candidate (``O`` included), for
        active learning; None for the NER variant, which scores no spans."""
        if self.tagger is None:
            return None
        P = self.tagger.predict_proba([features(text, q) for q in quantities])
        return [dict(zip(self.tagger.classes_, map(float, row))) for row in P]

    def classify(self, units: list[Unit]) -> list[dict[str, float]]:
        docs = self.textcat.pipe((classifier_input(u) for u in units), batch_size=64)
        return [dict(d.cats) for d in docs]


class RulesBackend:
    """The weak-labelling functions alone (the teachers), as a baseline."""

    def __init__(self):
        from training import weak_labels

        self.wl = weak_labels

    def predict_spans(self, text: str, windows: list[tuple[int, int]]) -> list[SpanPrediction]:
        out = []
        for a, b in windows:
            for q in find_quantities(text, a, b):
                label = self.wl.label_quantity(self.wl.QContext.of(text, q))
                if label != "O":
                    out.append(SpanPrediction(q.start, q.end, label, 1.0))
        return out

    def classify(self, units: list[Unit]) -> list[dict[str, float]]:
        return [{self.wl.label_statement(u): 1.0} for u in units]


class HybridBackend:
    """The spaCy model's facts with the statement rules' PROBLEM / REMEDY / OTHER: on
    new wording the statement rules classify better than the textcat (models/README.md:
    0.977 vs 0.953 and 0.992 vs 0.937 on the two realistic test sets, a tie on the gold)."""

    def __init__(self, facts: "SpacyBackend", statements: RulesBackend):
        self.facts, self.statements = facts, statements

    def __getattr__(self, name: str):  # predict_spans, distributions, … of the facts model
        if name in ("facts", "statements") or name.startswith("__"):
            raise AttributeError(name)  # not set yet (copy, pickle): no recursion
        return getattr(self.facts, name)

    def classify(self, units: list[Unit]) -> list[dict[str, float]]:
        return self.statements.classify(units)


def load_narrative_model(path: str | Path | None = None, backend: str = "spacy") -> NarrativeModel:
    """The narrative model: ``backend`` ``spacy`` reads the model at ``path`` (default
    ``models/narrative``), ``transformer`` too (default ``models/narrative-transformer``);
    ``rules`` needs no model; ``hybrid`` is the ``spacy`` model's facts with the
    statement rules' statements."""
    if backend == "rules":
        return NarrativeModel(RulesBackend(), "rules")
    if backend == "hybrid":
        spacy_model = load_narrative_model(path, "spacy")
        return NarrativeModel(HybridBackend(spacy_model.backend, RulesBackend()), f"{spacy_model.name}+statement-rules")
    if backend == "transformer":
        from extraction.narrative_transformer import DEFAULT_TRANSFORMER_MODEL, TransformerBackend

        path = Path(path) if path is not None else DEFAULT_TRANSFORMER_MODEL
        if not path.is_dir():
            raise FileNotFoundError(f"no transformer model at {path}: train one with "
                                    "`nianbao train --backend transformer` or pass --model DIR")
        return NarrativeModel(TransformerBackend(path), "transformer")
    if backend != "spacy":
        raise ValueError(f"unknown narrative backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    path = Path(path) if path is not None else DEFAULT_MODEL
    if not (path / "textcat").is_dir() or not ((path / "quantities").is_dir() or (path / "ner").is_dir()):
        raise FileNotFoundError(f"no narrative model at {path} (expected textcat/ and quantities/ or ner/ inside)")
    meta = path / "meta.json"
    name = json.loads(meta.read_text(encoding="utf-8")).get("name", path.name) if meta.exists() else path.name
    return NarrativeModel(SpacyBackend(path), name)
