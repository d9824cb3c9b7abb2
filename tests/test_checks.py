"""Checks: gold's published arithmetic reproduced, a report with one changed cell fails
with a useful detail, the prose check, and not_applicable where a side is missing."""
from __future__ import annotations

import json

import pytest

from extraction.checks import run_checks
from extraction.ingest import read_document
from extraction.paths import CORPUS_DIR
from extraction.record import Narrative, Summary, Tables
from extraction.tables import parse_tables
from extraction.template import detect_template

REPORTS = CORPUS_DIR / "reports"
GOLD_PATH = CORPUS_DIR / "gold" / "tables.jsonl"
GOLD = {d["doc_id"]: d for d in map(json.loads, GOLD_PATH.read_text(encoding="utf-8").splitlines())} \
    if GOLD_PATH.is_file() else {}
NAMES = ["requests_balance", "requests_total_processed", "requests_row_totals", "review_litigation_totals",
         "narrative_requests_match"]
needs_gold = pytest.mark.skipif(not GOLD, reason="../shared/corpus is not present")


def _text(doc_id: str) -> str:
    return read_document(next(p for p in REPORTS.iterdir() if p.stem == doc_id)).text


def _checks(text: str, narrative: Narrative | None = None) -> dict:
    template = detect_template(text)
    tables, _ = parse_tables(text, None, template)
    checks = run_checks(tables, template, narrative)
    assert [c.name for c in checks] == NAMES
    return {c.name: c for c in checks}


@needs_gold
@pytest.mark.parametrize("doc_id", sorted(GOLD))
def test_gold_checks_are_reproduced(doc_id: str):
    checks = _checks(_text(doc_id))
    got = {name: checks[name].status == "pass" for name in GOLD[doc_id]["checks"]}
    assert got == GOLD[doc_id]["checks"], {n: checks[n].detail for n in got}
    assert checks["narrative_requests_match"].status == "not_applicable"


@needs_gold
def test_published_review_error_is_a_failed_check():
    """hongze-gov-2023 prints 行政复议 10/1/0/0 with 总计 0 (verified on the page image)."""
    check = _checks(_text("hongze-gov-2023"))["review_litigation_totals"]
    assert check.status == "fail"
    assert "review: upheld + corrected + other + pending = 11 but total is 0" in check.detail
    assert "litigation_after_review" in check.detail and "litigation_direct" not in check.detail


@needs_gold
def test_one_changed_cell_fails_the_checks_that_see_it():
    """A copy of huaian-gov-2024 with 予以公开/自然人 1288 → 1289: the row no longer adds up,
    nor does the column, nor the balance; the record says where, and nothing raises."""
    text = _text("huaian-gov-2024")
    assert text.count("1288") == 1
    checks = _checks(text.replace("1288", "1289"))
    row = checks["requests_row_totals"]
    assert row.status == "fail"
    assert row.detail == "granted: applicant columns sum to 1363 but total is 1362"
    col = checks["requests_total_processed"]
    assert col.status == "fail"
    assert col.detail == "natural_person: result rows sum to 2933 but total_processed is 2932"
    assert checks["requests_balance"].status == "pass"
    assert checks["review_litigation_totals"].status == "pass"


@needs_gold
def test_balance_failure_names_the_column_and_both_sides():
    text = _text("huaian-gov-2024")
    # 四、结转下年度继续办理 103 … 103 → 104 … 104: the row still adds up, the balance does not
    changed = text.replace("103\t0\t0\t0\t0\t0\t103", "104\t0\t0\t0\t0\t0\t104")
    assert changed != text
    check = _checks(changed)["requests_balance"]
    assert check.status == "fail"
    assert check.detail == ("natural_person: new_received + carried_over = 3035 but total_processed + "
                            "carried_forward = 3036; total: new_received + carried_over = 3153 but "
                            "total_processed + carried_forward = 3154")


@needs_gold
def test_nulls_count_as_zero_where_the_row_is_filled():
    """seed-yanchi-ybj-2019 fills only the 总计 column: the blank cells are none, all pass."""
    checks = _checks(_text("seed-yanchi-ybj-2019"))
    assert [checks[n].status for n in NAMES[:4]] == ["pass"] * 4


@needs_gold
@pytest.mark.parametrize("stated, status", [(3119, "pass"), (3000, "fail"), (None, "not_applicable")])
def test_narrative_requests_match(stated, status):
    narrative = Narrative(summary=Summary(requests_received=stated))
    check = _checks(_text("huaian-gov-2024"), narrative)["narrative_requests_match"]
    assert check.status == status
    if status == "fail":
        assert check.detail == "narrative says 3000 requests received, table 三 new_received total is 3119"


def test_absent_tables_are_not_applicable():
    checks = run_checks(Tables(), "2021", Narrative(summary=Summary(requests_received=5)))
    assert [c.status for c in checks] == ["not_applicable"] * 5
    assert all(c.detail for c in checks)
