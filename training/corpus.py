"""Gold narrative annotations and the report texts they were made on.

Gold files store no offsets: a fact is found by its ``context`` (then its ``text``
inside it), a statement by its text. PDF text layers differ in line breaks between
extractors, so a search that fails exactly is retried allowing any whitespace
between characters.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from extraction.normalize import normalize
from extraction.record import Sections
from extraction.sections import find_sections
from extraction.paths import CORPUS_DIR

REPORTS_DIR = CORPUS_DIR / "reports"
GOLD_TEXTS_DIR = CORPUS_DIR / "gold" / "texts"
CORPUS_GOLD = CORPUS_DIR / "gold" / "narrative.jsonl"


@dataclass
class GoldFact:
    label: str
    text: str
    value: int | float | None
    qualifier: str
    start: int | None = None  # offsets into GoldDoc.text; None when not found
    end: int | None = None


@dataclass
class GoldStatement:
    label: str
    text: str
    start: int | None = None
    end: int | None = None


@dataclass
class GoldDoc:
    doc_id: str
    facts: list[GoldFact]
    statements: list[GoldStatement]
    text: str | None = None
    meta: dict = field(default_factory=dict)
    unresolved: list[str] = field(default_factory=list)


def read_jsonl(path: str | Path) -> list[dict]:
    """The JSON objects of a JSONL file, blank lines skipped."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def flexible_find(text: str, needle: str, start: int = 0) -> tuple[int, int] | None:
    """[start, end) of ``needle`` in ``text``, exactly or with any whitespace between chars."""
    i = text.find(needle, start)
    if i >= 0:
        return i, i + len(needle)
    chars = [re.escape(c) for c in needle if not c.isspace()]
    if not chars:
        return None
    m = re.compile(r"\s*".join(chars)).search(text, start)
    return (m.start(), m.end()) if m else None


def find_report(doc_id: str, reports_dir: str | Path = REPORTS_DIR) -> Path | None:
    """The report file whose name (without extension) is ``doc_id``."""
    for p in sorted(Path(reports_dir).glob(f"{doc_id}.*")):
        if p.stem == doc_id:
            return p
    return None


def report_text(doc_id: str, reports_dir: str | Path = REPORTS_DIR, text_layer: bool = True) -> str | None:
    """The normalised text of a report: with ``text_layer``, the stored PDF text layer
    the gold was made on where the corpus has one; else the report read by
    ``extraction.ingest`` (the text records' offsets point into)."""
    path = find_report(doc_id, reports_dir)
    if path is None:
        return None
    layer = GOLD_TEXTS_DIR / f"{path.name}.txt"
    if text_layer and layer.exists():
        return normalize(layer.read_text(encoding="utf-8")).text
    from extraction.ingest import IngestError, read_document

    try:
        return read_document(path).text
    except IngestError:
        return None


def resolve(raw: dict, text: str | None) -> GoldDoc:
    """A gold record with the offsets of its facts and statements in ``text``."""
    doc = GoldDoc(
        doc_id=raw["doc_id"],
        facts=[GoldFact(f["label"], f["text"], f.get("value"), f.get("qualifier", "exact"))
               for f in raw.get("facts", [])],
        statements=[GoldStatement(s["label"], s["text"]) for s in raw.get("statements", [])],
        text=text,
        meta=raw.get("meta", {}),
    )
    if text is None:
        return doc
    for f, r in zip(doc.facts, raw.get("facts", [])):
        ctx = flexible_find(text, r.get("context") or r["text"])
        span = flexible_find(text[ctx[0]:ctx[1]], f.text) if ctx else None
        if ctx and span:
            f.start, f.end = ctx[0] + span[0], ctx[0] + span[1]
        else:
            doc.unresolved.append(f"fact {f.label} {f.text!r}")
    for s in doc.statements:
        span = flexible_find(text, s.text)
        if span:
            s.start, s.end = span
        else:
            doc.unresolved.append(f"statement {s.text[:20]!r}")
    return doc


def load_gold(path: str | Path = CORPUS_GOLD, reports_dir: str | Path = REPORTS_DIR,
              with_text: bool = True, text_layer: bool = True) -> list[GoldDoc]:
    """Gold documents of a narrative JSONL file, resolved against their report texts
    (``text_layer``: see ``report_text``)."""
    docs = []
    for raw in read_jsonl(path):
        text = report_text(raw["doc_id"], reports_dir, text_layer) if with_text else None
        docs.append(resolve(raw, text))
    return docs


def all_gold_files() -> list[Path]:
    """The corpus gold and our own (``annotations/gold/narrative.jsonl``), where present."""
    from extraction.paths import REPO_ROOT

    files = [CORPUS_GOLD, REPO_ROOT / "annotations" / "gold" / "narrative.jsonl"]
    return [p for p in files if p.exists()]



def sections_of(text: str) -> Sections:
    """The sections of a text, as the pipeline finds them."""
    return find_sections(text)[0]
