"""Cut a stretch of report text into table rows of cells, whatever the layout.

Layouts met in real reports:

- one row per line, cells joined by tabs (ingest renders HTML/docx/PDF tables so) or by
  pipes (markdown, sometimes mangled);
- one row per line, cells separated by spaces (a PDF text layer where no table was
  found; labels spill over several lines and numbers may sit above or below their label);
- one cell per line, rows separated by an empty line (text saved from Word);
- one cell per paragraph with no row boundaries at all (every cell its own paragraph);
- cells run together with no separator at all (crawled pages: ``数量640020470``).

The result is a list of rows, each a list of cell texts; in the layouts with no row
boundaries a row starts at each label. A row of a delimited layout keeps its blank
cells (they are data: a blank cell is null); the other layouts have no blank cells.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# one token of an undelimited line: white space, a sub-row number ("2." before text; the
# sub-rows of these tables number 1 to 8, so one digit: in "…37.属于" the 3 is a cell),
# a number (digits that are not a sub-row number, a sign or 增/减, decimals, 元/万元), text
_TOKEN = re.compile(
    r"(?P<ws>\s+)"
    r"|(?P<lab>\d\s*[.、．](?=[^\d\s.]))"
    r"|(?P<num>(?:(?:增加|减少|增|减)\s*|[+\-])?(?:\d(?![.、．][^\d\s.]))+(?:,\d{3})*(?:\.\d+)?(?:\s*(?:万元|元))?)"
    r"|(?P<txt>[^\d\s]+)"
)
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–－]\s*[1-9]\d{0,2}\s*[-—–－]|第\s*[1-9]\d{0,2}\s*页(?:\s*[,，/共]\s*\d+\s*页?)?)\s*$")
_RULE = re.compile(r"^[\s|:：\-—–]*$")
_PIPE_ROW = re.compile(r"^\s*\|.*\||^[^|]*\|[^|]*\|")


@dataclass(frozen=True)
class Row:
    """A table row: its cell texts, and whether its cells were delimited (tabs, pipes,
    lines), so that an empty cell is a blank cell rather than nothing."""

    cells: tuple[str, ...]
    delimited: bool


def tokens(line: str) -> list[str]:
    """Cells of an undelimited line: label text and numbers, split at white space and at
    the places where digits and text meet."""
    cells: list[str] = []
    glue = False  # whether the next text token continues the current label cell
    for m in _TOKEN.finditer(line):
        kind = m.lastgroup
        if kind == "ws":
            glue = False
        elif kind == "num":
            cells.append(m.group())
            glue = False
        else:
            if glue:
                cells[-1] += m.group()
            else:
                cells.append(m.group())
            glue = True
    return cells


def _line_cells(line: str) -> tuple[list[str], bool]:
    if "\t" in line:
        return [c.strip() for c in line.split("\t")], True
    if _PIPE_ROW.match(line):
        parts = line.split("|")
        if line.lstrip().startswith("|"):
            parts = parts[1:]
        if line.rstrip().endswith("|"):
            parts = parts[:-1]
        return [c.strip() for c in parts], True
    return tokens(line), False


def _skip(stripped: str) -> bool:
    """Page numbers (- 3 -, 第3页) and rule lines (|---|, ------) carry no cells."""
    c = stripped[0]
    if c in "-—–－第" and _PAGE_NUMBER.match(stripped):
        return True
    # a rule has three dashes at least: a lone "-" or "—" is a blank cell
    return c in "|:：-—–" and bool(_RULE.match(stripped)) and sum(ch in "-—–" for ch in stripped) >= 3


def rows_of(region: str) -> tuple[list[Row], bool]:
    """The rows of a stretch of text (see the module docstring), and whether the text had
    no row boundaries (a stream of cells, where a row is a label and what follows it)."""
    lines: list[tuple[list[str], bool] | None] = []  # None: an empty line
    for ln in region.split("\n"):
        stripped = ln.strip()
        if not stripped:
            lines.append(([""], True) if "\t" in ln else None)
        elif not _skip(stripped):
            lines.append(_line_cells(ln))
    content = [x for x in lines if x is not None and any(x[0])]
    if not content:
        return [], False
    singles = sum(1 for cells, _ in content if len(cells) - cells.count("") <= 1)
    if singles < 0.85 * len(content) or len(content) < 4:
        return [Row(tuple(cells), d) for cells, d in content], False
    # one cell per line: rows are the blocks between empty lines, if blocks hold rows
    blocks: list[list[str]] = [[]]
    for x in lines:
        if x is None:
            if blocks[-1]:
                blocks.append([])
        else:
            blocks[-1].append(next((c for c in x[0] if c), ""))
    blocks = [b for b in blocks if b]
    if sum(1 for b in blocks if len(b) > 1) >= 0.5 * len(blocks):
        return [Row(tuple(b), True) for b in blocks], False
    # no row boundaries at all: one stream of cells
    return [Row((c,), False) for b in blocks for c in b if c], True
