"""Training by our own code: a tiny real model learns the synthetic data (~1-2 minutes)."""
import dataclasses
import json

import pytest

from extraction.narrative import load_narrative_model
from extraction.record import Sections
from training import synthetic_narrative as synth
from training.train import TrainSettings, build_examples, document_groups, folds, train_model, trained_without

TINY = TrainSettings(synthetic_paragraphs=500, synthetic_sections=150, negatives=0, silver=False,
                     ner_steps=400, textcat_steps=150, seed=1)


def test_build_examples_from_synthetic_only():
    ner, cat = build_examples([], set(), TrainSettings(synthetic_paragraphs=50, synthetic_sections=20,
                                                       negatives=0, silver=False))
    assert ner and cat
    for text, spans in ner:
        for s, e, label in spans:
            assert 0 <= s < e <= len(text)
    assert {label for _, label in cat} == {"PROBLEM", "REMEDY", "OTHER"}


def test_synthetic_spans_are_candidates_and_shapes_follow_the_guideline():
    """Every synthetic span is a number the candidate finder sees (else the tagger never
    learns it); counts given only by kinds are spans, kinds under a stated total are not;
    open-day events and participants are both spans."""
    import random

    from extraction.values import find_quantities

    for d in synth.paragraphs(300, seed=3):
        found = {(q.start, q.end) for q in find_quantities(d.text)}
        for s, e, label in d.spans:
            assert (s, e) in found, (d.text[s:e], label, d.text)
    rng = random.Random(0)
    seen = set()
    for _ in range(200):
        text, spans = synth._kinds(rng)
        labels = [lab for _, _, lab in spans]
        numbers = find_quantities(text)
        kinds = sum(text.count(k) for k in synth.INTERPRETATION_FORMS + synth.REQUEST_WAYS)
        if "政府信息公开申请" in text:  # requests with their total: only the total
            assert labels == ["REQUESTS_RECEIVED"] and len(numbers) > 1
            seen.add("total")
        else:
            assert len(spans) == kinds and len(set(labels)) == 1
            seen.add(labels[0])
        text, spans = synth._open_day(rng)
        assert [lab for _, _, lab in spans] == ["OPEN_DAY_EVENTS", "OPEN_DAY_PARTICIPANTS"]
    assert seen == {"total", "REQUESTS_RECEIVED", "POLICY_INTERPRETATIONS"}


def test_folds_are_fixed_and_disjoint():
    ids = [f"d{i}" for i in range(10)]
    assert folds(ids, 2, {"d1": "g", "d2": "g", "d3": "g"})[0][:3] == ["d1", "d2", "d3"]
    f = folds(list(reversed(ids)), 3)
    assert f == folds(ids, 3)
    assert sorted(x for fold in f for x in fold) == sorted(ids)



def test_a_bodys_reports_and_copies_share_a_group():
    from training.corpus import GoldDoc

    text = "本机关全年主动公开政府信息一百余条，门户网站发布动态信息，微信公众号推送文章。" * 3
    docs = [GoldDoc("a-2019", [], [], "甲" + text, {"agency": "平潭综合实验区"}),
            GoldDoc("a-2014", [], [], "完全不同的一份报告，讲培训和开放日。", {"agency": "平潭综合实验区管委会"}),
            GoldDoc("b-2011", [], [], "乙" + text, {"agency": "平潭县人民政府"}),
            GoldDoc("c-2020", [], [], "另一个机关的报告：热线电话、信箱留言办理情况。", {"agency": "渠县医疗保障局"})]
    g = document_groups(docs)
    assert g["a-2019"] == g["a-2014"] == g["b-2011"] != g["c-2020"]
    for fold in folds([d.doc_id for d in docs], 2, g):
        assert {g[i] for i in fold} in ({g["a-2019"]}, {g["c-2020"]})


def test_cached_fold_models_are_checked(tmp_path):
    (tmp_path / "meta.json").write_text(json.dumps({"gold_documents": ["a", "b"], "version": "1"}))
    assert trained_without(tmp_path, {"c"}, expect={"version": "1"})
    assert not trained_without(tmp_path, {"b", "c"})
    assert not trained_without(tmp_path, {"c"}, expect={"version": "2"})
    assert not trained_without(tmp_path / "missing", set())


@pytest.mark.slow
@pytest.mark.parametrize("fact_tagger", ["quantities", "ner"])
def test_tiny_model_learns_synthetic_data(tmp_path, fact_tagger):
    settings = dataclasses.replace(TINY, fact_tagger=fact_tagger, ner_steps=800)
    path = train_model(tmp_path / "tiny", [], set(), settings)
    assert (path / fact_tagger).is_dir() and not (path / {"ner": "quantities", "quantities": "ner"}[fact_tagger]).exists()
    model = load_narrative_model(path)

    def f1_of(m) -> float:
        tp = fp = fn = 0
        for d in synth.paragraphs(60, seed=99):  # unseen paragraphs from the same generator
            narrative, _ = m.extract(d.text, Sections())
            gold = {(s, e, lab) for s, e, lab in d.spans}
            pred = {(f.start, f.end, f.label) for f in narrative.facts}
            tp, fp, fn = tp + len(gold & pred), fp + len(pred - gold), fn + len(gold - pred)
        return 2 * tp / (2 * tp + fp + fn)

    f1 = f1_of(model)
    if fact_tagger == "quantities":  # it learns beyond its teachers, whose votes it reads
        assert f1 > f1_of(load_narrative_model(backend="rules")) + 0.02, f1
    else:
        assert f1 > 0.3, f1  # an untrained tagger scores 0
    right = total = 0
    for d in synth.problem_sections(30, seed=99):
        narrative, _ = model.extract(d.text, Sections())
        pred = {(s.start, s.end, "PROBLEM") for s in narrative.problems} | \
               {(s.start, s.end, "REMEDY") for s in narrative.remedies}
        right += len(pred & {(s, e, lab) for s, e, lab in d.statements})
        total += len(d.statements)
    assert right / total > 0.6, (right, total)
