"""Attach value cells to the row labels they belong to.

A row's values usually follow its label on the same line. In a PDF text layer the
numbers of a row whose label wraps over several lines may sit on a line of their own,
before or after the label; both the labels and the numbers still come in table order.
So rows are read as a sequence of events (a label with its values; a label alone; values
alone) and, between two complete rows, the lone labels and the lone values are paired
in order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from extraction.tables.cells import parse_cell
from extraction.tables.layout import Row


@dataclass
class Event:
    kind: str  # 'filled' | 'pending' | 'orphan'
    key: Optional[str] = None
    values: list[str] = field(default_factory=list)
    delimited: bool = False
    labels: list[str] = field(default_factory=list)  # the label cells before the values
    width: int = 0  # cells in the delimited row the values come from
    offset: int = 0  # where in that row the values start
    row: int = 0  # index of the row the event comes from


def _is_text(cell: str) -> bool:
    return parse_cell(cell).kind == "text"


def _has_data(values: list[str]) -> bool:
    return any(v.strip() for v in values)


def events_of(rows: list[Row], stream: bool, classify: Callable[[str], Optional[str]],
              min_blank_row: int) -> list[Event]:
    """The events of a table's rows. ``classify`` names the row of a label (or None);
    a delimited row with a label and at least ``min_blank_row`` blank cells is a row
    of blanks, not a label waiting for its numbers. A row naming three or more
    different rows and holding no number is a header and is skipped."""
    events: list[Event] = []
    units = []
    for n, row in enumerate(rows):
        if row.delimited:
            units.append((list(row.cells), True, n))
        else:  # an undelimited line may hold several rows: cut before each label after numbers
            cur: list[str] = []
            for c in row.cells:
                if cur and _is_text(c) and not _is_text(cur[-1]):
                    units.append((cur, False, n))
                    cur = []
                cur.append(c)
            if cur:
                units.append((cur, False, n))
    for cells, delimited, n in units:
        if not delimited and not stream and cells == ["无"]:
            continue  # a character of a label printed one per line (（四）无法提供), not a blank cell
        text_at = [i for i, c in enumerate(cells) if c and _is_text(c)]
        keys: list[str] = []
        for i in text_at:
            k = classify(cells[i])
            if k and k not in keys:
                keys.append(k)
        if not keys:
            values = cells[text_at[-1] + 1:] if text_at else cells
            if not _has_data(values):
                continue
            if stream and events and events[-1].kind == "orphan":
                events[-1].values.extend(values)
            else:
                events.append(Event("orphan", values=values, delimited=delimited, row=n))
            continue
        before = cells[:text_at[0]]
        if _has_data(before) and not delimited:
            events.append(Event("orphan", values=before, row=n))
        values = cells[text_at[-1] + 1:]
        labels = [cells[i] for i in text_at]
        last = next(k for k in reversed([classify(cells[i]) for i in text_at]) if k)
        if _has_data(values) or (delimited and len(values) >= min_blank_row):
            events.append(Event("filled", last, values, delimited, labels, len(cells), text_at[-1] + 1, n))
        elif len(keys) < 3:
            events.extend(Event("pending", k, delimited=delimited, labels=labels, row=n) for k in keys)
    return events


def pair(events: list[Event]) -> tuple[list[Event], list[str]]:
    """Complete rows in table order: lone labels get the lone values between the same
    two complete rows, in order. Returns the rows and notes on what could not be paired."""
    # a label wrapped over lines may name its row twice; a row is in a table once
    filled_keys = {e.key for e in events if e.kind == "filled"}
    cleaned: list[Event] = []
    seen: set[str] = set()
    for e in events:
        if e.kind == "pending":
            if e.key in filled_keys or e.key in seen:
                continue
            seen.add(e.key)
        cleaned.append(e)
    out: list[Event] = []
    notes: list[str] = []
    segment: list[Event] = []

    def flush() -> None:
        pend = [e for e in segment if e.kind == "pending"]
        orph = [e for e in segment if e.kind == "orphan"]
        if orph and len(pend) != len(orph):
            notes.append(f"{len(orph)} run(s) of numbers for {len(pend)} label(s) "
                         f"({', '.join(str(p.key) for p in pend) or 'none'}); paired in order")
        for p, o in zip(pend, orph):
            out.append(Event("filled", p.key, o.values, o.delimited, p.labels, row=p.row))
        segment.clear()

    for e in cleaned:
        if e.kind == "filled":
            flush()
            out.append(e)
        else:
            segment.append(e)
    flush()
    return out, notes
