"""Metrics of narrative predictions against gold.

- **Facts** are compared per document as sets of ``(label, value)`` pairs (micro over
  documents and per label), and *span-exact* as sets of ``(label, start, end)`` where
  the gold offsets could be found in the text the predictions were made on.
- **Statements** match one-to-one, same label, when their character overlap is at
  least half of the longer of the two spans (``overlap / max(len) ≥ 0.5``); pairs are
  taken best-overlap first.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from extraction.record import Narrative
from training.corpus import GoldDoc

STATEMENT_OVERLAP = 0.5


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: "PRF") -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class DocResult:
    doc_id: str
    facts: PRF
    spans: PRF
    statements: PRF
    missed_facts: list = field(default_factory=list)    # (label, value) in gold only
    extra_facts: list = field(default_factory=list)     # (label, value) predicted only
    missed_statements: list = field(default_factory=list)
    extra_statements: list = field(default_factory=list)


@dataclass
class Metrics:
    facts: PRF
    facts_per_label: dict[str, PRF]
    spans: PRF
    statements: PRF
    statements_per_label: dict[str, PRF]
    documents: list[DocResult]

    def to_dict(self) -> dict:
        return {
            "documents": len(self.documents),
            "facts": self.facts.to_dict(),
            "facts_per_label": {k: v.to_dict() for k, v in sorted(self.facts_per_label.items())},
            "spans_exact": self.spans.to_dict(),
            "statements": self.statements.to_dict(),
            "statements_per_label": {k: v.to_dict() for k, v in sorted(self.statements_per_label.items())},
            "per_document": [
                {"doc_id": d.doc_id, "facts": d.facts.to_dict(), "spans_exact": d.spans.to_dict(),
                 "statements": d.statements.to_dict(), "missed_facts": d.missed_facts,
                 "extra_facts": d.extra_facts, "missed_statements": d.missed_statements,
                 "extra_statements": d.extra_statements}
                for d in self.documents
            ],
        }


def _prf(gold: set, pred: set) -> PRF:
    return PRF(len(gold & pred), len(pred - gold), len(gold - pred))


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return max(0, inter) / max(a[1] - a[0], b[1] - b[0], 1)


def match_statements(gold: list[tuple[str, int, int]], pred: list[tuple[str, int, int]],
                     threshold: float = STATEMENT_OVERLAP) -> list[tuple[int, int]]:
    """One-to-one (gold index, pred index) pairs of the same label overlapping ≥ threshold."""
    cands = sorted(((_overlap(g[1:], p[1:]), i, j) for i, g in enumerate(gold) for j, p in enumerate(pred)
                    if g[0] == p[0]), reverse=True)
    used_g, used_p, pairs = set(), set(), []
    for ov, i, j in cands:
        if ov < threshold or i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        pairs.append((i, j))
    return pairs


def norm_value(v):
    """A value as (label, value) pairs compare it: integral floats as int, others rounded."""
    return None if v is None else (int(v) if float(v).is_integer() else round(float(v), 4))


def evaluate_document(gold: GoldDoc, pred: Narrative) -> DocResult:
    """Fact, span and statement counts of one document."""
    g_facts = {(f.label, norm_value(f.value)) for f in gold.facts}
    p_facts = {(f.label, norm_value(f.value)) for f in pred.facts}
    g_spans = {(f.label, f.start, f.end) for f in gold.facts if f.start is not None}
    p_spans = {(f.label, f.start, f.end) for f in pred.facts}
    g_st = [(s.label, s.start, s.end) for s in gold.statements if s.start is not None]
    p_st = [("PROBLEM", s.start, s.end) for s in pred.problems] + [("REMEDY", s.start, s.end) for s in pred.remedies]
    pairs = match_statements(g_st, p_st)
    mg, mp = {i for i, _ in pairs}, {j for _, j in pairs}
    n_unresolved = sum(s.start is None for s in gold.statements)
    texts = {(s.start, s.end): s.text for s in pred.problems + pred.remedies}
    return DocResult(
        doc_id=gold.doc_id,
        facts=_prf(g_facts, p_facts),
        spans=_prf(g_spans, p_spans),
        statements=PRF(len(pairs), len(p_st) - len(pairs), len(g_st) - len(pairs) + n_unresolved),
        missed_facts=sorted(g_facts - p_facts, key=str),
        extra_facts=sorted(p_facts - g_facts, key=str),
        missed_statements=[[g_st[i][0], gold.text[g_st[i][1]:g_st[i][2]][:40] if gold.text else ""]
                           for i in range(len(g_st)) if i not in mg],
        extra_statements=[[p_st[j][0], texts.get(p_st[j][1:], "")[:40]] for j in range(len(p_st)) if j not in mp],
    )


def evaluate_documents(gold_docs: list[GoldDoc], predicted: dict[str, Narrative]) -> Metrics:
    """Micro and per-label metrics over documents; a gold document with no prediction
    counts as predicting nothing."""
    docs = [evaluate_document(g, predicted.get(g.doc_id, Narrative())) for g in gold_docs]
    facts, spans, stmts = PRF(), PRF(), PRF()
    per_label: dict[str, PRF] = {}
    st_label: dict[str, PRF] = {}
    for g, d in zip(gold_docs, docs):
        facts.add(d.facts)
        spans.add(d.spans)
        stmts.add(d.statements)
        pred = predicted.get(g.doc_id, Narrative())
        labels = {f.label for f in g.facts} | {f.label for f in pred.facts}
        for lab in labels:
            gs = {(f.label, norm_value(f.value)) for f in g.facts if f.label == lab}
            ps = {(f.label, norm_value(f.value)) for f in pred.facts if f.label == lab}
            per_label.setdefault(lab, PRF()).add(_prf(gs, ps))
        for lab, key in (("PROBLEM", "problems"), ("REMEDY", "remedies")):
            gl = [(s.label, s.start, s.end) for s in g.statements if s.label == lab and s.start is not None]
            pl = [(lab, s.start, s.end) for s in getattr(pred, key)]
            n = len(match_statements(gl, pl))
            st_label.setdefault(lab, PRF()).add(PRF(n, len(pl) - n, len(gl) - n))
    return Metrics(facts, per_label, spans, stmts, st_label, docs)


def format_table(m: Metrics, title: str = "") -> str:
    """A plain-text table of the metrics."""
    rows = [f"{title}".rstrip(), f"{'':24s} {'P':>6s} {'R':>6s} {'F1':>6s} {'tp':>4s} {'fp':>4s} {'fn':>4s}"]

    def line(name: str, p: PRF) -> str:
        return f"{name:24s} {p.precision:6.3f} {p.recall:6.3f} {p.f1:6.3f} {p.tp:4d} {p.fp:4d} {p.fn:4d}"

    rows.append(line("facts (label, value)", m.facts))
    rows += [line("  " + k, v) for k, v in sorted(m.facts_per_label.items())]
    rows.append(line("facts span-exact", m.spans))
    rows.append(line("statements", m.statements))
    rows += [line("  " + k, v) for k, v in sorted(m.statements_per_label.items())]
    return "\n".join(r for r in rows if r)


__all__ = ["PRF", "DocResult", "Metrics", "evaluate_document", "evaluate_documents", "match_statements",
           "format_table"]
