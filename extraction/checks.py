"""The tables' own arithmetic, and the prose against the tables (record.md, checks).

Computed on the numbers as published: a null cell counts as 0 where other cells of its
row or column are present (a blank cell in a filled table means none); a check whose
rows are all null is ``not_applicable``. A failed check is information about the
report, not an error.
"""
from __future__ import annotations

from typing import Optional, Sequence

from extraction.record import (REQUEST_COLUMNS, REQUEST_ROWS_END, REVIEW_FIELDS, REVIEW_GROUPS, Check,
                               Narrative, Tables, request_rows)

_COLS = REQUEST_COLUMNS
_RESULT_START = 2  # request_rows(): new_received, carried_over, then the result rows


def _present(row: Optional[Sequence]) -> bool:
    return bool(row) and any(v is not None for v in row)


def _v(x) -> float:
    return x or 0


def _check(name: str, failures: list[str], applicable: bool, what: str) -> Check:
    if not applicable:
        return Check(name=name, status="not_applicable", detail=f"{what}: the cells are missing")
    if failures:
        return Check(name=name, status="fail", detail="; ".join(failures))
    return Check(name=name, status="pass", detail=what)


def _balance(rows: dict) -> Check:
    keys = ("new_received", "carried_over", "total_processed", "carried_forward")
    if not all(_present(rows.get(k)) for k in keys):
        return _check("requests_balance", [], False, "一 + 二 = (七) + 四 per column")
    fails = []
    for j, col in enumerate(_COLS):
        a = _v(rows["new_received"][j]) + _v(rows["carried_over"][j])
        b = _v(rows["total_processed"][j]) + _v(rows["carried_forward"][j])
        if a != b:
            fails.append(f"{col}: new_received + carried_over = {a:g} but total_processed + carried_forward = {b:g}")
    return _check("requests_balance", fails, True, "一 + 二 = (七) + 四 per column")


def _total_processed(rows: dict, template: str) -> Check:
    results = [k for k in request_rows(template)[_RESULT_START:] if k not in REQUEST_ROWS_END]
    present = [k for k in results if _present(rows.get(k))]
    if not _present(rows.get("total_processed")) or not present:
        return _check("requests_total_processed", [], False, "(七) = the sum of the result rows per column")
    fails = []
    for j, col in enumerate(_COLS):
        s = sum(_v(rows[k][j]) for k in present)
        t = _v(rows["total_processed"][j])
        if s != t:
            fails.append(f"{col}: result rows sum to {s:g} but total_processed is {t:g}")
    return _check("requests_total_processed", fails, True, "(七) = the sum of the result rows per column")


def _row_totals(rows: dict) -> Check:
    present = {k: r for k, r in rows.items() if _present(r)}
    if not present:
        return _check("requests_row_totals", [], False, "总计 = the sum of the six applicant columns per row")
    fails = []
    for k, r in present.items():
        s = sum(_v(x) for x in r[:-1])
        if s != _v(r[-1]):
            fails.append(f"{k}: applicant columns sum to {s:g} but total is {_v(r[-1]):g}")
    return _check("requests_row_totals", fails, True, "总计 = the sum of the six applicant columns per row")


def _review_totals(tables: Tables) -> Check:
    fails = []
    applicable = False
    for g in REVIEW_GROUPS:
        group = getattr(tables.review_litigation, g)
        vals = [getattr(group, f) for f in REVIEW_FIELDS]
        if not _present(vals):
            continue
        applicable = True
        s = sum(_v(x) for x in vals[:-1])
        if s != _v(vals[-1]):
            fails.append(f"{g}: upheld + corrected + other + pending = {s:g} but total is {_v(vals[-1]):g}")
    return _check("review_litigation_totals", fails, applicable, "the four results sum to the total per group")


def _narrative_match(tables: Tables, narrative: Optional[Narrative]) -> Check:
    stated = narrative.summary.requests_received if narrative is not None else None
    row = tables.requests.rows.get("new_received")
    table = row[-1] if row else None
    if stated is None or table is None:
        missing = "the narrative states no requests_received" if stated is None else \
            "table 三 has no new_received total"
        return Check(name="narrative_requests_match", status="not_applicable", detail=missing)
    if stated == table:
        return Check(name="narrative_requests_match", status="pass",
                     detail=f"narrative and table both give {table:g} new requests")
    return Check(name="narrative_requests_match", status="fail",
                 detail=f"narrative says {stated:g} requests received, table 三 new_received total is {table:g}")


def run_checks(tables: Tables, template: str, narrative: Optional[Narrative]) -> list[Check]:
    """The five checks of record.md, in its order."""
    rows = tables.requests.rows
    return [
        _balance(rows),
        _total_processed(rows, template),
        _row_totals(rows),
        _review_totals(tables),
        _narrative_match(tables, narrative),
    ]
