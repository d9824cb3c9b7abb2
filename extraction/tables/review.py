"""Table 四: administrative review and litigation (three groups of five cells).

In every template the groups come in the order 行政复议, 未经复议直接起诉, 复议后起诉 and
each group's cells in the order 结果维持, 结果纠正, 其他结果, 尚未审结, 总计; headers that
name the groups (a table cut into three small tables) decide which is which.
"""
from __future__ import annotations

from typing import Optional

from extraction.record import REVIEW_FIELDS, REVIEW_GROUPS, Warning_
from extraction.tables import labels
from extraction.tables.cells import parse_cell
from extraction.tables.layout import Row
from extraction.tables.splits import MAX_SOLUTIONS, grouped_sum_splits, new_budget

NG, NF = len(REVIEW_GROUPS), len(REVIEW_FIELDS)
NCELL = NG * NF


def _where(group: str, field: str) -> str:
    return f"tables.review_litigation.{group}.{field}"


def _units(rows: list[Row]) -> list[tuple[list[str], bool]]:
    """Delimited rows as they are; undelimited lines cut into runs of text and of numbers."""
    units: list[tuple[list[str], bool]] = []
    for r in rows:
        if r.delimited:
            units.append((list(r.cells), True))
            continue
        for c in r.cells:
            is_text = parse_cell(c).kind == "text"
            if units and not units[-1][1] and units[-1][0] and (
                    parse_cell(units[-1][0][-1]).kind == "text") == is_text:
                units[-1][0].append(c)
            else:
                units.append(([c], False))
    return units


def _trim(cells: list[str], n: int) -> list[str]:
    """Drop blank padding beyond ``n`` cells (leading blanks stay: they are columns)."""
    while len(cells) > n and not cells[-1].strip():
        cells = cells[:-1]
    while len(cells) > n and not cells[0].strip():
        cells = cells[1:]
    return cells


def parse_review(rows: list[Row], run_together: bool) -> tuple[dict, list[Warning_]]:
    """Rows of table 四 → {group: {field: value}}, and warnings."""
    warnings: list[Warning_] = []
    out = {g: {f: None for f in REVIEW_FIELDS} for g in REVIEW_GROUPS}
    pieces: list[tuple[Optional[str], list[str], bool]] = []  # (group named above, cells, delimited)
    named: Optional[str] = None
    for cells, delimited in _units(rows):
        if any(parse_cell(c).kind == "text" for c in cells):
            groups_here = {labels.review_group(c) for c in cells} - {None}
            named = groups_here.pop() if len(groups_here) == 1 else (None if groups_here else named)
            continue
        if any(c.strip() for c in cells):
            pieces.append((named, cells, delimited))
            named = None
    if not pieces:
        return out, [Warning_(code="table_missing", message="table 四 (review/litigation) not found",
                              where="tables.review_litigation")]
    cells: Optional[list[str]] = None
    by_group: dict[str, list[str]] = {}
    flat = [c for _, d, _ in pieces for c in d]
    if all(g for g, _, _ in pieces) and all(len(_trim(d, NF)) == NF for _, d, _ in pieces):
        for g, d, _ in pieces:
            by_group.setdefault(g, _trim(d, NF))
    elif len(_trim(flat, NCELL)) == NCELL:
        cells = _trim(flat, NCELL)
    else:
        chunks = [c.strip() for c in flat if c.strip()]
        if chunks and all(c.isdigit() for c in chunks) and (run_together or any(
                len(c) > 1 and c[0] == "0" for c in chunks)) and sum(map(len, chunks)) >= NCELL:
            cells = _split(chunks, warnings)
        elif len(chunks) == NG:
            cells = [""] * NCELL
            for i, c in enumerate(chunks):
                cells[i * NF + NF - 1] = c
            warnings.append(Warning_(code="cells_unplaced",
                                     message="table 四: only three numbers, read as the three totals",
                                     where="tables.review_litigation"))
        else:
            warnings.append(Warning_(code="cells_unplaced",
                                     message=f"table 四: {len(flat)} cells for {NCELL} columns: {' | '.join(flat)}",
                                     where="tables.review_litigation"))
            cells = [""] * NCELL
    if cells is not None:
        for gi, g in enumerate(REVIEW_GROUPS):
            by_group[g] = cells[gi * NF:(gi + 1) * NF]
    for g in REVIEW_GROUPS:
        vals = by_group.get(g)
        if vals is None:
            warnings.append(Warning_(code="row_missing", message=f"table 四 has no group {g}",
                                     where=f"tables.review_litigation.{g}"))
            continue
        for f, raw in zip(REVIEW_FIELDS, vals):
            out[g][f] = _count(raw, g, f, warnings)
    return out, warnings


def _count(raw: Optional[str], g: str, f: str, warnings: list[Warning_]) -> Optional[int]:
    if raw is None:
        return None
    cell = parse_cell(raw)
    if cell.kind == "number" and isinstance(cell.value, int) and cell.value >= 0:
        return cell.value
    if cell.kind == "null":
        what = "blank" if not cell.raw else repr(cell.raw)
        warnings.append(Warning_(code="cell_empty", message=f"cell is {what}", where=_where(g, f)))
    elif raw != "":
        warnings.append(Warning_(code="cell_unreadable", message=f"not a count: {raw!r}", where=_where(g, f)))
    return None


def _split(chunks: list[str], warnings: list[Warning_]) -> list[Optional[str]]:
    """Run-together digits of the whole table: groups whose total is the sum of the four."""
    budget = new_budget()
    sols = grouped_sum_splits(chunks, NG, NF, budget)
    if len(sols) >= MAX_SOLUTIONS or budget.left < 0:
        warnings.append(Warning_(code="cell_unreadable",
                                 message=f"table 四: run-together digits {' '.join(chunks)} fit too many splits",
                                 where="tables.review_litigation"))
        return [None] * NCELL
    if not sols:
        warnings.append(Warning_(code="cell_unreadable",
                                 message=f"table 四: run-together digits {' '.join(chunks)} fit no split "
                                         "into three groups that add up",
                                 where="tables.review_litigation"))
        return [""] * NCELL
    cells: list[Optional[str]] = []
    for i in range(NCELL):
        vals = {s[i] for s in sols}
        if len(vals) == 1:
            cells.append(str(vals.pop()))
        else:
            cells.append(None)
            g, f = REVIEW_GROUPS[i // NF], REVIEW_FIELDS[i % NF]
            warnings.append(Warning_(code="cell_ambiguous",
                                     message=f"run-together digits fit {len(sols)} splits: "
                                             + " / ".join(str(list(s)) for s in sols),
                                     where=_where(g, f)))
    return cells
