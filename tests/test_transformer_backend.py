"""The transformer narrative backend on a tiny randomly initialised BERT made here: its
tokenizer has pieces that cross label boundaries (篇文章, 48篇), our code trains it for a
few steps, and its predictions must decode to character-exact spans; ``extract`` with it
gives records of the same shape as the default backend's."""
from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from extraction.narrative_transformer import (  # noqa: E402
    Chunk, TransformerBackend, bio_tags, content_mask, decode_spans,
)
from extraction.paths import SAMPLES_DIR  # noqa: E402
from training.transformer_train import (  # noqa: E402
    AlignmentReport, TransformerSettings, fit, split_pretokenizer, tag_chunks,
)

# windows with the spans in them (text, label), as build_examples gives them with offsets
_WINDOWS = [
    ("微信公众号发布132期448篇文章。", [("448篇", "POSTS_WECHAT")]),
    ("共推文62篇文章，关注人数达1.2万人。", [("62篇", "POSTS_WECHAT"), ("1.2万人", "FOLLOWERS")]),
    ("全年主动公开政府信息101条。", [("101条", "POSTS_TOTAL")]),
    ("开展政府开放日活动3场，邀请25名群众代表参加。", [("3场", "OPEN_DAY_EVENTS"), ("25名", "OPEN_DAY_PARTICIPANTS")]),
    ("组织业务培训4次，办理12345热线567件。", [("4次", "TRAINING_SESSIONS"), ("567件", "HOTLINE_CASES")]),
    ("收到政府信息公开申请2件，发布政策解读信息3条。", [("2件", "REQUESTS_RECEIVED"), ("3条", "POLICY_INTERPRETATIONS")]),
]
TEXTS = [(t, [(t.index(s), t.index(s) + len(s), lab) for s, lab in spans]) for t, spans in _WINDOWS]
UNITS = [("PE 政策解读形式较为单一。", "PROBLEM"), ("RE 进一步加强政策解读工作。", "REMEDY"),
         ("NS 存在问题", "OTHER"), ("PE 工作人员多为兼职。", "PROBLEM"), ("RE 定期组织业务培训。", "REMEDY")]
# multi-character pieces that would swallow a span boundary without the pre-split
CROSSING = ("篇文章", "48篇", "3场", "4次", "5名", "2件", "3条", "1条", "万人", "6件")


def _tiny_base(path, extra_text: str = "") -> None:
    """A 2-layer BERT with random weights and a Unigram tokenizer over the test's characters."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    chars = sorted(set("".join(t for t, _ in TEXTS) + "".join(t for t, _ in UNITS) + extra_text))
    pieces = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -3.0)]
    pieces += [(c, -5.0) for c in chars] + [(p, -1.0) for p in CROSSING] + [("<mask>", 0.0)]
    tok = Tokenizer(models.Unigram(pieces, unk_id=3))
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", cls_token="<s>",
                                   sep_token="</s>", unk_token="<unk>", pad_token="<pad>", mask_token="<mask>")
    fast.save_pretrained(path)
    config = BertConfig(vocab_size=len(pieces), hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=128, max_position_embeddings=128, pad_token_id=1)
    BertModel(config, add_pooling_layer=False).save_pretrained(path)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny base model and the transformer model our code trained from it."""
    base = tmp_path_factory.mktemp("base")
    _tiny_base(base)
    out = tmp_path_factory.mktemp("model")
    fit(out, base, TEXTS * 4, UNITS * 4, TransformerSettings(
        max_steps=160, batch_size=8, learning_rate=3e-3, head_learning_rate=3e-3, warmup=0.05, threads=1))
    return base, out


def test_word_pieces_cross_label_boundaries_unless_split(tiny):
    from transformers import AutoTokenizer

    base, _ = tiny
    plain = AutoTokenizer.from_pretrained(base)
    text, spans = TEXTS[0]
    enc = plain(text, return_offsets_mapping=True)
    ends = {e for _, e in enc["offset_mapping"]}
    assert "篇文章" in plain.tokenize(text) and spans[0][1] not in ends  # 448|篇文章: the span ends inside a piece

    tags = bio_tags(["POSTS_WECHAT", "FOLLOWERS", "POSTS_TOTAL", "OPEN_DAY_EVENTS", "OPEN_DAY_PARTICIPANTS",
                     "TRAINING_SESSIONS", "HOTLINE_CASES", "REQUESTS_RECEIVED", "POLICY_INTERPRETATIONS"])
    split = split_pretokenizer(plain)
    assert "篇" in split.tokenize(text) and "篇文章" not in split.tokenize(text)
    rep = AlignmentReport()
    tag_chunks(split, TEXTS, tags, 64, 16, rep)
    assert rep.spans == sum(len(s) for _, s in TEXTS) and rep.inexact == 0


def test_decode_spans_gives_character_offsets():
    tags = bio_tags(["POSTS_WECHAT", "FOLLOWERS"])
    # <s> ▁ 发布 448 篇 文章 </s>: spans from token offsets, the lone ▁ and specials skipped
    chunk = Chunk(0, [0, 4, 7, 8, 9, 10, 2], [(0, 0), (0, 1), (0, 2), (2, 5), (5, 6), (6, 8), (0, 0)])
    mask = content_mask(chunk, frozenset({4}))
    assert mask == [False, False, True, True, True, True, False]
    probs = np.full((7, len(tags)), 0.01)
    for t, tag in enumerate(["O", "B-FOLLOWERS", "O", "B-POSTS_WECHAT", "I-POSTS_WECHAT", "O", "O"]):
        probs[t, tags.index(tag)] = 0.9
    assert decode_spans(chunk, probs, tags, mask) == [(2, 6, "POSTS_WECHAT", pytest.approx(0.9))]
    # an I- that does not continue a span of its label starts one
    probs[4] = 0.01
    probs[4, tags.index("I-FOLLOWERS")] = 0.9
    got = decode_spans(chunk, probs, tags, mask)
    assert [(s, e, lab) for s, e, lab, _ in got] == [(2, 5, "POSTS_WECHAT"), (5, 6, "FOLLOWERS")]


def test_trained_tiny_model_predicts_character_exact_spans(tiny):
    _, out = tiny
    meta = json.loads((out / "nianbao.json").read_text(encoding="utf-8"))
    assert meta["spans_not_on_token_boundaries"] == 0 and meta["steps"] == 160
    backend = TransformerBackend(out)
    # a long text of all windows: chunks overlap, offsets shift by each window's start
    text = "".join(t for t, _ in TEXTS)
    windows, gold, pos = [], set(), 0
    for t, spans in TEXTS:
        windows.append((pos, pos + len(t)))
        gold |= {(pos + s, pos + e, lab) for s, e, lab in spans}
        pos += len(t)
    pred = {(p.start, p.end, p.label) for p in backend.predict_spans(text, windows)}
    assert pred == gold
    assert {text[s:e] for s, e, _ in pred} == {s for _, spans in _WINDOWS for s, _ in spans}


def test_statement_classes_are_probabilities(tiny):
    from extraction.statements import Unit

    _, out = tiny
    backend = TransformerBackend(out)
    units = [Unit(0, 10, "政策解读形式较为单一。", True, "P"), Unit(0, 10, "进一步加强政策解读工作。", True, "R")]
    probs = backend.classify(units)
    assert [set(p) for p in probs] == [{"PROBLEM", "REMEDY", "OTHER"}] * 2
    assert all(abs(sum(p.values()) - 1) < 1e-5 for p in probs)
    assert [max(p, key=p.get) for p in probs] == ["PROBLEM", "REMEDY"]


def _shape(x):
    """The structure of a JSON value: keys of objects, element shapes of arrays, value kinds."""
    if isinstance(x, dict):
        return {k: _shape(v) for k, v in x.items()}
    if isinstance(x, list):
        return sorted({json.dumps(_shape(v), sort_keys=True) for v in x})
    return "number" if isinstance(x, (int, float)) and not isinstance(x, bool) else type(x).__name__


def test_extract_with_transformer_backend_gives_the_same_record_shape(tmp_path):
    """Teach a tiny model the default backend's spans on a sample report, then compare
    the records the pipeline writes with each."""
    from extraction.ingest import read_document
    from extraction.narrative import candidate_windows, regions
    from extraction.paths import MODELS_DIR
    from extraction.pipeline import Extractor

    sample = SAMPLES_DIR / "seed-quxian-ybj-2022.txt"
    default = "spacy" if (MODELS_DIR / "narrative" / "textcat").is_dir() else "rules"
    ref = Extractor(backend=default).extract_path(sample)
    text = read_document(sample).text
    ner = []
    for _, a, b in regions(text, ref.sections):
        for wa, wb in candidate_windows(text, a, b):
            ner.append((text[wa:wb], [(f.start - wa, f.end - wa, f.label) for f in ref.narrative.facts
                                      if wa <= f.start and f.end <= wb]))
    assert any(spans for _, spans in ner), "the reference backend found no facts to teach"
    units = [("PE " + s.text, "PROBLEM") for s in ref.narrative.problems] + \
            [("RE " + s.text, "REMEDY") for s in ref.narrative.remedies]
    base = tmp_path / "base"
    _tiny_base(base, extra_text=text)
    model = fit(tmp_path / "model", base, ner * 6, units * 2 or UNITS, TransformerSettings(
        num_layers=1, max_steps=120, batch_size=8, learning_rate=3e-3, head_learning_rate=3e-3, warmup=0.05,
        threads=1))
    assert json.loads((model / "config.json").read_text())["num_hidden_layers"] == 1  # cut from the base's 2

    rec = Extractor(model_path=str(model), backend="transformer").extract_path(sample)
    assert rec.status == ref.status and not rec.errors
    assert rec.narrative.facts, "the tiny model learned no span"
    got, want = rec.model_dump(mode="json"), ref.model_dump(mode="json")
    assert _shape(got["narrative"]["facts"]) == _shape(want["narrative"]["facts"])
    assert set(got["narrative"]["summary"]) == set(want["narrative"]["summary"])
    assert set(got) == set(want)
    for f in rec.narrative.facts:
        assert text[f.start:f.end] == f.text


def test_train_cli_transformer_backend(tmp_path):
    """``nianbao train --backend transformer`` trains from a local base model with the
    settings file given, and the model it writes extracts."""
    from typer.testing import CliRunner

    from extraction.pipeline import Extractor
    from nianbao.cli import app

    base = tmp_path / "base"
    _tiny_base(base, extra_text="微信公众号网站发布信息条篇")
    config = tmp_path / "small.yaml"
    config.write_text("data:\n  synthetic_paragraphs: 40\n  synthetic_sections: 10\n  negatives: 0\n"
                      "  silver: false\ntrain:\n  max_steps: 6\n  batch_size: 8\n  threads: 1\n", encoding="utf-8")
    out = tmp_path / "model"
    runner = CliRunner()
    res = runner.invoke(app, ["train", "--backend", "transformer", "--base-model", str(base), "--config", str(config),
                              "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "config.json").exists()
    rec = Extractor(model_path=str(out), backend="transformer").extract_path(SAMPLES_DIR / "seed-yanchi-ybj-2019.txt")
    assert rec.status in ("ok", "partial") and not rec.errors

    res = runner.invoke(app, ["train", "--backend", "transformer", "--base-model", str(tmp_path / "none"),
                              "-o", str(tmp_path / "m2")])
    assert res.exit_code == 2 and "no base model" in res.output
