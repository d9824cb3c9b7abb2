"""The narrative metrics on a hand-made gold/prediction pair with known numbers."""
import json

import pytest

from extraction.record import Fact, Narrative, Statement
from training.corpus import resolve
from training.evaluate import evaluate_documents, match_statements

TEXT = "微信公众号发布132期448篇文章。门户网站公开信息18条。一是政策解读不够丰富。二是队伍建设有待加强。下一步加强培训。"
GOLD = {
    "doc_id": "toy",
    "facts": [
        {"label": "POSTS_WECHAT", "text": "448篇", "context": "132期448篇文章", "value": 448, "qualifier": "exact"},
        {"label": "POSTS_WEBSITE", "text": "18条", "context": "公开信息18条", "value": 18, "qualifier": "exact"},
    ],
    "statements": [
        {"label": "PROBLEM", "text": "政策解读不够丰富。"},
        {"label": "PROBLEM", "text": "队伍建设有待加强。"},
        {"label": "REMEDY", "text": "下一步加强培训。"},
    ],
}


def fact(label, text, value):
    s = TEXT.index(text)
    return Fact(label=label, text=text, value=value, qualifier="exact", start=s, end=s + len(text),
                section="overview", confidence=1.0)


def stmt(text):
    s = TEXT.index(text)
    return Statement(text=text, start=s, end=s + len(text), confidence=1.0)


def test_known_numbers():
    gold = resolve(GOLD, TEXT)
    assert gold.unresolved == []
    pred = Narrative(
        facts=[fact("POSTS_WECHAT", "448篇", 448), fact("POSTS_WEBSITE", "132期", 132)],  # one right, one wrong
        problems=[stmt("政策解读不够丰富。"), stmt("二是队伍建设有待加强。下一步加强培训。")],  # 2nd too long
        remedies=[stmt("加强培训。")],  # 5 of 8 chars overlap the gold remedy
    )
    m = evaluate_documents([gold], {"toy": pred})
    assert (m.facts.tp, m.facts.fp, m.facts.fn) == (1, 1, 1)
    assert m.facts.f1 == pytest.approx(0.5)
    assert m.facts_per_label["POSTS_WECHAT"].f1 == 1.0
    assert m.facts_per_label["POSTS_WEBSITE"].f1 == 0.0
    assert (m.spans.tp, m.spans.fp, m.spans.fn) == (1, 1, 1)
    # statements: PROBLEM 1 matched (the long one overlaps 9/20 < 0.5), REMEDY 5/8 ≥ 0.5 matched
    assert (m.statements.tp, m.statements.fp, m.statements.fn) == (2, 1, 1)
    assert m.statements_per_label["REMEDY"].f1 == 1.0
    d = m.to_dict()
    json.dumps(d)  # serialisable
    assert d["per_document"][0]["missed_facts"] == [["POSTS_WEBSITE", 18]] or \
        d["per_document"][0]["missed_facts"] == [("POSTS_WEBSITE", 18)]


def test_missing_prediction_counts_as_nothing():
    gold = resolve(GOLD, TEXT)
    m = evaluate_documents([gold], {})
    assert (m.facts.tp, m.facts.fn, m.statements.fn) == (0, 2, 3)


def test_statement_matching_is_one_to_one_and_label_aware():
    gold = [("PROBLEM", 0, 10), ("REMEDY", 20, 30)]
    pred = [("PROBLEM", 0, 10), ("PROBLEM", 1, 10), ("PROBLEM", 20, 30)]
    assert match_statements(gold, pred) == [(0, 0)]
