"""The quantity tagger (``extraction.quantities``): its own inference equals
scikit-learn's, it survives saving, and the threshold and feature version are kept."""
import json

import numpy as np
import pytest
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from extraction.quantities import Candidate, QuantityTagger, features
from extraction.values import find_quantities
from training import synthetic_narrative as synth
from training.train import _label_of


def _data(n: int, seed: int):
    X, y, cands = [], [], []
    for d in synth.paragraphs(n, seed):
        for q in find_quantities(d.text):
            X.append(features(d.text, q))
            y.append(_label_of(q, d.spans))
            cands.append(Candidate(d.text, q))
    return X, y, cands


@pytest.fixture(scope="module")
def fitted():
    X, y, _ = _data(300, 0)
    return QuantityTagger(C=0.5).fit(X, y), X, y


def test_probabilities_equal_scikit_learn(fitted):
    tagger, X, y = fitted
    vec = DictVectorizer()
    clf = LogisticRegression(C=0.5, max_iter=3000).fit(vec.fit_transform(X), y)
    Xt, _, _ = _data(40, 7)
    assert tagger.classes_ == list(clf.classes_)
    np.testing.assert_allclose(tagger.predict_proba(Xt), clf.predict_proba(vec.transform(Xt)), atol=1e-4)


def test_saved_tagger_predicts_the_same(fitted, tmp_path):
    tagger, _, _ = fitted
    _, _, cands = _data(40, 7)
    loaded = QuantityTagger.load(tagger.save(tmp_path / "q"))
    a, b = loaded.predict(cands), tagger.predict(cands)
    assert [x for x, _ in a] == [x for x, _ in b] and any(x != "O" for x, _ in a)
    assert [p for _, p in a] == pytest.approx([p for _, p in b])
    assert (loaded.C, loaded.threshold) == (tagger.C, tagger.threshold)


def test_learns_unseen_paragraphs_and_threshold_cuts(fitted):
    tagger, _, _ = fitted
    _, y, cands = _data(60, 99)
    pred = [label for label, _ in tagger.predict(cands)]
    right = sum(p == t for p, t in zip(pred, y) if t != "O")
    assert right / sum(t != "O" for t in y) > 0.6  # an untrained tagger finds nothing
    strict = QuantityTagger(C=tagger.C, threshold=1.01)
    strict.classes_, strict.vocabulary_, strict.coef_, strict.intercept_ = (
        tagger.classes_, tagger.vocabulary_, tagger.coef_, tagger.intercept_)
    assert all(label == "O" for label, _ in strict.predict(cands))


def test_two_classes(tmp_path):
    X, y, cands = _data(100, 3)
    y2 = ["POSTS_WECHAT" if t == "POSTS_WECHAT" else "O" for t in y]
    tagger = QuantityTagger().fit(X, y2)
    vec = DictVectorizer()
    clf = LogisticRegression(C=tagger.C, max_iter=3000).fit(vec.fit_transform(X), y2)
    np.testing.assert_allclose(tagger.predict_proba(X[:30]), clf.predict_proba(vec.transform(X[:30])), atol=1e-4)


def test_other_feature_version_is_refused(fitted, tmp_path):
    path = fitted[0].save(tmp_path / "q")
    meta = json.loads((path / "tagger.json").read_text())
    meta["features_version"] = 0
    (path / "tagger.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="retrain"):
        QuantityTagger.load(path)


def test_changed_labelling_functions_warn(fitted, tmp_path):
    path = fitted[0].save(tmp_path / "q")
    meta = json.loads((path / "tagger.json").read_text())
    meta["teachers"] = "0" * 16
    (path / "tagger.json").write_text(json.dumps(meta))
    with pytest.warns(UserWarning, match="labelling functions"):
        QuantityTagger.load(path)


def test_feature_values_weigh_in(fitted):
    """Features are counts, not only flags: a value of 2 counts twice, as in scikit-learn."""
    tagger, X, y = fitted
    vec = DictVectorizer()
    clf = LogisticRegression(C=0.5, max_iter=3000).fit(vec.fit_transform(X), y)
    doubled = [{k: 2.0 for k in x} for x in X[:20]]
    np.testing.assert_allclose(tagger.predict_proba(doubled), clf.predict_proba(vec.transform(doubled)), atol=1e-4)
