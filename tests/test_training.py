"""Training by our own code: a tiny real model learns the synthetic data (~1-2 minutes)."""
import dataclasses

import pytest

from extraction.narrative import load_narrative_model
from extraction.record import Sections
from training import synthetic_narrative as synth
from training.train import TrainSettings, build_examples, folds, train_model

TINY = TrainSettings(synthetic_paragraphs=500, synthetic_sections=150, negatives=0, silver=False,
                     ner_steps=400, textcat_steps=150, seed=1, tagger_synthetic_paragraphs=500)


def test_build_examples_from_synthetic_only():
    ner, cat = build_examples([], set(), TrainSettings(synthetic_paragraphs=50, synthetic_sections=20,
                                                       negatives=0, silver=False))
    assert ner and cat
    for text, spans in ner:
        for s, e, label in spans:
            assert 0 <= s < e <= len(text)
    assert {label for _, label in cat} == {"PROBLEM", "REMEDY", "OTHER"}


def test_folds_are_fixed_and_disjoint():
    ids = [f"d{i}" for i in range(10)]
    assert folds(ids, 2, {"d1": "g", "d2": "g", "d3": "g"})[0][:3] == ["d1", "d2", "d3"]
    f = folds(list(reversed(ids)), 3)
    assert f == folds(ids, 3)
    assert sorted(x for fold in f for x in fold) == sorted(ids)


@pytest.mark.slow
@pytest.mark.parametrize("fact_tagger", ["quantities", "ner"])
def test_tiny_model_learns_synthetic_data(tmp_path, fact_tagger):
    settings = dataclasses.replace(TINY, fact_tagger=fact_tagger)
    path = train_model(tmp_path / "tiny", [], set(), settings)
    assert (path / fact_tagger).is_dir() and not (path / {"ner": "quantities", "quantities": "ner"}[fact_tagger]).exists()
    model = load_narrative_model(path)
    tp = fp = fn = 0
    for d in synth.paragraphs(60, seed=99):  # unseen paragraphs from the same generator
        narrative, _ = model.extract(d.text, Sections())
        gold = {(s, e, lab) for s, e, lab in d.spans}
        pred = {(f.start, f.end, f.label) for f in narrative.facts}
        tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 > 0.3, (tp, fp, fn)  # an untrained tagger scores 0
    right = total = 0
    for d in synth.problem_sections(30, seed=99):
        narrative, _ = model.extract(d.text, Sections())
        pred = {(s.start, s.end, "PROBLEM") for s in narrative.problems} | \
               {(s.start, s.end, "REMEDY") for s in narrative.remedies}
        right += len(pred & {(s, e, lab) for s, e, lab in d.statements})
        total += len(d.statements)
    assert right / total > 0.6, (right, total)
