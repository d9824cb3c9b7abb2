"""Our narrative gold and the corpus gold pass check_gold; check_gold catches bad lines."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotations.check_gold import check_gold, html_texts, numeral_value
from extraction.labels import load_labels
from extraction.paths import REPO_ROOT
from conftest import read_jsonl

OUR_GOLD = REPO_ROOT / "annotations" / "gold" / "narrative.jsonl"
PROVENANCE_KEYS = {"annotator", "method", "date", "source_file", "guideline_version"}


@pytest.fixture(scope="module")
def our_gold() -> list[dict]:
    return read_jsonl(OUR_GOLD)


@pytest.fixture(scope="module")
def corpus_gold(corpus_dir: Path) -> list[dict]:
    return read_jsonl(corpus_dir / "gold" / "narrative.jsonl")


def test_our_gold_has_no_problems(corpus_dir: Path) -> None:
    assert check_gold(OUR_GOLD, corpus_dir / "reports") == []


def test_corpus_gold_has_no_problems(corpus_dir: Path) -> None:
    assert check_gold(corpus_dir / "gold" / "narrative.jsonl", corpus_dir / "reports") == []


@pytest.mark.parametrize("which", ["our_gold", "corpus_gold"])
def test_labels_and_qualifiers_come_from_labels_yaml(which: str, request: pytest.FixtureRequest) -> None:
    labels = load_labels()
    for line in request.getfixturevalue(which):
        for fact in line["facts"]:
            assert fact["label"] in labels.quantity, (line["doc_id"], fact)
            assert fact["qualifier"] in labels.qualifiers, (line["doc_id"], fact)
        for st in line["statements"]:
            assert st["label"] in labels.statement_record_keys, (line["doc_id"], st["label"])


def test_our_gold_covers_the_13_reports_with_provenance(our_gold: list[dict], corpus_gold: list[dict],
                                                        corpus_dir: Path) -> None:
    ids = [line["doc_id"] for line in our_gold]
    assert len(ids) == len(set(ids)) == 13
    assert not set(ids) & {line["doc_id"] for line in corpus_gold}
    for line in our_gold:
        prov = line["provenance"]
        assert set(prov) == PROVENANCE_KEYS
        source = corpus_dir / prov["source_file"]
        assert source.is_file() and source.stem == line["doc_id"]
        assert set(line) == {"doc_id", "meta", "facts", "statements", "coverage", "notes", "provenance"}


def _write(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return path


def _line(**facts_and_statements) -> dict:
    return {"doc_id": "r", "meta": {"agency": None, "year": 2020}, "coverage": {}, "notes": "",
            "facts": facts_and_statements.get("facts", []),
            "statements": facts_and_statements.get("statements", [])}


def test_check_gold_reports_bad_facts_and_statements(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "r.txt").write_text("全年公开信息１０１条。微信发布20篇，微博发布20篇。存在问题：人员不足。", encoding="utf-8")
    good = {"label": "POSTS_TOTAL", "text": "101条", "context": "全年公开信息101条", "value": 101, "qualifier": "exact"}
    assert check_gold(_write(tmp_path / "g.jsonl", [_line(facts=[good])]), reports) == []
    bad = [
        {**good, "label": "POSTS_FAX"},
        {**good, "qualifier": "roughly"},
        {**good, "value": 110},  # also a duplicate of the line above (same label, text, context)
        {**good, "context": "20篇", "text": "20篇", "label": "POSTS_WECHAT", "value": 20},  # context twice in text
        {**good, "context": "全年公开信息１０１条"},  # not normalised: not in the text, 101条 not in it
    ]
    problems = check_gold(_write(tmp_path / "b.jsonl", [_line(facts=bad, statements=[
        {"label": "PROBLEM", "text": "人员不足。"}, {"label": "PROBLEM", "text": "经费不足。"},
        {"label": "OTHER", "text": "存在问题："}])]), reports)
    assert len(problems) == 9, problems
    for needle in ("POSTS_FAX", "roughly", "duplicate fact", "denotes 101", "'20篇' occurs 2 times in the text",
                   "occurs 0 times in the text", "occurs 0 times in its context", "经费不足", "label not one of"):
        assert any(needle in p for p in problems), needle


def test_check_gold_reports_missing_report_and_repeated_line(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    problems = check_gold(_write(tmp_path / "g.jsonl", [_line(), _line()]), reports)
    assert any("repeated" in p for p in problems)
    assert any("report file not found" in p for p in problems)


@pytest.mark.parametrize("text, value", [
    ("448篇", 448), ("4000 人", 4000), ("100余条", 100), ("一百二十三件", 123),
    ("1.2万人", 12000), ("3万条", 30000), ("0件", 0), ("十二期", 12), ("177", 177),
    ("1,318条", 1318), ("5,612 件", 5612), ("百人", 100), ("千余人", 1000), ("两次", 2), ("两千余人", 2000),
])
def test_numeral_value(text: str, value: int) -> None:
    assert numeral_value(text) == value


def test_html_texts_join_inline_runs_and_break_blocks() -> None:
    html = ("<html><head><style>p{}</style></head><body><p><span>共发布<font>249</font><font>条，</font></span>"
            "其中&nbsp;网站</p><div>下一段<br>换行</div><table><tr><td>a</td><td>1</td></tr></table>"
            "<script>var x=1;</script></body></html>")
    block, flat = html_texts(html)
    assert "共发布249条，其中 网站\n" in block
    assert "下一段\n换行" in block
    assert "a\t" in block and "1\t" in block
    assert "var x" not in block and "p{}" not in block
    assert flat.startswith("共发布249条，其中 网站下一段换行")
