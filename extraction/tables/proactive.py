"""Table 二: proactive disclosure under 第二十条 (keys depend on the template)."""
from __future__ import annotations

import math
from typing import Optional

from extraction.record import PROACTIVE_2019, PROACTIVE_2021, Warning_
from extraction.tables import labels
from extraction.tables.assemble import events_of, pair
from extraction.tables.cells import Cell, Number, parse_cell
from extraction.tables.layout import Row
from extraction.tables.priors import SplitPriors, choose, prior_for
from extraction.tables.splits import free_splits

_MONEY = {"amount_wan_yuan", "amount"}


def fields_of(template: str) -> dict[str, tuple[str, ...]]:
    return PROACTIVE_2021 if template == "2021" else PROACTIVE_2019


def _where(row: str, field: str) -> str:
    return f"tables.proactive.{row}.{field}"


def _header(cells: list[str]) -> Optional[list[Optional[str]]]:
    """The field each column of a header row names (None for its label column)."""
    fields = [labels.proactive_field(c) if c else None for c in cells]
    return fields if any(fields) else None


def _value_cells(values: list[str], header: Optional[list[Optional[str]]],
                 wanted: tuple[str, ...], delimited: bool) -> Optional[dict[str, str]]:
    """Which cell holds which field: by the header's column labels where they line up
    with the row (both start with their label column), else in the given order."""
    if header and delimited:
        cols = header[1:1 + len(values)]
        got: dict[str, str] = {}
        for f, v in zip(cols, values):
            if f in wanted and f not in got:
                got[f] = v
        if set(got) == set(wanted):
            return got
    filled = [v for v in values if v.strip()]
    if len(values) == len(wanted):
        return dict(zip(wanted, values))
    if len(filled) == len(wanted):
        return dict(zip(wanted, filled))
    if len(filled) > len(wanted) and len(set(filled)) == 1:  # one value repeated by a colspan
        return dict(zip(wanted, filled))
    return None


def parse_proactive(rows: list[Row], stream: bool, template: str, run_together: bool,
                    priors: SplitPriors, prose: str = "") -> tuple[dict, list[Warning_]]:
    """Rows of table 二 → {row: {field: value}}, and warnings. ``prose``: the report's
    text outside its tables, whose restated numbers help split run-together rows."""
    warnings: list[Warning_] = []
    wanted = fields_of(template)
    out: dict[str, dict] = {r: {f: None for f in fs} for r, fs in wanted.items()}
    # header rows (信息内容 | 本年制发件数 | …) set the columns of the rows under them; in a
    # stream of cells the header's cells come one per row
    header: Optional[list[Optional[str]]] = None
    headers: list[Optional[list[Optional[str]]]] = []
    data: list[Row] = []
    after_header = False
    for r in rows:
        cells = list(r.cells)
        if not any(labels.proactive_row(c) for c in cells if parse_cell(c).kind == "text"):
            h = _header(cells)
            if h and not any(parse_cell(c).kind == "number" for c in cells):
                header = header + h if stream and after_header and header else h
                after_header = True
                continue
        after_header = False
        data.append(r)
        headers.append(header)
    complete, notes = pair(events_of(data, stream, labels.proactive_row, 1))
    for n in notes:
        warnings.append(Warning_(code="cells_unplaced", message=f"table 二: {n}", where="tables.proactive"))
    seen: set[str] = set()
    for e in complete:
        row = e.key
        if row not in wanted or row in seen:
            continue
        seen.add(row)
        h = headers[e.row]
        # a run-together header sits in the label text: 信息内容本年制发件数…规章
        hf = labels.proactive_fields("".join(e.labels)) or tuple(f for f in (h or ()) if f)
        fields = wanted[row]
        order = tuple(f for f in hf if f in fields)
        if len(order) != len(fields) or len(set(order)) != len(order):
            order = fields
        chunks = [v.strip() for v in e.values if v.strip()]
        digits = _run(chunks, fields)
        if digits and (run_together or any(map(_leading_zero, digits))):
            _split_row(out, row, order, digits, " ".join(chunks), template, priors, warnings,
                       labels.stated_numbers(prose, row), labels.stated_stock(prose, row))
            continue
        got = _value_cells(e.values, h, order, e.delimited)
        if got is None:
            warnings.append(Warning_(code="cells_unplaced",
                                     message=f"table 二 row {row}: cells {' | '.join(e.values)} do not fit "
                                             f"the columns {', '.join(order)}",
                                     where=f"tables.proactive.{row}"))
            for f in fields:
                warnings.append(Warning_(code="cell_unreadable", message="cell not placed", where=_where(row, f)))
            continue
        for f in fields:
            out[row][f] = _value(parse_cell(got[f]), f, row, warnings)
    for row in wanted:
        if row not in seen:
            warnings.append(Warning_(code="row_missing", message=f"table 二 has no row {row}",
                                     where=f"tables.proactive.{row}"))
    return out, warnings


def _leading_zero(chunk: str) -> bool:
    return len(chunk) > 1 and chunk[0] == "0" and chunk[1] != "."


def _run(chunks: list[str], fields: tuple[str, ...]) -> Optional[list[str]]:
    """The digit runs of a row whose cells sit in fewer unsigned numbers than it has
    fields (run together), else None."""
    if len(fields) < 2 or not 0 < len(chunks) < len(fields):
        return None
    runs = []
    for c in chunks:
        cell = parse_cell(c)
        if cell.kind != "number" or cell.value < 0 or c[0] in "+增减":
            return None
        runs.append(cell.digits)
    return runs if sum(len(r.replace(".", "")) for r in runs) >= len(fields) else None


def _value(cell: Cell, field: str, row: str, warnings: list[Warning_]) -> Optional[Number]:
    if cell.kind == "number":
        if field not in _MONEY and isinstance(cell.value, float):
            warnings.append(Warning_(code="cell_unreadable", message=f"not a count: {cell.raw!r}",
                                     where=_where(row, field)))
            return None
        if field != "change" and cell.value < 0:
            warnings.append(Warning_(code="cell_unreadable", message=f"negative count: {cell.raw!r}",
                                     where=_where(row, field)))
            return None
        return cell.value
    what = "blank" if not cell.raw else repr(cell.raw)
    code = "cell_empty" if cell.kind == "null" else "cell_unreadable"
    warnings.append(Warning_(code=code, message=f"cell is {what}", where=_where(row, field)))
    return None


def _split_row(out: dict, row: str, order: tuple[str, ...], digits: list[str], chunk: str, template: str,
               priors: SplitPriors, warnings: list[Warning_], stated: frozenset,
               stock: frozenset = frozenset()) -> None:
    """A row whose cells were run together: choose a split by the template's priors."""
    money_last = order[-1] in _MONEY
    cands = list(free_splits(digits, len(order), decimal_last=money_last))
    if not cands:
        for f in order:
            warnings.append(Warning_(code="cell_unreadable", message=f"run-together digits {chunk!r}",
                                     where=_where(row, f)))
        return
    fields_canon = fields_of(template)[row]
    perm = [order.index(f) for f in fields_canon]
    canon = [tuple(c[i] for i in perm) for c in cands]
    values, close, second = choose(canon, prior_for(template, row), priors, stated, stock)
    if second is not None and math.isfinite(second[1]) and None not in values:
        # decided by likelihood, not by arithmetic (the runner-up is possible): say so
        alt, gap = second
        warnings.append(Warning_(code="cell_split_by_prior",
                                 message=f"run-together digits {chunk!r} read as {list(values)} "
                                         f"({', '.join(fields_canon)}) by what such rows look like; "
                                         f"next most likely {list(alt)}, {math.exp(gap):.0f}× less likely",
                                 where=f"tables.proactive.{row}"))
    for f, v in zip(fields_canon, values):
        out[row][f] = v
        if v is None:
            alts = " / ".join(str(list(c)) for c in close[:12]) + (" …" if len(close) > 12 else "")
            warnings.append(Warning_(code="cell_ambiguous",
                                     message=f"run-together digits {chunk!r} fit {len(close)} splits "
                                             f"({', '.join(fields_canon)}), most likely first: {alts}",
                                     where=_where(row, f)))
