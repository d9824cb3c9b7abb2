"""Table 三: requests received and how they were handled (7 columns per row)."""
from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from typing import Optional

from extraction.record import REQUEST_COLUMNS, REQUEST_ROWS_OTHER_2021, Warning_, request_rows
from extraction.tables import labels
from extraction.tables.assemble import Event, events_of, pair
from extraction.tables.cells import AMBIGUOUS, Cell, parse_cell
from extraction.tables.layout import Row
from extraction.tables.splits import MAX_SOLUTIONS, new_budget, sum_splits

NCOL = len(REQUEST_COLUMNS)
_LEGAL = ("commercial", "research", "social_welfare", "legal_services", "other_org")
_SUBROWS_2021 = set(REQUEST_ROWS_OTHER_2021)
_RESULT_ROWS_SKIP = ("new_received", "carried_over", "total_processed", "carried_forward")


@dataclass
class _Parsed:
    cells: list[Cell]
    candidates: Optional[list[tuple[int, ...]]] = None  # run-together rows: the splits that fit
    unreadable: bool = False  # run-together digits that fit no split (or too many): all null


def _where(key: str, col: int) -> str:
    return f"tables.requests.{key}[{col}]"


def _rename(events: list[Event], template: str) -> list[Event]:
    """（六）其他处理 is a row of its own in 2019, and in 2021 reports that print it as
    one row; where its three 2021 sub-rows are present it only heads them."""
    has_sub = any(e.key in _SUBROWS_2021 for e in events)
    out = []
    for e in events:
        if e.key == "other_group":
            if has_sub:
                continue
            e.key = "other" if template == "2019" else "other_misc"
        elif e.key == "other_misc" and template == "2019" and not any(x.key == "other_group" for x in events):
            e.key = "other"
        out.append(e)
    return out


def _row_sum_ok(cells: list[str]) -> bool:
    vals = [parse_cell(c) for c in cells]
    if vals[-1].kind != "number":
        return False
    return sum(v.value for v in vals[:-1] if v.kind == "number") == vals[-1].value


def _grid(events: list[Event], header: list[Row]) -> dict[int, int]:
    """Where the seven columns start in the delimited rows of each width: under a header
    row that names the legal-person columns, one before the first of them; else where
    the table's complete rows (seven filled cells side by side) have them."""
    grid: dict[int, int] = {}
    for r in header:
        cols = labels.legal_person_columns(r.cells) if r.delimited else None
        if cols and cols[0][0] >= 1:
            grid[len(r.cells)] = cols[0][0] - 1
    seen: dict[int, Counter] = {}
    for e in events:
        if not e.delimited or e.width in grid:
            continue
        filled = [i for i, v in enumerate(e.values) if v.strip()]
        if len(filled) == NCOL and filled[-1] - filled[0] == NCOL - 1:
            seen.setdefault(e.width, Counter())[e.offset + filled[0]] += 1
    grid.update({w: c.most_common(1)[0][0] for w, c in seen.items()})
    return grid


def _aligned(e: Event, grid: dict[int, int]) -> Optional[list[str]]:
    """The seven cells of a row, or None when they cannot be placed.

    Exactly seven cells (blank ones included) are the seven columns. Seven non-blank
    cells among more are the columns (the rest is layout padding). With fewer filled
    cells, the columns are where the table's complete rows of the same width have them;
    failing that the filled cells keep their relative places: either the first cell is
    the first column or the last filled one is the total; where both are possible the
    one under which the row adds up wins, else the total (the cell reports fill most).
    """
    values, delimited = e.values, e.delimited
    if len(values) == NCOL:
        return values
    filled = [i for i, v in enumerate(values) if v.strip()]
    if len(filled) == NCOL:
        return [values[i] for i in filled]
    if not filled or len(filled) > NCOL:
        return None
    start = grid.get(e.width, -1) - e.offset if delimited else -1
    if 0 <= start <= filled[0] and filled[-1] < start + NCOL:
        return (values[start:start + NCOL] + [""] * NCOL)[:NCOL]
    if not delimited:
        return [""] * (NCOL - 1) + [values[filled[-1]]] if len(filled) == 1 else None
    tail = values[:filled[-1] + 1]
    if len(tail) > NCOL and filled[0] < len(tail) - NCOL:
        return None
    right = tail[-NCOL:] if len(tail) >= NCOL else [""] * (NCOL - len(tail)) + tail
    if filled[-1] < NCOL:
        left = (values[:NCOL] + [""] * NCOL)[:NCOL]
        if left != right and _row_sum_ok(left) and not _row_sum_ok(right):
            return left
    return right


def _digit_chunks(values: list[str]) -> Optional[list[str]]:
    chunks = [v.strip() for v in values if v.strip()]
    if not chunks or not all(c.isdigit() for c in chunks):
        return None
    return chunks


def _runs_together(events: list[Event]) -> bool:
    """Whether the table's numbers were run together: rows whose numbers are fewer than
    seven cells yet hold seven digits or more, or carry leading zeros."""
    odd = total = 0
    for e in events:
        chunks = _digit_chunks(e.values) if not e.delimited or len(e.values) < NCOL else None
        if chunks is None:
            continue
        total += 1
        if (len(chunks) < NCOL and sum(map(len, chunks)) >= NCOL) or any(
                len(c) > 1 and c[0] == "0" for c in chunks):
            odd += 1
    return total > 0 and odd >= max(2, 0.3 * total)


def parse_requests(rows: list[Row], stream: bool, template: str) -> tuple[dict, list[Warning_], bool]:
    """Rows of table 三 → {row key: 7 values (None where unreadable)}, warnings, and
    whether the table's numbers were run together."""
    warnings: list[Warning_] = []
    keys = request_rows(template)
    start = next((i for i, r in enumerate(rows)
                  if any(labels.request_row(c) == "new_received" for c in r.cells)), None)
    if start is None:
        return empty_rows(template), [Warning_(code="table_missing", message="table 三 (requests) not found",
                                               where="tables.requests")], False
    order = None
    for r in rows[:start]:
        cols = labels.legal_person_columns(r.cells)
        order = [k for _, k in cols] if cols else order
    events = events_of(rows, stream, labels.request_row, NCOL)
    first = next((i for i, e in enumerate(events) if e.key == "new_received"), 0)
    if first > 0 and events[first - 1].kind == "orphan" and events[first].kind == "pending" and any(
            parse_cell(v).kind == "number" for v in events[first - 1].values):
        first -= 1  # the first row's numbers printed above its label
    events = _rename(events[first:], template)
    # the table ends with its last row (结转下年度继续办理)
    end = next((i for i, e in enumerate(events) if e.key == "carried_forward"), None)
    if end is not None:
        if events[end].kind == "pending" and end + 1 < len(events) and events[end + 1].kind == "orphan":
            end += 1  # its numbers on the next line
        events = events[:end + 1]
    complete, notes = pair(events)
    for n in notes:
        warnings.append(Warning_(code="cells_unplaced", message=f"table 三: {n}", where="tables.requests"))

    parsed: dict[str, _Parsed] = {}
    together = _runs_together(complete)
    grid = _grid(complete, rows[:start])
    for e in complete:
        if e.key not in keys:
            warnings.append(Warning_(code="row_unexpected",
                                     message=f"table 三 row {e.key!r} is not in the {template} template",
                                     where="tables.requests"))
            continue
        if e.key in parsed:
            continue
        chunks = _digit_chunks(e.values)
        if together and chunks is not None and len(chunks) != NCOL:
            budget = new_budget()
            cands = list(itertools.islice(sum_splits(chunks, NCOL, budget), MAX_SOLUTIONS))
            if len(cands) >= MAX_SOLUTIONS or budget.left < 0 or not cands:
                why = "fit no split into 7 cells whose total is the sum of the others" if not cands \
                    else "fit too many splits to choose from"
                warnings.append(Warning_(code="cell_unreadable",
                                         message=f"run-together digits {' '.join(chunks)} {why}",
                                         where=f"tables.requests.{e.key}"))
                parsed[e.key] = _Parsed([], unreadable=True)
            else:
                parsed[e.key] = _Parsed([], cands)
            continue
        cells = _aligned(e, grid)
        if cells is None:
            warnings.append(Warning_(
                code="cells_unplaced",
                message=f"table 三 row {e.key}: {len([v for v in e.values if v.strip()])} cells "
                        f"for {NCOL} columns cannot be placed: {' | '.join(e.values)}",
                where=f"tables.requests.{e.key}"))
            cells = [""] * NCOL
        parsed[e.key] = _Parsed([parse_cell(c) for c in cells])

    # source column → record column (the legal-person columns in the header's order)
    perm = [REQUEST_COLUMNS.index(c) for c in (["natural_person"] + (order or list(_LEGAL)) + ["total"])]
    _solve_run_together(parsed, perm, warnings)
    rows_out: dict[str, list] = {}
    for key in keys:
        p = parsed.get(key)
        if p is None:
            rows_out[key] = [None] * NCOL
            warnings.append(Warning_(code="row_missing", message=f"table 三 has no row {key}",
                                     where=f"tables.requests.{key}"))
            continue
        values: list = [None] * NCOL
        if p.unreadable:
            rows_out[key] = values
            continue
        for src, cell in enumerate(p.cells):
            col = perm[src]
            if cell.kind == "number":
                if isinstance(cell.value, int) and cell.value >= 0:
                    values[col] = cell.value
                else:
                    warnings.append(Warning_(code="cell_unreadable",
                                             message=f"not a count: {cell.raw!r}", where=_where(key, col)))
            elif cell.kind == "null":
                warnings.append(Warning_(code="cell_empty",
                                         message=f"cell is {'blank' if not cell.raw else repr(cell.raw)}",
                                         where=_where(key, col)))
            elif cell.kind == "text":
                warnings.append(Warning_(code="cell_unreadable", message=f"not a number: {cell.raw!r}",
                                         where=_where(key, col)))
        rows_out[key] = values
    return rows_out, warnings, together


def empty_rows(template: str) -> dict[str, list]:
    """Every row of the template, all cells null (the table is missing)."""
    return {k: [None] * NCOL for k in request_rows(template)}


def _solve_run_together(parsed: dict[str, _Parsed], perm: list[int], warnings: list[Warning_]) -> None:
    """Choose the splits of run-together rows that satisfy the column identities
    (一 + 二 = (七) + 四; (七) = the sum of the result rows); cells on which the fitting
    choices differ are null with a ``cell_ambiguous`` warning."""
    open_keys = [k for k, p in parsed.items() if p.candidates is not None]
    if not open_keys:
        return
    fixed = {k: [c.value if c.kind == "number" else None for c in p.cells]
             for k, p in parsed.items() if p.candidates is None and not p.unreadable}
    unknown = {k for k, p in parsed.items() if p.unreadable}
    solutions = _search(fixed, {k: parsed[k].candidates for k in open_keys}, unknown)
    for k in open_keys:
        cands = parsed[k].candidates
        options = sorted({s[k] for s in solutions}) if solutions else cands
        if not solutions and len(cands) > 1:
            warnings.append(Warning_(code="cell_ambiguous",
                                     message="run-together digits: no choice of splits satisfies the column "
                                             "identities; cells that differ between the row's splits are null",
                                     where=f"tables.requests.{k}"))
        cells = []
        for col in range(NCOL):
            vals = {o[col] for o in options}
            if len(vals) == 1:
                cells.append(parse_cell(str(vals.pop())))
            else:
                cells.append(AMBIGUOUS)
                warnings.append(Warning_(
                    code="cell_ambiguous",
                    message=f"run-together digits fit {len(options)} splits: "
                            + " / ".join(str(list(o)) for o in options),
                    where=_where(k, perm[col])))
        parsed[k].cells = cells
        parsed[k].candidates = None


def _search(fixed: dict[str, list], open_rows: dict[str, list[tuple[int, ...]]], unknown: set[str]) -> list[dict]:
    """Every choice of splits for the open rows under which the column identities hold
    (an identity whose rows are missing is not checked). Depth-first over the rows, the
    totals first; a choice is dropped as soon as the result rows chosen so far exceed
    (七) in some column. At most MAX_SOLUTIONS choices and MAX_NODES steps."""
    first = [k for k in _RESULT_ROWS_SKIP if k in open_rows]
    keys = first + [k for k in open_rows if k not in first]
    results: list[dict] = []
    budget = new_budget()

    def total_row(chosen: dict) -> Optional[list]:
        return chosen.get("total_processed", fixed.get("total_processed"))

    def rec(i: int, chosen: dict, partial: list[int]) -> None:
        if len(results) >= MAX_SOLUTIONS or not budget.spend():
            return
        if i == len(keys):
            table = dict(fixed)
            table.update(chosen)
            if _identities_hold(table, unknown):
                results.append(dict(chosen))
            return
        k = keys[i]
        for cand in open_rows[k]:
            chosen[k] = cand
            if k in _RESULT_ROWS_SKIP:
                rec(i + 1, chosen, partial)
            else:
                nxt = [a + b for a, b in zip(partial, cand)]
                tot = total_row(chosen) if not unknown else None
                if tot is None or all(x <= (t or 0) for x, t in zip(nxt, tot)):
                    rec(i + 1, chosen, nxt)
            del chosen[k]

    base = [0] * NCOL
    for k, vals in fixed.items():
        if k not in _RESULT_ROWS_SKIP:
            base = [a + (b or 0) for a, b in zip(base, vals)]
    rec(0, {}, base)
    return results


def _identities_hold(table: dict[str, list], unknown: set[str]) -> bool:
    """一 + 二 = (七) + 四 and (七) = Σ results, per column, for the rows known (an
    identity with an unreadable row in it is not checked)."""
    results = [k for k in table if k not in _RESULT_ROWS_SKIP]
    balance = all(k in table for k in _RESULT_ROWS_SKIP) and not unknown & set(_RESULT_ROWS_SKIP)
    summed = "total_processed" in table and results and not (unknown - set(_RESULT_ROWS_SKIP))
    for col in range(NCOL):
        def v(k: str) -> int:
            return table[k][col] or 0
        if balance and v("new_received") + v("carried_over") != v("total_processed") + v("carried_forward"):
            return False
        if summed and sum(v(k) for k in results) != v("total_processed"):
            return False
    return True
