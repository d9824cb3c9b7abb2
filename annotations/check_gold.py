"""Check a narrative gold file (JSONL, the format of ``../shared/corpus/gold/narrative.jsonl``)
against the report texts it was annotated on.

For every line: the report exists; ``meta`` has an agency (or null) and a year; every
fact has a label and qualifier of ``configs/labels.yaml``, an integer value that its
numeral denotes, a ``context`` found exactly once in the normalised text and a
``text`` found exactly once inside the context; every statement has a statement label
and its text occurs in the normalised text.

Texts: ``.txt``/``.md`` are read as UTF-8 and normalised; ``.html`` is reduced to its
visible text (inline runs joined, block elements and ``<br>`` on new lines, table cells
tab-separated) and a context must also occur exactly once in the flat ``get_text("")``,
so that it survives any extraction that keeps inline runs together; ``.pdf`` uses the
text layer stored as ``<texts_dir>/<file>.txt`` (the corpus gold's ``gold/texts/``).

Run: ``python -m annotations.check_gold GOLD.jsonl REPORTS_DIR`` (exit status 1 on problems).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import typer
from bs4 import BeautifulSoup

from extraction.labels import load_labels
from extraction.normalize import normalize
from extraction.values import span_value

_BLOCK_TAGS = (
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "thead",
    "tfoot", "tr", "ul", "title", "caption",
)
_INVISIBLE_TAGS = ("script", "style", "noscript", "template", "iframe")
_REQUIRED_KEYS = ("doc_id", "meta", "facts", "statements")


def html_texts(html: str) -> tuple[str, str]:
    """The visible text of an HTML page, block-aware and flat, both normalised."""
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(_INVISIBLE_TAGS):
        tag.decompose()
    flat = normalize(soup.get_text("")).text
    for tag in soup.find_all("br"):
        tag.replace_with("\n")
    for tag in soup.find_all(("td", "th")):
        tag.insert_after("\t")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    return normalize(soup.get_text("")).text, flat


def report_texts(path: Path, texts_dir: Path | None = None) -> list[str]:
    """The normalised text(s) a gold line for ``path`` is checked against."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        layer = (texts_dir or path.parent.parent / "gold" / "texts") / f"{path.name}.txt"
        return [normalize(layer.read_text(encoding="utf-8")).text]
    raw = path.read_text(encoding="utf-8")
    if suffix in (".html", ".htm", ".shtml"):
        return list(html_texts(raw))
    return [normalize(raw).text]


def numeral_value(text: str) -> int | None:
    """The integer a span's numeral denotes (``'1.2万人'`` → 12000, ``'一百二十三件'`` → 123),
    read by the extractor's own parser (``extraction.values.span_value``); a leading 百/千
    (近百人, 千余人) is one hundred, one thousand."""
    span = normalize(text).text.strip()
    if span[:1] in ("百", "千"):
        span = "一" + span
    value = span_value(span)
    return None if value is None else int(round(value))


def _find_report(doc_id: str, line: dict, reports_dir: Path) -> Path | None:
    source = (line.get("provenance") or {}).get("source_file")
    if source:
        path = reports_dir / Path(source).name
        return path if path.is_file() else None
    matches = [p for p in reports_dir.glob(f"{doc_id}.*") if p.stem == doc_id]
    return matches[0] if len(matches) == 1 else None


def _check_fact(where: str, fact: dict, texts: list[str], quantity: tuple[str, ...],
                qualifiers: tuple[str, ...]) -> list[str]:
    problems: list[str] = []
    label, text, context = fact.get("label"), fact.get("text"), fact.get("context")
    value, qualifier = fact.get("value"), fact.get("qualifier")
    if label not in quantity:
        problems.append(f"{where}: label {label!r} not in configs/labels.yaml")
    if qualifier not in qualifiers:
        problems.append(f"{where}: qualifier {qualifier!r} not one of {qualifiers}")
    if not isinstance(text, str) or not isinstance(context, str) or not text or not context:
        return problems + [f"{where}: text and context must be non-empty strings"]
    for i, full in enumerate(texts):
        n = full.count(context)
        if n != 1:
            kind = "" if i == 0 else " (flat html text)"
            problems.append(f"{where}: context {context!r} occurs {n} times in the text{kind}")
    if context.count(text) != 1:
        problems.append(f"{where}: text {text!r} occurs {context.count(text)} times in its context")
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        problems.append(f"{where}: value {value!r} is not a non-negative integer")
    elif numeral_value(text) != value:
        problems.append(f"{where}: value {value} but the numeral of {text!r} denotes {numeral_value(text)}")
    if re.search(r"[余多]", text) and qualifier != "at_least":
        problems.append(f"{where}: {text!r} has 余/多 but qualifier is {qualifier!r}")
    if text != text.strip():
        problems.append(f"{where}: text {text!r} has surrounding whitespace")
    return problems


def check_line(line: dict, reports_dir: Path, texts_dir: Path | None = None) -> list[str]:
    """Problems of one gold line (an empty list when it is sound)."""
    labels = load_labels()
    doc_id = line.get("doc_id", "?")
    missing = [k for k in _REQUIRED_KEYS if k not in line]
    if missing:
        return [f"{doc_id}: missing keys {missing}"]
    problems: list[str] = []
    meta = line["meta"]
    if not isinstance(meta.get("year"), int):
        problems.append(f"{doc_id}: meta.year {meta.get('year')!r} is not an integer")
    if meta.get("agency") is not None and not isinstance(meta.get("agency"), str):
        problems.append(f"{doc_id}: meta.agency must be a string or null")
    path = _find_report(doc_id, line, reports_dir)
    if path is None:
        return problems + [f"{doc_id}: report file not found in {reports_dir}"]
    texts = report_texts(path, texts_dir)
    seen: set[tuple] = set()
    for i, fact in enumerate(line["facts"]):
        where = f"{doc_id} fact {i} {fact.get('label')} {fact.get('text')!r}"
        key = (fact.get("label"), fact.get("text"), fact.get("context"))
        if key in seen:
            problems.append(f"{where}: duplicate fact")
        seen.add(key)
        problems += _check_fact(where, fact, texts, labels.quantity, labels.qualifiers)
    statement_labels = tuple(labels.statement_record_keys)
    for i, st in enumerate(line["statements"]):
        text = st.get("text")
        where = f"{doc_id} statement {i} {st.get('label')}"
        if st.get("label") not in statement_labels:
            problems.append(f"{where}: label not one of {statement_labels}")
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}: empty text")
            continue
        if text != text.strip():
            problems.append(f"{where}: text has surrounding whitespace")
        for j, full in enumerate(texts):
            if text not in full:
                kind = "" if j == 0 else " (flat html text)"
                problems.append(f"{where}: text {text[:30]!r}… not found in the text{kind}")
    return problems


def check_gold(gold_path: str | Path, reports_dir: str | Path, texts_dir: str | Path | None = None) -> list[str]:
    """Problems of every line of a narrative gold file; empty when all is sound."""
    reports_dir = Path(reports_dir)
    problems: list[str] = []
    doc_ids: set[str] = set()
    with open(gold_path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
            except json.JSONDecodeError as e:
                problems.append(f"line {n}: not JSON ({e})")
                continue
            if line.get("doc_id") in doc_ids:
                problems.append(f"line {n}: doc_id {line.get('doc_id')!r} repeated")
            doc_ids.add(line.get("doc_id"))
            problems += check_line(line, reports_dir, Path(texts_dir) if texts_dir else None)
    return problems


def main(gold: Path, reports_dir: Path, texts_dir: Path | None = None) -> None:
    """Print the problems of GOLD checked against the reports in REPORTS_DIR."""
    problems = check_gold(gold, reports_dir, texts_dir)
    for p in problems:
        typer.echo(p)
    typer.echo(f"{len(problems)} problem(s)")
    raise typer.Exit(1 if problems else 0)


if __name__ == "__main__":
    typer.run(main)
