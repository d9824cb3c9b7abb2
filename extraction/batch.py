"""Batch extraction: many inputs → one record each, in worker processes, resumable.

Guarantees: every input gives exactly one record (a file that cannot be read gives a
``failed`` one); one bad file never stops the run; a worker process that dies takes
only the file it was on with it (that file gets a ``worker_crashed`` record).
"""
from __future__ import annotations

import glob
import os
import time
from collections import Counter, deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from extraction.ocr import cores
from extraction.pipeline import Extractor, _failed, sha256_of
from extraction.record import Record
from extraction.writers import existing_hashes, open_writer


@dataclass
class BatchSummary:
    total: int = 0
    skipped: int = 0            # already in OUT (--resume)
    status: Counter = field(default_factory=Counter)           # ok / partial / failed
    failing_checks: Counter = field(default_factory=Counter)   # check name -> reports failing it
    error_codes: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    output: str = ""

    def add(self, rec: Record) -> None:
        self.total += 1
        self.status[rec.status] += 1
        for c in rec.checks:
            if c.status == "fail":
                self.failing_checks[c.name] += 1
        for e in rec.errors:
            self.error_codes[e.code] += 1


def expand_inputs(items: Iterable[str]) -> list[str]:
    """Files, directories (recursively; hidden files skipped) and globs → a sorted,
    de-duplicated list of file paths. A path that does not exist is kept: it becomes a
    failed record, so that no input is lost silently."""
    out: dict[str, None] = {}
    for item in items:
        if os.path.isdir(item):
            for root, dirs, files in os.walk(item):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        out[os.path.join(root, name)] = None
        elif os.path.exists(item) or os.path.islink(item):
            out[item] = None
        elif glob.has_magic(item):
            for p in sorted(glob.glob(item, recursive=True)):
                if os.path.isdir(p):
                    out.update(dict.fromkeys(expand_inputs([p])))
                else:
                    out[p] = None
        else:
            out[item] = None
    return list(out)


# --- worker side -------------------------------------------------------------------
_EXTRACTOR: Optional[Extractor] = None


def _init_worker(model_path: Optional[str], backend: str, narrative: bool, ocr_threads: int = 0) -> None:
    global _EXTRACTOR
    if ocr_threads:  # the workers share the cores: OCR (onnxruntime) gets its share, not all of them each
        os.environ.setdefault("NIANBAO_OCR_THREADS", str(ocr_threads))
    _EXTRACTOR = Extractor(model_path=model_path, backend=backend, narrative=narrative)


def _extract_one(path: str) -> str:
    assert _EXTRACTOR is not None
    return _EXTRACTOR.extract_path(path).model_dump_json()


# --- driver --------------------------------------------------------------------------
def iter_records(paths: list[str], workers: int = 1, model_path: Optional[str] = None,
                 backend: str = "spacy", narrative: bool = True) -> Iterator[Record]:
    """Records for ``paths`` in input order; ``workers`` > 1 uses that many processes."""
    if workers <= 1:
        ex = Extractor(model_path=model_path, backend=backend, narrative=narrative)
        for p in paths:
            yield ex.extract_path(p)
        return
    yield from _pool_records(paths, workers, (model_path, backend, narrative))


def _pool_records(paths: list[str], workers: int, init_args: tuple) -> Iterator[Record]:
    """Ordered results from a process pool with a bounded window of files in flight.
    When a worker dies the pool is rebuilt and the files that were in flight are retried
    one at a time, so only the file that kills a worker is recorded as crashed."""
    results: dict[int, Record] = {}
    next_out = 0
    queue: deque[int] = deque(range(len(paths)))
    suspects: deque[int] = deque()
    while queue or suspects:
        solo = bool(suspects)
        source = suspects if solo else queue
        limit = 1 if solo else workers * 4
        n = 1 if solo else workers
        with ProcessPoolExecutor(max_workers=n, initializer=_init_worker,
                                 initargs=(*init_args, max(1, cores() // n))) as pool:
            pending: dict = {}
            broken = False
            while (source or pending) and not broken:
                while source and len(pending) < limit:
                    i = source.popleft()
                    pending[pool.submit(_extract_one, paths[i])] = i
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    i = pending.pop(fut)
                    try:
                        results[i] = Record.model_validate_json(fut.result())
                    except BrokenProcessPool:
                        broken = True
                        if solo:
                            results[i] = _failed(paths[i], "worker_crashed",
                                                 "the worker process died while reading this file")
                        else:
                            suspects.append(i)
                    except Exception as e:  # a failure on the driver side, e.g. an unpicklable result
                        results[i] = _failed(paths[i], "internal_error", f"{type(e).__name__}: {e}")
                while next_out in results:
                    yield results.pop(next_out)
                    next_out += 1
            suspects.extend(pending.values())  # in flight when the pool broke: retry alone
        while next_out in results:
            yield results.pop(next_out)
            next_out += 1


def run_batch(inputs: Iterable[str], out: str | Path, workers: int = 1, resume: bool = False,
              model_path: Optional[str] = None, backend: str = "spacy", narrative: bool = True,
              progress: Optional[Callable[[int, int], None]] = None) -> BatchSummary:
    """Extract every input into OUT; returns the summary. Raises only when the run itself
    cannot proceed (OUT not writable, unknown OUT format)."""
    summary = BatchSummary(output=str(out))
    paths = expand_inputs(inputs)
    if resume:
        done = existing_hashes(out)
        if done:
            keep = []
            for p in paths:
                if sha256_of(p) in done:
                    summary.skipped += 1
                else:
                    keep.append(p)
            paths = keep
    writer = open_writer(out, resume=resume)
    t0 = time.perf_counter()
    try:
        for n, rec in enumerate(iter_records(paths, workers, model_path, backend, narrative), 1):
            writer.write(rec)
            summary.add(rec)
            if progress:
                progress(n, len(paths))
    finally:
        writer.close()
    summary.seconds = time.perf_counter() - t0
    return summary
