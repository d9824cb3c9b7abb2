"""The transformer narrative backend: a fine-tuned encoder predicts quantity spans and
statement classes for ``extraction.narrative.NarrativeModel``.

A model directory is a normal Hugging Face token-classification model (BIO tags over
the quantity labels) plus ``statement_head.safetensors`` (a linear layer over the
mean-pooled encoder output, for PROBLEM / REMEDY / OTHER) and ``nianbao.json``. Its
tokenizer cuts numerals, 余/多/万 and measure words into pieces of their own, so that
every span boundary the guideline allows is a token boundary and spans decode to exact
character offsets (篇文章 is one piece of the original vocabulary, 篇 | 文章 here).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from extraction.narrative import SpanPrediction
from extraction.paths import MODELS_DIR
from extraction.statements import Unit, classifier_input

DEFAULT_TRANSFORMER_MODEL = MODELS_DIR / "narrative-transformer"  # `nianbao train --backend transformer`
META_FILE = "nianbao.json"
STATEMENT_HEAD_FILE = "statement_head.safetensors"
OUTSIDE = "O"


def bio_tags(labels: tuple[str, ...] | list[str]) -> list[str]:
    """``O`` then ``B-X``, ``I-X`` for each label, in order."""
    return [OUTSIDE] + [f"{p}-{lab}" for lab in labels for p in ("B", "I")]


class NarrativeTransformer(torch.nn.Module):
    """A token classifier (``tagger``) and a statement head sharing its encoder."""

    def __init__(self, tagger, n_statements: int, dropout: float = 0.1):
        super().__init__()
        self.tagger = tagger
        self.statement_head = torch.nn.Sequential(
            torch.nn.Dropout(dropout), torch.nn.Linear(tagger.config.hidden_size, n_statements))

    def tag_logits(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.tagger(input_ids=input_ids, attention_mask=attention_mask).logits

    def statement_logits(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.tagger.base_model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return self.statement_head((hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0))

    def save(self, out_dir: str | Path, tokenizer, meta: dict) -> None:
        from safetensors.torch import save_file

        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        self.tagger.save_pretrained(out_dir)
        tokenizer.save_pretrained(out_dir)
        save_file({k: v.contiguous() for k, v in self.statement_head.state_dict().items()},
                  str(out_dir / STATEMENT_HEAD_FILE))
        (out_dir / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> tuple["NarrativeTransformer", object, dict]:
        """``(model, tokenizer, meta)`` from a model directory written by :meth:`save`."""
        from safetensors.torch import load_file
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        path = Path(path)
        meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
        tagger = AutoModelForTokenClassification.from_pretrained(path)
        model = cls(tagger, len(meta["statement_labels"]))
        model.statement_head.load_state_dict(load_file(str(path / STATEMENT_HEAD_FILE)))
        return model.eval(), AutoTokenizer.from_pretrained(path), meta


@dataclass(frozen=True)
class Chunk:
    """One model input: token ids, their character offsets, and the text it came from."""

    sample: int                      # index of the text it came from
    ids: list[int]
    offsets: list[tuple[int, int]]   # per token, into that text; (0, 0) for specials


def encode_chunks(tokenizer, texts: list[str], max_length: int, stride: int) -> list[Chunk]:
    """Tokenise ``texts``; a text longer than ``max_length`` tokens becomes several
    chunks that overlap by ``stride`` tokens."""
    if not texts:
        return []
    enc = tokenizer(texts, truncation=True, max_length=max_length, stride=stride,
                    return_overflowing_tokens=True, return_offsets_mapping=True)
    return [Chunk(int(i), ids, [tuple(o) for o in offs])
            for i, ids, offs in zip(enc["overflow_to_sample_mapping"], enc["input_ids"], enc["offset_mapping"])]


def content_mask(chunk: Chunk, blank_ids: frozenset[int]) -> list[bool]:
    """Tokens that carry characters: not special tokens, not a lone word-start marker (▁)."""
    return [e > s and i not in blank_ids for i, (s, e) in zip(chunk.ids, chunk.offsets)]


def decode_spans(chunk: Chunk, probs: np.ndarray, tags: list[str], mask: list[bool],
                 ) -> list[tuple[int, int, str, float]]:
    """Character spans ``(start, end, label, score)`` from per-token tag probabilities.

    A span starts at a ``B-X`` token (or an ``I-X`` that does not continue an ``X``
    span) and runs over the following ``I-X`` tokens; it covers the characters from its
    first token's start to its last token's end. Its score is the mean probability of
    the chosen tags."""
    best = probs.argmax(-1)
    spans: list[tuple[int, int, str, float]] = []
    cur: list | None = None  # [start, end, label, [probs]]
    for t, keep in enumerate(mask):
        if not keep:
            continue
        tag = tags[best[t]]
        s, e = chunk.offsets[t]
        if tag != OUTSIDE and tag[0] == "I" and cur is not None and cur[2] == tag[2:]:
            cur[1] = e
            cur[3].append(float(probs[t, best[t]]))
            continue
        if cur is not None:
            spans.append((cur[0], cur[1], cur[2], float(np.mean(cur[3]))))
            cur = None
        if tag != OUTSIDE:
            cur = [s, e, tag[2:], [float(probs[t, best[t]])]]
    if cur is not None:
        spans.append((cur[0], cur[1], cur[2], float(np.mean(cur[3]))))
    return spans


def _no_overlap(spans: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
    """Highest-scoring spans first; a span overlapping one already kept is dropped."""
    kept: list[tuple[int, int, str, float]] = []
    for sp in sorted(set(spans), key=lambda x: (-x[3], x[0])):
        if all(sp[1] <= k[0] or k[1] <= sp[0] for k in kept):
            kept.append(sp)
    return sorted(kept)


def batches(n: int, lengths: list[int], size: int) -> list[list[int]]:
    """Indices ``0..n-1`` in batches of ``size`` of similar length (less padding)."""
    order = sorted(range(n), key=lambda i: lengths[i])
    return [order[i:i + size] for i in range(0, n, size)]


def pad(seqs: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``(input_ids, attention_mask)`` right-padded to the longest sequence."""
    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = torch.tensor(s, dtype=torch.long)
        mask[i, :len(s)] = 1
    return ids, mask


def blank_token_ids(tokenizer) -> frozenset[int]:
    """Ids of pieces that are only a word-start marker (SentencePiece ▁), if the vocabulary has one."""
    vocab = tokenizer.get_vocab()
    return frozenset(vocab[p] for p in ("▁", "Ġ") if p in vocab)


class TransformerBackend:
    """The ``transformer`` backend of ``load_narrative_model``: a model directory
    written by ``training.transformer_train``."""

    def __init__(self, path: str | Path, batch_size: int = 64, threads: int | None = None):
        if threads:
            torch.set_num_threads(threads)
        self.model, self.tokenizer, self.meta = NarrativeTransformer.load(path)
        self.tags = [self.model.tagger.config.id2label[i] for i in range(self.model.tagger.config.num_labels)]
        self.statement_labels = list(self.meta["statement_labels"])
        self.max_length = int(self.meta["max_length"])
        self.stride = int(self.meta["stride"])
        self.statement_max_length = int(self.meta["statement_max_length"])
        self.batch_size = batch_size
        self.blank = blank_token_ids(self.tokenizer)

    def predict_spans(self, text: str, windows: list[tuple[int, int]]) -> list[SpanPrediction]:
        texts = [text[a:b] for a, b in windows]
        chunks = encode_chunks(self.tokenizer, texts, self.max_length, self.stride)
        found: dict[int, list[tuple[int, int, str, float]]] = {}
        with torch.inference_mode():
            for idx in batches(len(chunks), [len(c.ids) for c in chunks], self.batch_size):
                ids, mask = pad([chunks[i].ids for i in idx], self.tokenizer.pad_token_id)
                probs = torch.softmax(self.model.tag_logits(ids, mask), -1).numpy()
                for row, i in enumerate(idx):
                    c = chunks[i]
                    found.setdefault(c.sample, []).extend(
                        decode_spans(c, probs[row, :len(c.ids)], self.tags, content_mask(c, self.blank)))
        out = []
        for sample, spans in found.items():
            a = windows[sample][0]
            out += [SpanPrediction(a + s, a + e, label, score) for s, e, label, score in _no_overlap(spans)]
        return out

    def classify(self, units: list[Unit]) -> list[dict[str, float]]:
        texts = [classifier_input(u) for u in units]
        out: list[dict[str, float] | None] = [None] * len(texts)
        if not texts:
            return []
        enc = self.tokenizer(texts, truncation=True, max_length=self.statement_max_length)["input_ids"]
        with torch.inference_mode():
            for idx in batches(len(enc), [len(e) for e in enc], self.batch_size):
                ids, mask = pad([enc[i] for i in idx], self.tokenizer.pad_token_id)
                probs = torch.softmax(self.model.statement_logits(ids, mask), -1).numpy()
                for row, i in enumerate(idx):
                    out[i] = {lab: float(p) for lab, p in zip(self.statement_labels, probs[row])}
        return out  # type: ignore[return-value]
