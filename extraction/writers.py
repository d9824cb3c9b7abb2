"""Writing records: JSONL (one record per line), Parquet and CSV (flattened columns).

Every writer has the same life: ``open_writer(path, resume)`` → ``write(record)`` …
→ ``close()``, and ``existing_hashes(path)`` tells ``--resume`` which inputs are done.
The flattened column set is fixed (the union over templates), so every row of a CSV or
Parquet file has the same columns whatever its report's template.
"""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Iterable, Iterator, Protocol

from extraction.record import (
    PROACTIVE_2019, PROACTIVE_2021, REQUEST_COLUMNS, REQUEST_ROWS_COMMON, REQUEST_ROWS_END,
    REQUEST_ROWS_OTHER_2019, REQUEST_ROWS_OTHER_2021, REVIEW_FIELDS, REVIEW_GROUPS, SECTION_NAMES,
    Record, Summary,
)

OUTPUT_FORMATS = (".jsonl", ".parquet", ".csv")
CHECK_NAMES = ("requests_balance", "requests_total_processed", "requests_row_totals",
               "review_litigation_totals", "narrative_requests_match")


def _proactive_columns() -> list[tuple[str, str]]:
    seen: dict[tuple[str, str], None] = {}
    for table in (PROACTIVE_2021, PROACTIVE_2019):
        for row, fields in table.items():
            for f in fields:
                seen[(row, f)] = None
    return list(seen)


_PROACTIVE = _proactive_columns()
_REQUEST_ROWS = REQUEST_ROWS_COMMON + REQUEST_ROWS_OTHER_2021 + REQUEST_ROWS_OTHER_2019 + REQUEST_ROWS_END


def flat_columns() -> list[str]:
    """The fixed, ordered column names of a flattened record."""
    cols = ["path", "sha256", "format", "chars", "status", "errors", "warning_count", "warning_codes",
            "agency", "year", "template", "sector"]
    for s in SECTION_NAMES:
        cols += [f"section.{s}.start", f"section.{s}.end"]
    cols += [f"summary.{k}" for k in Summary.model_fields]
    cols += ["problems", "remedies", "facts"]
    cols += [f"proactive.{row}.{f}" for row, f in _PROACTIVE]
    cols += [f"requests.{row}.{c}" for row in _REQUEST_ROWS for c in REQUEST_COLUMNS]
    cols += [f"review.{g}.{f}" for g in REVIEW_GROUPS for f in REVIEW_FIELDS]
    cols += [f"check.{c}" for c in CHECK_NAMES]
    return cols


FLAT_COLUMNS = flat_columns()


def flatten(rec: Record) -> dict:
    """One flat row (FLAT_COLUMNS) of a record; lists are joined, absent cells are None."""
    row: dict = dict.fromkeys(FLAT_COLUMNS)
    row.update(path=rec.source.path, sha256=rec.source.sha256, format=rec.source.format,
               chars=rec.source.chars, status=rec.status,
               errors="; ".join(f"{e.code}: {e.message.splitlines()[0] if e.message else ''}" for e in rec.errors),
               warning_count=len(rec.warnings),
               warning_codes=" ".join(sorted({w.code for w in rec.warnings})),
               agency=rec.meta.agency, year=rec.meta.year, template=rec.meta.template, sector=rec.meta.sector)
    for s in SECTION_NAMES:
        sec = getattr(rec.sections, s)
        if sec is not None:
            row[f"section.{s}.start"], row[f"section.{s}.end"] = sec.start, sec.end
    for k, v in rec.narrative.summary.model_dump().items():
        row[f"summary.{k}"] = v
    row["problems"] = len(rec.narrative.problems)
    row["remedies"] = len(rec.narrative.remedies)
    row["facts"] = len(rec.narrative.facts)
    for r, fields in rec.tables.proactive.items():
        for f, v in fields.items():
            key = f"proactive.{r}.{f}"
            if key in row:
                row[key] = v
    for r, values in rec.tables.requests.rows.items():
        for c, v in zip(REQUEST_COLUMNS, values):
            key = f"requests.{r}.{c}"
            if key in row:
                row[key] = v
    for g in REVIEW_GROUPS:
        for f, v in getattr(rec.tables.review_litigation, g).model_dump().items():
            row[f"review.{g}.{f}"] = v
    for c in rec.checks:
        if f"check.{c.name}" in row:
            row[f"check.{c.name}"] = c.status
    return row


class RecordWriter(Protocol):
    def write(self, rec: Record) -> None: ...
    def close(self) -> None: ...


class JsonlWriter:
    """Appends one JSON record per line; flushes each line so a crash loses at most one."""

    def __init__(self, path: Path, resume: bool):
        self.path = path
        self._f = open(path, "a" if resume else "w", encoding="utf-8")

    def write(self, rec: Record) -> None:
        self._f.write(rec.model_dump_json() + "\n")
        self._f.flush()

    def close(self) -> None:
        self._f.close()


class CsvWriter:
    """Flattened rows (FLAT_COLUMNS), UTF-8 with BOM so spreadsheet programs read the Chinese."""

    def __init__(self, path: Path, resume: bool):
        self.path = path
        append = resume and path.exists() and path.stat().st_size > 0
        self._f = open(path, "a" if append else "w", encoding="utf-8-sig" if not append else "utf-8", newline="")
        self._w = csv.DictWriter(self._f, fieldnames=FLAT_COLUMNS)
        if not append:
            self._w.writeheader()

    def write(self, rec: Record) -> None:
        self._w.writerow(flatten(rec))
        self._f.flush()

    def close(self) -> None:
        self._f.close()


class ParquetWriter:
    """Flattened columns plus ``record_json`` (the whole record), written in row groups.

    Parquet cannot be appended to; with ``resume`` the existing rows are copied into the
    new file first, and the file is replaced only when the writer closes."""

    def __init__(self, path: Path, resume: bool, row_group: int = 512):
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._pa, self._pq = pa, pq
        self.path = path
        self._tmp = path.with_name(path.name + ".partial")
        self._schema = _parquet_schema(pa)
        self._writer = pq.ParquetWriter(self._tmp, self._schema)
        self._buf: list[dict] = []
        self._row_group = row_group
        if resume and path.exists():
            for batch in pq.ParquetFile(path).iter_batches():
                self._writer.write_table(pa.Table.from_batches([batch]).cast(self._schema))

    def write(self, rec: Record) -> None:
        row = flatten(rec)
        row["record_json"] = rec.model_dump_json()
        self._buf.append(row)
        if len(self._buf) >= self._row_group:
            self._flush()

    def _flush(self) -> None:
        if self._buf:
            self._writer.write_table(self._pa.Table.from_pylist(self._buf, schema=self._schema))
            self._buf = []

    def close(self) -> None:
        self._flush()
        self._writer.close()
        os.replace(self._tmp, self.path)


def _parquet_schema(pa):
    types = {"chars": pa.int64(), "warning_count": pa.int64(), "year": pa.int64(),
             "problems": pa.int64(), "remedies": pa.int64(), "facts": pa.int64()}
    fields = []
    for c in FLAT_COLUMNS:
        if c in types:
            t = types[c]
        elif c.startswith(("section.", "requests.", "review.")):
            t = pa.int64()
        elif c.startswith(("proactive.", "summary.")):
            t = pa.float64()
        else:
            t = pa.string()
        fields.append(pa.field(c, t))
    fields.append(pa.field("record_json", pa.string()))
    return pa.schema(fields)


def open_writer(path: str | Path, resume: bool = False) -> RecordWriter:
    """A writer for OUT by its extension (.jsonl, .parquet, .csv)."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in OUTPUT_FORMATS:
        raise ValueError(f"output must end in one of {', '.join(OUTPUT_FORMATS)}: {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if ext == ".jsonl":
        return JsonlWriter(path, resume)
    if ext == ".csv":
        return CsvWriter(path, resume)
    return ParquetWriter(path, resume)


def existing_hashes(path: str | Path) -> set[str]:
    """sha256 of the inputs already written to OUT (for --resume); empty if OUT is absent."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return set()
    ext = path.suffix.lower()
    if ext == ".jsonl":
        out = set()
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    out.add(json.loads(line)["source"]["sha256"])
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut off by a crash: that input runs again
        return out - {""}
    if ext == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as f:
            return {row["sha256"] for row in csv.DictReader(f) if row.get("sha256")}
    if ext == ".parquet":  # a file, or a directory of shards (hidden staging files are skipped)
        import pyarrow.parquet as pq

        if path.is_dir() and not any(path.glob("*.parquet")):
            return set()
        return set(pq.read_table(path, columns=["sha256"]).column("sha256").to_pylist()) - {None, ""}
    raise ValueError(f"unknown output format: {path}")


def read_records(path: str | Path) -> Iterator[Record]:
    """Records back from a JSONL or Parquet output (a Parquet file, or a directory of
    Parquet shards as ``--engine ray`` writes)."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
        for f in files:
            for batch in pq.ParquetFile(f).iter_batches(columns=["record_json"]):
                for s in batch.column(0).to_pylist():
                    yield Record.model_validate_json(s)
        return
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield Record.model_validate_json(line)


def write_all(path: str | Path, records: Iterable[Record]) -> None:
    w = open_writer(path)
    try:
        for r in records:
            w.write(r)
    finally:
        w.close()
