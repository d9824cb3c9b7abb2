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


def report_text(doc_id: str, reports_dir: str | Path = REPORTS_DIR) -> str | None:
    """The normalised text a report's gold was made on: the stored PDF text layer where
    the corpus has one, else the report read by ``extraction.ingest``."""
    path = find_report(doc_id, reports_dir)
    if path is None:
        return None
    layer = GOLD_TEXTS_DIR / f"{path.name}.txt"
    if layer.exists():
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
              with_text: bool = True) -> list[GoldDoc]:
    """Gold documents of a narrative JSONL file, resolved against their report texts."""
    docs = []
    for raw in read_jsonl(path):
        text = report_text(raw["doc_id"], reports_dir) if with_text else None
        docs.append(resolve(raw, text))
    return docs


def all_gold_files() -> list[Path]:
    """The corpus gold and our own (``annotations/gold/narrative.jsonl``), where present."""
    from extraction.paths import REPO_ROOT

    files = [CORPUS_GOLD, REPO_ROOT / "annotations" / "gold" / "narrative.jsonl"]
    return [p for p in files if p.exists()]


_OVERVIEW = re.compile(r"[一1][、.．]\s*(?:总体情况|概述|总体)")
_PROBLEMS = re.compile(r"[四五六七八][、.．]\s*[^\n。]{0,16}(?:存在|问题|整改|改进)[^\n。]{0,16}?(?:情况|措施|问题|方向|打算)")
_NEXT = re.compile(r"[二三四五六七八][、.．]")
_OTHER = re.compile(r"[五六七八九][、.．]\s*其他需要报告")


def sections_of(text: str):
    """Sections of a text: ``extraction.sections.find_sections`` where it exists, else
    a heading search good enough for the corpus (overview and problems only)."""
    try:
        from extraction.sections import find_sections
    except ImportError:
        find_sections = None
    if find_sections is not None:
        return find_sections(text)[0]
    from extraction.record import Section, Sections

    out = Sections()
    m = _OVERVIEW.search(text)
    if m:
        n = _NEXT.search(text, m.end())
        out.overview = Section(start=m.end(), end=n.start() if n else len(text), heading=m.group())
    ms = list(_PROBLEMS.finditer(text))
    if ms:
        m = next((x for x in ms if x.start() > (out.overview.end if out.overview else 0)), ms[-1])
        o = _OTHER.search(text, m.end())
        out.problems = Section(start=m.end(), end=o.start() if o else len(text), heading=m.group())
    return out
