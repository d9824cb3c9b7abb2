"""The quantity tagger of the default narrative model: every candidate number of the
narrative sections is classified as one of the quantity labels or ``O``.

A candidate is a number ``extraction.values.find_quantities`` finds (with a measure
word, or a bare number of 2–6 digits). Its features are what a careful reader looks at:
the words of its clause and sentence (which channel, which kind of count, how near to
the number), the characters right before and after it, the measure word, its size, and
the votes of the labelling functions of ``training.weak_labels`` (the model learns how
far to trust each). A multinomial logistic regression over those features gives a
probability per label; a candidate becomes a fact when its best label is not ``O`` and
its probability reaches ``threshold``. The probability is the fact's confidence.

Fitting uses scikit-learn (``fit`` returns self, learned state ends in ``_``); a fitted
tagger is saved as plain arrays (``weights.npz``) and JSON (``tagger.json``, with the
feature version and a digest of the labelling functions it was trained with) and read
back without scikit-learn or pickle.
"""
from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from extraction.values import Quantity

FEATURES_VERSION = 2


def teachers_digest() -> str:
    """A digest of the labelling functions' source (``training/weak_labels.py``): their
    votes are features, so a tagger trained with other LFs reads its features wrong."""
    import hashlib
    import inspect

    from training import weak_labels

    return hashlib.sha256(inspect.getsource(weak_labels).encode("utf-8")).hexdigest()[:16]


_DIGIT = re.compile(r"\d")
_NEXT_COUNT = re.compile(r"\d\s*[余多]?\s*([条篇件个次人名场期])")


@dataclass(frozen=True)
class Candidate:
    """A candidate number and the text it sits in."""

    text: str
    q: Quantity


def features(text: str, q: Quantity) -> dict[str, float]:
    """The features of the candidate ``q`` of ``text`` (names → 1.0)."""
    from training import weak_labels as wl  # the labelling functions vote as features

    c = wl.QContext.of(text, q)
    f = {"rule=" + wl.label_quantity(c): 1.0, "mw=" + str(q.measure): 1.0}
    for lf in wl.QUANTITY_LFS:
        vote = lf(c)
        if vote:
            f[f"lf:{lf.__name__}={vote}"] = 1.0
    near = []
    for label, pattern in {**wl.CHANNEL_KEYWORDS, **wl.LABEL_KEYWORDS}.items():
        if re.search(pattern, c.clause):
            f["clause:" + label] = 1.0
        d = wl._nearest(pattern, c.left)
        if d is not None:
            near.append((d, label))
            f["left:" + label] = 1.0
        if re.search(pattern, c.right[:10]):
            f["right:" + label] = 1.0
        if re.search(pattern, c.before):
            f["before:" + label] = 1.0
    for rank, (_, label) in enumerate(sorted(near)[:2]):
        f[f"near{rank}={label}"] = 1.0
        f[f"near{rank}={label}&mw={q.measure}"] = 1.0  # 微博N个 (accounts) vs 微博…M条 (posts)
    nxt = _NEXT_COUNT.search(c.right)
    if nxt:  # another count follows in the sentence: N个，发布信息M条
        f["next_mw=" + nxt.group(1)] = 1.0
    clause = c.clause[-16:]
    for i, ch in enumerate(clause):
        f["c1:" + ch] = 1.0
        if i + 1 < len(clause):
            f["c2:" + clause[i:i + 2]] = 1.0
    for i, ch in enumerate(c.left[::-1][:4]):
        f[f"l{i}:{ch}"] = 1.0
    for i, ch in enumerate(c.right[:4]):
        f[f"r{i}:{ch}"] = 1.0
    if c.left[-2:]:
        f["l2:" + c.left[-2:]] = 1.0
    if c.right[:2]:
        f["r2:" + c.right[:2]] = 1.0
    if wl._BREAKDOWN.search(c.left):
        f["breakdown"] = 1.0
    if wl._BREAKDOWN.search(c.clause):
        f["breakdown_clause"] = 1.0
    if q.value is not None:
        f[f"digits={len(str(int(q.value)))}"] = 1.0
    f["arabic" if _DIGIT.search(q.text) else "chinese"] = 1.0
    return f


class QuantityTagger:
    """Candidate number → quantity label, by logistic regression over ``features``.

    ``C``: inverse regularisation strength; ``threshold``: the least probability of the
    best label for a fact."""

    def __init__(self, C: float = 0.1, threshold: float = 0.7, max_iter: int = 3000):
        self.C = C
        self.threshold = threshold
        self.max_iter = max_iter

    def fit(self, X: list[dict[str, float]], y: list[str], sample_weight: Iterable[float] | None = None
            ) -> "QuantityTagger":
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        vec = DictVectorizer()
        Xm = vec.fit_transform(X)
        clf = LogisticRegression(C=self.C, max_iter=self.max_iter)
        clf.fit(Xm, y, sample_weight=None if sample_weight is None else np.asarray(list(sample_weight)))
        self.vocabulary_ = {k: int(v) for k, v in vec.vocabulary_.items()}
        self.classes_ = [str(c) for c in clf.classes_]
        coef, intercept = clf.coef_, clf.intercept_
        if len(self.classes_) == 2:  # scikit-learn keeps one row for two classes
            coef, intercept = np.vstack([-coef, coef]) / 2, np.array([-intercept[0], intercept[0]]) / 2
        self.coef_ = coef.astype(np.float32)
        self.intercept_ = intercept.astype(np.float32)
        return self

    def predict_proba(self, X: list[dict[str, float]]) -> np.ndarray:
        """Probabilities (rows: candidates, columns: ``classes_``)."""
        scores = np.tile(self.intercept_, (len(X), 1))
        for i, f in enumerate(X):
            known = [(self.vocabulary_[k], v) for k, v in f.items() if k in self.vocabulary_]
            if known:
                idx, vals = zip(*known)
                scores[i] += self.coef_[:, list(idx)] @ np.asarray(vals, dtype=np.float32)
        scores -= scores.max(axis=1, keepdims=True)
        p = np.exp(scores)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, candidates: list[Candidate]) -> list[tuple[str, float]]:
        """(label, probability) per candidate; ``("O", p)`` where no fact is seen."""
        if not candidates:
            return []
        P = self.predict_proba([features(c.text, c.q) for c in candidates])
        out = []
        for row in P:
            k = int(np.argmax(row))
            label = self.classes_[k]
            out.append((label if label != "O" and row[k] >= self.threshold else "O", float(row[k])))
        return out

    # --- on disk: tagger.json (settings, classes, vocabulary) + weights.npz -------------
    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        meta = {"features_version": FEATURES_VERSION, "teachers": teachers_digest(), "C": self.C, "threshold": self.threshold,
                "max_iter": self.max_iter, "classes": self.classes_, "vocabulary": self.vocabulary_}
        (path / "tagger.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        np.savez_compressed(path / "weights.npz", coef=self.coef_, intercept=self.intercept_)
        return path

    @classmethod
    def load(cls, path: str | Path) -> "QuantityTagger":
        path = Path(path)
        meta = json.loads((path / "tagger.json").read_text(encoding="utf-8"))
        if meta.get("features_version") != FEATURES_VERSION:
            raise ValueError(f"{path}: quantity tagger of features version {meta.get('features_version')}, "
                             f"this code computes version {FEATURES_VERSION}; retrain it")
        if meta.get("teachers") != teachers_digest():
            warnings.warn(f"{path}: the labelling functions (training/weak_labels.py) changed since this "
                          "tagger was trained; their votes are among its features: retrain it "
                          "(`nianbao train`)", stacklevel=2)
        tagger = cls(C=meta["C"], threshold=meta["threshold"], max_iter=meta["max_iter"])
        tagger.classes_ = meta["classes"]
        tagger.vocabulary_ = meta["vocabulary"]
        with np.load(path / "weights.npz") as w:
            tagger.coef_, tagger.intercept_ = w["coef"], w["intercept"]
        return tagger
