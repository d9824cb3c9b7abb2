"""The narrative model and the rules on the challenge set (``annotations/challenge/``).

The challenge set is realistic report prose written independently under the guideline
(see its README): a diagnostic of wordings and hard negatives, not a measurement on real
reports. Each paragraph is read as a whole text (no sections), as the model reads a
fragment. Facts are scored as in ``nianbao evaluate``: (label, value) per paragraph,
micro and per label, and span-exact.

    python benchmarks/challenge.py [--split test] [--model models/narrative] [--errors]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extraction.narrative import load_narrative_model  # noqa: E402
from extraction.normalize import normalize  # noqa: E402
from training.corpus import GoldDoc, GoldFact, read_jsonl  # noqa: E402
from training.evaluate import evaluate_documents, format_table, norm_value  # noqa: E402

CHALLENGE_DIR = ROOT / "annotations" / "challenge"


def load_challenge(path: str | Path) -> list[GoldDoc]:
    """The paragraphs of a challenge file as gold documents (offsets checked)."""
    docs = []
    for row in read_jsonl(path):
        row["text"] = normalize(row["text"]).text  # as the pipeline reads it (same length: offsets hold)
        facts = []
        for f in row["facts"]:
            span = normalize(f["text"]).text
            if row["text"][f["start"]:f["end"]] != span:
                raise ValueError(f"{row['id']}: text[{f['start']}:{f['end']}] != {f['text']!r}")
            facts.append(GoldFact(f["label"], span, f["value"], f.get("qualifier", "exact"), f["start"], f["end"]))
        docs.append(GoldDoc(row["id"], facts, [], row["text"]))
    return docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="test", help="dev | test | all")
    ap.add_argument("--model", type=Path, help="narrative model directory (default: the shipped one)")
    ap.add_argument("--errors", action="store_true", help="list the model's false positives and misses")
    ap.add_argument("--out", type=Path, help="write the metrics as JSON")
    args = ap.parse_args()
    splits = ["dev", "test"] if args.split == "all" else [args.split]
    docs = [d for s in splits for d in load_challenge(CHALLENGE_DIR / f"{s}.jsonl")]
    results = {}
    for name in ("spacy", "rules"):
        model = load_narrative_model(args.model if name == "spacy" else None, backend=name)
        pred = {d.doc_id: model.extract(d.text, None)[0] for d in docs}
        m = evaluate_documents(docs, pred)
        results[name] = {k: v for k, v in m.to_dict().items() if not k.startswith("statement")}
        table = format_table(m, f"{name} on the challenge set ({'+'.join(splits)}: {len(docs)} paragraphs, "
                                f"{sum(len(d.facts) for d in docs)} facts)")
        print(table.split("\nstatements")[0])  # no statements in the set: facts only
        if args.errors and name == "spacy":  # the evaluation's own missed and extra (label, value) pairs
            for d, r in zip(docs, m.documents):
                p = {(f.label, norm_value(f.value)): f for f in pred[d.doc_id].facts}
                for k in r.missed_facts:
                    print(f"  miss {d.doc_id} {k} | {d.text[:90]}")
                for k in r.extra_facts:
                    print(f"  fp   {d.doc_id} {k} {p[k].text!r} {p[k].confidence} | {d.text[:90]}")
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
