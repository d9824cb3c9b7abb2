"""Fine-tune a pretrained encoder (any local Hugging Face model directory) into the
transformer narrative backend: BIO token classification of the quantity labels over the
same candidate windows the spaCy model reads, and PROBLEM / REMEDY / OTHER
classification of statement units, both on one shared encoder.

The training data are the spaCy model's (``training.train.build_examples``). Spans are
character-exact: the tokenizer is given a first pre-tokenisation step that isolates
numerals, 余/多/万 and measure words (:func:`split_pretokenizer`), so every boundary of a
guideline span is a token boundary; labels go to tokens through the offset mapping.
"""
from __future__ import annotations

import json
import logging
import math
import random
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from extraction.labels import load_labels
from extraction.narrative_transformer import (
    OUTSIDE, Chunk, NarrativeTransformer, bio_tags, blank_token_ids, content_mask, encode_chunks, pad,
)
from extraction.values import MEASURE_WORDS, NUMERAL
from training.base_model import config_section

log = logging.getLogger(__name__)

# the pieces a span may begin or end with: a numeral, 余/多/万, a measure word
ISOLATE = rf"{NUMERAL}|[余多万{MEASURE_WORDS}]"

NerExample = tuple[str, list[tuple[int, int, str]]]   # window text, (start, end, label) inside it
CatExample = tuple[str, str]                           # classifier input, statement label


@dataclass
class TransformerSettings:
    """Fine-tuning settings (``train`` in configs/transformer.yaml)."""

    num_layers: int | None = None    # keep only the first N encoder layers of the base model
    max_length: int = 128            # tokens per window chunk
    stride: int = 32                 # overlap of the chunks of a longer window
    statement_max_length: int = 160
    epochs: float = 2.0
    batch_size: int = 32
    learning_rate: float = 2e-4      # encoder
    head_learning_rate: float = 2e-3  # the two classification heads
    weight_decay: float = 0.01
    warmup: float = 0.06             # share of the steps with a rising learning rate
    max_steps: int | None = None     # train this many steps instead of ``epochs``
    threads: int = 1                 # torch threads (one is faster than two on a busy 2-core machine)
    seed: int = 0

    @classmethod
    def from_config(cls, path: str | Path | None = None, **overrides) -> "TransformerSettings":
        return cls(**{**config_section(path, "train"), **overrides})


def split_pretokenizer(tokenizer):
    """A fast tokenizer like ``tokenizer`` whose pre-tokenisation first isolates numerals,
    余/多/万 and measure words (so 448篇文章 → 448 | 篇 | 文章). A SentencePiece word-start
    marker is then added to the first piece of the text only."""
    tok_json = json.loads(tokenizer.backend_tokenizer.to_str())
    pre = tok_json.get("pre_tokenizer")
    steps = pre["pretokenizers"] if pre and pre["type"] == "Sequence" else [pre] if pre else []
    steps = [s for s in steps if not (s["type"] == "Split" and s["pattern"].get("Regex") == ISOLATE)]
    for s in steps:
        if s["type"] == "Metaspace":
            s["prepend_scheme"] = "first"
            s.pop("add_prefix_space", None)
    split = {"type": "Split", "pattern": {"Regex": ISOLATE}, "behavior": "Isolated", "invert": False}
    tok_json["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [split, *steps]}
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    special = {k: v for k, v in tokenizer.special_tokens_map.items() if isinstance(v, str)}
    return PreTrainedTokenizerFast(tokenizer_object=Tokenizer.from_str(json.dumps(tok_json)),
                                   model_max_length=tokenizer.model_max_length, **special)


def keep_layers(model, n: int) -> None:
    """Cut a BERT-like model's encoder to its first ``n`` layers (in place)."""
    encoder = model.base_model.encoder
    if n > len(encoder.layer):
        raise ValueError(f"num_layers={n}, but the base model has {len(encoder.layer)} layers")
    encoder.layer = encoder.layer[:n]
    model.config.num_hidden_layers = n


# --- features -------------------------------------------------------------------------
@dataclass
class AlignmentReport:
    spans: int = 0
    inexact: int = 0     # spans whose start or end falls inside a token (expanded to it)


def tag_chunks(tokenizer, examples: list[NerExample], tags: list[str], max_length: int, stride: int,
               report: AlignmentReport | None = None) -> list[tuple[list[int], list[int]]]:
    """``(input_ids, tag ids)`` per chunk; tokens without characters get -100."""
    tag_id = {t: i for i, t in enumerate(tags)}
    blank = blank_token_ids(tokenizer)
    out = []
    for chunk in encode_chunks(tokenizer, [t for t, _ in examples], max_length, stride):
        spans = examples[chunk.sample][1]
        out.append((chunk.ids, _chunk_tags(chunk, spans, tag_id, content_mask(chunk, blank), report)))
    return out


def _chunk_tags(chunk: Chunk, spans, tag_id: dict[str, int], mask: list[bool],
                report: AlignmentReport | None) -> list[int]:
    labels = [tag_id[OUTSIDE] if m else -100 for m in mask]
    covered = [(s, e) for (s, e), m in zip(chunk.offsets, mask) if m]
    lo, hi = (covered[0][0], covered[-1][1]) if covered else (0, 0)
    for start, end, label in spans:
        if start < lo or end > hi:
            continue  # the span is (partly) in another chunk of the window
        toks = [t for t, ((s, e), m) in enumerate(zip(chunk.offsets, mask)) if m and s < end and e > start]
        if not toks:
            continue
        if report is not None:
            report.spans += 1
            report.inexact += chunk.offsets[toks[0]][0] != start or chunk.offsets[toks[-1]][1] != end
        labels[toks[0]] = tag_id[f"B-{label}"]
        for t in toks[1:]:
            labels[t] = tag_id[f"I-{label}"]
    return labels


def statement_features(tokenizer, examples: list[CatExample], labels: list[str], max_length: int,
                       ) -> list[tuple[list[int], int]]:
    """``(input_ids, label id)`` per statement unit."""
    if not examples:
        return []
    ids = tokenizer([t for t, _ in examples], truncation=True, max_length=max_length)["input_ids"]
    index = {lab: i for i, lab in enumerate(labels)}
    return [(i, index[lab]) for i, (_, lab) in zip(ids, examples)]


def _batches(items: list, size: int, rng: random.Random) -> list[list]:
    """Batches of similar length in random order: shuffle, sort within pools of 50 batches, cut."""
    items = items[:]
    rng.shuffle(items)
    out = []
    pool = size * 50
    for i in range(0, len(items), pool):
        part = sorted(items[i:i + pool], key=lambda x: len(x[0]))
        out += [part[j:j + size] for j in range(0, len(part), size)]
    rng.shuffle(out)
    return out


# --- training -------------------------------------------------------------------------
def fit(out_dir: str | Path, base_model: str | Path, ner: list[NerExample], cat: list[CatExample],
        settings: TransformerSettings | None = None, extra_meta: dict | None = None) -> Path:
    """Fine-tune ``base_model`` on ``ner`` windows and ``cat`` statement units; write the
    model directory ``out_dir`` (see ``extraction.narrative_transformer``)."""
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer, get_linear_schedule_with_warmup

    settings = settings or TransformerSettings()
    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)
    if settings.threads:
        torch.set_num_threads(settings.threads)
    labels = load_labels()
    tags = bio_tags(labels.quantity)
    statement_labels = list(labels.statements)
    tokenizer = split_pretokenizer(AutoTokenizer.from_pretrained(base_model))
    tagger = AutoModelForTokenClassification.from_pretrained(
        base_model, num_labels=len(tags), id2label=dict(enumerate(tags)), label2id={t: i for i, t in enumerate(tags)})
    if settings.num_layers:
        keep_layers(tagger, settings.num_layers)
    model = NarrativeTransformer(tagger, len(statement_labels))

    align = AlignmentReport()
    tag_data = tag_chunks(tokenizer, ner, tags, settings.max_length, settings.stride, align)
    cat_data = statement_features(tokenizer, cat, statement_labels, settings.statement_max_length)
    log.info("%d window chunks (%d spans, %d not on token boundaries), %d statement units",
             len(tag_data), align.spans, align.inexact, len(cat_data))

    heads = [p for n, p in model.named_parameters() if n.startswith(("statement_head", "tagger.classifier"))]
    head_ids = {id(p) for p in heads}
    encoder = [p for p in model.parameters() if id(p) not in head_ids]
    optimizer = torch.optim.AdamW([
        {"params": encoder, "lr": settings.learning_rate},
        {"params": heads, "lr": settings.head_learning_rate},
    ], weight_decay=settings.weight_decay)
    per_epoch = math.ceil(len(tag_data) / settings.batch_size) + math.ceil(len(cat_data) / settings.batch_size)
    total = settings.max_steps or max(1, math.ceil(per_epoch * settings.epochs))
    schedule = get_linear_schedule_with_warmup(optimizer, int(total * settings.warmup), total)
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100)
    pad_id = tokenizer.pad_token_id

    model.train()
    step, started, running = 0, time.time(), {"tag": 0.0, "cat": 0.0}
    while step < total:
        plan = [("tag", b) for b in _batches(tag_data, settings.batch_size, rng)] + \
               [("cat", b) for b in _batches(cat_data, settings.batch_size, rng)]
        rng.shuffle(plan)
        for task, batch in plan:
            ids, mask = pad([x[0] for x in batch], pad_id)
            if task == "tag":
                target = torch.full(ids.shape, -100, dtype=torch.long)
                for i, (_, t) in enumerate(batch):
                    target[i, :len(t)] = torch.tensor(t, dtype=torch.long)
                logits = model.tag_logits(ids, mask)
                loss = loss_fn(logits.reshape(-1, logits.shape[-1]), target.reshape(-1))
            else:
                target = torch.tensor([x[1] for x in batch], dtype=torch.long)
                loss = loss_fn(model.statement_logits(ids, mask), target)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            running[task] = 0.95 * running[task] + 0.05 * loss.item() if running[task] else loss.item()
            if step % 25 == 0 or step == total:
                log.info("step %d/%d loss: spans %.4f, statements %.4f (%.0f s)", step, total, running["tag"],
                         running["cat"], time.time() - started)
            if step >= total:
                break
    model.eval()
    meta = {
        "name": "nianbao-narrative-transformer",
        "base_model": str(base_model),
        "statement_labels": statement_labels,
        "max_length": settings.max_length,
        "stride": settings.stride,
        "statement_max_length": settings.statement_max_length,
        "settings": asdict(settings),
        "window_chunks": len(tag_data),
        "statement_units": len(cat_data),
        "spans": align.spans,
        "spans_not_on_token_boundaries": align.inexact,
        "steps": step,
        "train_seconds": round(time.time() - started, 1),
        **(extra_meta or {}),
    }
    model.save(out_dir, tokenizer, meta)
    return Path(out_dir)


def data_settings_from_config(path: str | Path | None = None):
    """``training.train.TrainSettings`` with the overrides of ``data`` in configs/transformer.yaml."""
    from training.train import TrainSettings

    return TrainSettings(**config_section(path, "data"))


def train_transformer_model(out_dir: str | Path, base_model: str | Path, train_gold, held_out=frozenset(),
                            settings: TransformerSettings | None = None, data_settings=None) -> Path:
    """Build the spaCy model's training examples (``training.train.build_examples``,
    nothing from ``held_out``; ``data_settings`` default: :func:`data_settings_from_config`)
    and :func:`fit` ``base_model`` on them."""
    from training.train import build_examples

    data_settings = data_settings or data_settings_from_config()
    ner, cat = build_examples(train_gold, set(held_out), data_settings)
    return fit(out_dir, base_model, ner, cat, settings, extra_meta={
        "data_settings": asdict(data_settings),
        "gold_documents": sorted(d.doc_id for d in train_gold if d.doc_id not in held_out),
    })
