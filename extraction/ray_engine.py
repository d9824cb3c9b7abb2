"""Batch extraction on Ray (``nianbao extract --engine ray``): the records of ``run_batch``,
on one machine or on a cluster.

Ray Data reads the input *paths* (never their contents) in blocks of ``batch_size``;
``map_batches`` runs each block through a pool of actors, each holding one ``Extractor``
(so the narrative model is loaded once per actor), and execution streams: only a bounded
number of blocks is in flight, whatever the number of inputs.

Output. A ``.parquet`` OUT is a *directory* of shards: each batch's records are written
by its actor as ``OUT/part-<run id>-<first input index>.parquet`` (first into the hidden
``OUT/.staging/``, then renamed, so a shard in OUT is always whole), with the columns of
``writers.ParquetWriter`` (the flattened record plus ``record_json``). Any Parquet reader
reads the directory as one table; ``writers.read_records`` gives the records back. A ``.jsonl``
or ``.csv`` OUT is one file written by the driver as the records stream back. Records
come in no particular order.

Guarantees, as for ``run_batch``: every input gives exactly one record; a bad file is a
failed record; an actor that dies (a crash, the OOM killer, a lost node) is restarted and
its batch retried up to ``retries`` times; the inputs of a batch that still fails are run
again one per task, and an input that kills its actor even alone gets a ``worker_crashed``
record. A shard is keyed by its batch's first input, so a batch done twice overwrites its
own shard and is never written twice. With ``resume`` the actors skip inputs whose sha256
is already in OUT, and new shards carry a new run id, so they never replace old ones.
"""
from __future__ import annotations

import gc
import os
import shutil
import time
import uuid
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

import numpy as np
import pyarrow as pa
import pyarrow.dataset as pads
import ray
import ray.data

from extraction.batch import BatchSummary, expand_inputs
from extraction.pipeline import Extractor, _failed, sha256_of
from extraction.record import Record
from extraction.writers import OUTPUT_FORMATS, ParquetWriter, existing_hashes, open_writer

STAGING = ".staging"
# what an actor sends back for each input: its index, the outcome (ok / partial / failed /
# skipped), error codes and failing checks (space-joined), and the record itself when the
# driver writes OUT; a row with i = -1 carries an error that stops the run
_RESULT_SCHEMA = pa.schema([
    ("i", pa.int64()), ("status", pa.string()), ("errors", pa.string()),
    ("failing", pa.string()), ("record_json", pa.string()), ("error", pa.string()),
])


def shard_files(out: str | Path) -> list[Path]:
    """The shards of a Parquet OUT directory (hidden staging files excluded), sorted."""
    return sorted(Path(out).glob("*.parquet"))


def read_shards(out: str | Path, columns: Optional[list[str]] = None) -> pa.Table:
    """The rows of every shard of OUT as one table (``columns``: only these)."""
    files = shard_files(out)
    if not files:
        return pa.table({c: pa.array([], pa.string()) for c in columns or ["record_json"]})
    return pads.dataset([str(f) for f in files], format="parquet").to_table(columns=columns)


def write_shard(out: Path, name: str, records: list[Record]) -> None:
    """Write records as the shard OUT/name, whole or not at all."""
    staging = out / STAGING
    staging.mkdir(parents=True, exist_ok=True)
    writer = ParquetWriter(staging / name, resume=False)
    for rec in records:
        writer.write(rec)
    writer.close()
    os.replace(staging / name, out / name)


def _prepare_shard_dir(out: Path, resume: bool, run_id: str) -> set[str]:
    """Make OUT a directory of shards; returns the sha256 already in it when resuming.
    Without ``resume`` the old shards go (as a fresh local run replaces OUT); a single
    Parquet file from the local engine becomes the first shard when resuming."""
    if out.is_file():
        if not resume:
            out.unlink()
        else:
            moved = out.with_name(f"{out.name}.{run_id}")
            os.replace(out, moved)
            out.mkdir()
            os.replace(moved, out / f"part-{run_id}-local.parquet")
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / STAGING, ignore_errors=True)
    if not resume:
        for f in shard_files(out):
            f.unlink()
        return set()
    return set(read_shards(out, ["sha256"]).column("sha256").to_pylist()) - {None, ""}


def _sorted_hashes(hashes: set[str]) -> Optional[np.ndarray]:
    return np.array(sorted(hashes), dtype="S64") if hashes else None


def _contains(done: np.ndarray, keys: list[str]) -> np.ndarray:
    """Which keys are in the sorted array ``done`` (a binary search each)."""
    k = np.array(keys, dtype="S64")
    pos = np.minimum(np.searchsorted(done, k), len(done) - 1)
    return done[pos] == k


class ExtractBatch:
    """A Ray actor's work: one ``Extractor`` made once, applied to batches of paths.

    ``shard_dir`` set: the batch's records are written there as one shard and only their
    outcomes go back; unset: the records go back to the driver. ``done``: sorted sha256
    (``S64``) of inputs to skip. ``cwd``: the driver's working directory, so relative
    paths mean the same on a worker (when that directory exists there)."""

    def __init__(self, model_path: Optional[str], backend: str, narrative: bool,
                 shard_dir: Optional[str], run_id: str, done: Optional[np.ndarray], cwd: str):
        if os.path.isdir(cwd):
            os.chdir(cwd)
        self.extractor = Extractor(model_path=model_path, backend=backend, narrative=narrative)
        self.shard_dir = Path(shard_dir) if shard_dir else None
        self.run_id = run_id
        self.done = done

    def __call__(self, batch: pa.Table) -> pa.Table:
        try:
            rows = self._run(batch.column("i").to_pylist(), batch.column("path").to_pylist())
        except Exception as e:  # cannot write the shard (disk full, no permission…): stop the run
            rows = [{"i": -1, "error": f"{type(e).__name__}: {e}"}]
        return pa.Table.from_pylist(rows, schema=_RESULT_SCHEMA)

    def _run(self, idx: list[int], paths: list[str]) -> list[dict]:
        skip = (_contains(self.done, [sha256_of(p) for p in paths]) if self.done is not None
                else [False] * len(paths))
        rows, records = [], []
        for i, path, skipped in zip(idx, paths, skip):
            if skipped:
                rows.append({"i": i, "status": "skipped"})
                continue
            rec = self.extractor.extract_path(path)
            records.append(rec)
            rows.append(_outcome(i, rec, with_record=self.shard_dir is None))
        if self.shard_dir is not None and records:
            write_shard(self.shard_dir, f"part-{self.run_id}-{idx[0]:09d}.parquet", records)
        return rows


def _outcome(i: int, rec: Record, with_record: bool) -> dict:
    return {"i": i, "status": rec.status, "errors": " ".join(e.code for e in rec.errors),
            "failing": " ".join(c.name for c in rec.checks if c.status == "fail"),
            "record_json": rec.model_dump_json() if with_record else None}


def init_ray() -> bool:
    """Connect to the cluster at ``RAY_ADDRESS``, or start Ray on this machine; does
    nothing when Ray is already running in this process. True when it started Ray."""
    if ray.is_initialized():
        return False
    if os.environ.get("RAY_ADDRESS"):
        ray.init()
    else:
        ray.init(include_dashboard=False)
    return True


@contextmanager
def _tolerate_lost_blocks():
    """Let Ray Data go on past blocks whose retries are spent (their inputs run again).
    A dataset copies the context when it is made, so make it inside this block."""
    ctx = ray.data.DataContext.get_current()
    old = ctx.max_errored_blocks
    ctx.max_errored_blocks = -1
    try:
        yield
    finally:
        ctx.max_errored_blocks = old


def _outcomes(paths: list[str], idx: np.ndarray, batch_size: int, workers: Optional[int],
              retries: int, actor_args: dict, rerun: bool = False) -> Iterator[pa.Table]:
    """Stream the outcome tables of running ``paths[idx]`` in blocks of ``batch_size``.

    ``rerun``: the pass over lost inputs. Its actors reserve no CPU: the first pass's
    actors are idle by then but may still hold theirs (they go when the last handle to
    them does, and after a lost block handles live on in exception tracebacks that a
    logging handler may keep), and a pass waiting for those CPUs would wait forever.
    The pool's size still bounds how many run at once."""
    items = [{"i": int(i), "path": paths[i]} for i in idx]
    if rerun:
        size = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        pool, cpus = ray.data.ActorPoolStrategy(min_size=1, max_size=size), 0
    else:
        pool = (ray.data.ActorPoolStrategy(size=workers) if workers
                else ray.data.ActorPoolStrategy(min_size=1, max_size=None))
        cpus = 1
    with _tolerate_lost_blocks(), warnings.catch_warnings():
        # Ray 2.60 deprecates passing max_restarts/max_task_retries this way, and names
        # no other way yet
        warnings.filterwarnings("ignore", message="`ray_remote_args` is deprecated")
        # one block of at most batch_size paths is one task, one batch and one shard, so a
        # task run again has the same batch and so writes the same shard
        ds = ray.data.from_items(items, override_num_blocks=-(-len(items) // batch_size)).map_batches(
            ExtractBatch, batch_size=None, batch_format="pyarrow", compute=pool,
            fn_constructor_kwargs=actor_args, num_cpus=cpus, max_restarts=-1, max_task_retries=retries)
        try:
            yield from ds.iter_batches(batch_size=None, batch_format="pyarrow", prefetch_batches=1)
        finally:
            del ds
            gc.collect()  # most often frees the pool's actors at once


def run_ray(inputs: Iterable[str], out: str | Path, resume: bool = False,
            model_path: Optional[str] = None, backend: str = "spacy", narrative: bool = True,
            workers: Optional[int] = None, batch_size: int = 256, retries: int = 3,
            progress: Optional[Callable[[int, int], None]] = None) -> BatchSummary:
    """Extract every input into OUT with Ray; returns the summary (``total``: records
    written by this run, ``skipped``: inputs already in OUT). ``workers``: actors (default:
    as many as the cluster's CPUs allow). Raises when the run itself cannot proceed (OUT
    not writable, unknown OUT format)."""
    out = Path(out).absolute()
    if out.suffix.lower() not in OUTPUT_FORMATS:
        raise ValueError(f"output must end in one of {', '.join(OUTPUT_FORMATS)}: {out}")
    summary = BatchSummary(output=str(out))
    paths = expand_inputs(inputs)
    run_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    shard_dir = out if out.suffix.lower() == ".parquet" else None
    if shard_dir is not None:
        done = _prepare_shard_dir(out, resume, run_id)
        writer = None
    else:
        done = existing_hashes(out) if resume else set()
        writer = open_writer(out, resume=resume)
    seen = np.zeros(len(paths), dtype=bool)

    def take(table: pa.Table) -> None:
        for row in table.to_pylist():
            if row["i"] < 0:
                raise RuntimeError(f"a Ray worker could not go on: {row['error']}")
            if seen[row["i"]]:
                continue
            seen[row["i"]] = True
            if row["status"] == "skipped":
                summary.skipped += 1
                continue
            summary.total += 1
            summary.status[row["status"]] += 1
            summary.failing_checks.update(row["failing"].split())
            summary.error_codes.update(row["errors"].split())
            if writer is not None:
                writer.write(Record.model_validate_json(row["record_json"]))
        if progress:
            progress(summary.total + summary.skipped, len(paths))

    t0 = time.perf_counter()
    started = init_ray() if paths else False
    try:
        if paths:
            args = dict(model_path=model_path, backend=backend, narrative=narrative,
                        shard_dir=str(shard_dir) if shard_dir else None, run_id=run_id,
                        done=_sorted_hashes(done), cwd=os.getcwd())
            for table in _outcomes(paths, np.arange(len(paths)), batch_size, workers, retries, args):
                take(table)
            lost = np.flatnonzero(~seen)
            if lost.size:  # batches whose every retry failed: their inputs again, one per task
                for table in _outcomes(paths, lost, 1, workers, retries, args, rerun=True):
                    take(table)
        crashed = {int(i): _failed(paths[i], "worker_crashed", "the Ray worker died on this file each time it was tried")
                   for i in np.flatnonzero(~seen)}
        if crashed:
            if shard_dir is not None:
                write_shard(shard_dir, f"part-{run_id}-crashed.parquet", list(crashed.values()))
            take(pa.Table.from_pylist([_outcome(i, rec, with_record=writer is not None)
                                       for i, rec in crashed.items()], schema=_RESULT_SCHEMA))
    finally:
        if writer is not None:
            writer.close()
        else:  # what lost attempts left half-written
            shutil.rmtree(out / STAGING, ignore_errors=True)
        if started:
            ray.shutdown()
    summary.seconds = time.perf_counter() - t0
    return summary
