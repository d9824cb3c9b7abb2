"""``extract --engine ray`` on a local Ray (2 CPUs): the same records as the local engine,
nothing lost or duplicated when a worker is killed mid-run, resume completes a set."""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")
psutil = pytest.importorskip("psutil")  # in the ray extra

import pyarrow.parquet as pq  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from extraction.batch import expand_inputs, run_batch  # noqa: E402
from extraction.record import Record  # noqa: E402
from extraction.ray_engine import STAGING, read_shards, run_ray, shard_files, write_shard  # noqa: E402
from extraction.writers import existing_hashes, read_records  # noqa: E402

from conftest import REPORTS_DIR  # noqa: E402

N_GOOD = 300


@pytest.fixture(scope="module")
def local_ray():
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, logging_level="warning")
    yield
    if started:
        ray.shutdown()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, corpus_dir) -> Path:
    """300 corpus reports, each copy with its own last line (so its own sha256), in two
    folders, plus files that cannot be read or are no report."""
    d = tmp_path_factory.mktemp("ray_inputs")
    reports = sorted(p for p in REPORTS_DIR.iterdir() if p.suffix in (".txt", ".md", ".html"))
    for i in range(N_GOOD):
        src = reports[i % len(reports)]
        sub = d / ("a" if i % 2 else "b")
        sub.mkdir(exist_ok=True)
        data = src.read_bytes()
        if src.suffix != ".html":
            data += f"\n（本副本编号 {i}）\n".encode()
        (sub / f"{i:04d}-{src.name}").write_bytes(data)
    bad = d / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (bad / "not_a_report.txt").write_text("红烧肉的做法：五花肉切块，焯水后加冰糖炒色。\n" * 20, encoding="utf-8")
    (bad / "unknown.xyz").write_bytes(b"\x00\x01 something")
    (bad / "same-as-0001.txt").write_bytes((d / "a" / f"0001-{reports[1].name}").read_bytes())
    os.symlink(bad / "missing-target.txt", bad / "dangling.txt")
    return d


@pytest.fixture(scope="module")
def reference(inputs, tmp_path_factory):
    """The local engine's records (path -> record dict) and summary."""
    out = tmp_path_factory.mktemp("ref") / "ref.jsonl"
    summary = run_batch([str(inputs)], out, workers=1, narrative=False)
    return {r.source.path: r.model_dump() for r in read_records(out)}, summary


def _by_path(records) -> dict[str, dict]:
    got: dict[str, dict] = {}
    for r in records:
        assert r.source.path not in got, f"two records for {r.source.path}"
        got[r.source.path] = r.model_dump()
    return got


def test_same_records_as_the_local_engine(local_ray, inputs, reference, tmp_path):
    ref, ref_summary = reference
    out = tmp_path / "out.parquet"
    out.mkdir()
    write_shard(out, "part-old.parquet", [Record.model_validate(next(iter(ref.values())))])  # replaced
    summary = run_ray([str(inputs)], out, workers=2, batch_size=32, narrative=False)
    shards = shard_files(out)
    assert len(shards) == -(-len(ref) // 32), "one shard per batch, the old shard gone"
    assert all(f.name.startswith("part-") for f in shards) and not (out / STAGING).exists()
    assert _by_path(read_records(out)) == ref
    assert (summary.total, summary.status, summary.error_codes, summary.failing_checks) == (
        ref_summary.total, ref_summary.status, ref_summary.error_codes, ref_summary.failing_checks)
    # any Parquet reader takes the directory as one table, with the local writer's columns
    table = pq.read_table(out)
    assert table.num_rows == len(ref) and "record_json" in table.column_names
    assert existing_hashes(out) == {r["source"]["sha256"] for r in ref.values()} - {""}


def test_cli_writes_jsonl(local_ray, inputs, reference, tmp_path):
    from nianbao.cli import app

    ref, _ = reference
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["extract", str(inputs), "-o", str(out), "--engine", "ray", "--no-narrative"])
    assert res.exit_code == 0, res.output
    assert f"{len(ref)}" in res.output
    assert _by_path(read_records(out)) == ref


def _kill_busy_worker_once(out: Path, killed: list[int], stop: threading.Event) -> None:
    """When the first shard is written, SIGKILL one Ray worker that is running a batch
    (its process title ends in '.submit'), as the OOM killer would."""
    while not stop.is_set() and not killed:
        if shard_files(out):
            for p in psutil.process_iter(["cmdline"]):
                title = (p.info["cmdline"] or [""])[0]
                if "MapWorker" in title and title.endswith(".submit"):
                    os.kill(p.pid, signal.SIGKILL)
                    killed.append(p.pid)
                    break
        time.sleep(0.005)


@pytest.mark.parametrize("retries", [3, 0], ids=["batch-retried", "retries-spent-inputs-rerun-alone"])
def test_killed_worker_loses_nothing_and_duplicates_nothing(local_ray, inputs, reference, tmp_path, retries):
    ref, _ = reference
    out = tmp_path / "out.parquet"
    killed: list[int] = []
    stop = threading.Event()
    killer = threading.Thread(target=_kill_busy_worker_once, args=(out, killed, stop), daemon=True)
    killer.start()
    try:
        summary = run_ray([str(inputs)], out, workers=2, batch_size=8, retries=retries, narrative=False)
    finally:
        stop.set()
        killer.join()
    assert killed, "no worker was busy to be killed"
    assert summary.total == len(ref)
    assert _by_path(read_records(out)) == ref
    if retries == 0:  # the killed batch was lost, and its inputs were run again one per task
        assert any(pq.read_metadata(f).num_rows == 1 for f in shard_files(out))


def test_resume_completes_a_partial_run_without_duplicates(local_ray, inputs, reference, tmp_path):
    ref, _ = reference
    paths = expand_inputs([str(inputs)])
    hashless = {p for p, r in ref.items() if not r["source"]["sha256"]}
    first = [p for p in paths[: len(paths) // 3] if p not in hashless]
    out = tmp_path / "out.parquet"
    # the partial run: the local engine's single Parquet file, then a Ray run cut short
    # (a third of the inputs written, a half-written shard left in staging)
    run_batch(first[:20], out, narrative=False)
    s1 = run_ray(first, out, resume=True, workers=2, batch_size=16, narrative=False)
    assert (s1.total, s1.skipped) == (len(first) - 20, 20)
    (out / STAGING).mkdir()
    (out / STAGING / "part-cut-000000000.parquet.partial").write_bytes(b"PAR1 cut short")
    before = set(read_shards(out, ["path"]).column("path").to_pylist())
    done = {ref[p]["source"]["sha256"] for p in before}
    # a copy with the same bytes as a report already written counts as done
    expected = {p: r for p, r in ref.items() if p in before or r["source"]["sha256"] not in done}
    assert len(expected) == len(ref) - 1
    s2 = run_ray([str(inputs)], out, resume=True, workers=2, batch_size=16, narrative=False)
    assert s2.skipped == len(ref) - len(expected) + len(before)
    assert s2.total == len(expected) - len(before)
    assert _by_path(read_records(out)) == expected
    # nothing left to do: only inputs that have no sha256 (unreadable) run again
    s3 = run_ray([str(inputs)], out, resume=True, workers=2, batch_size=16, narrative=False)
    assert (s3.total, s3.skipped) == (len(hashless), len(ref) - len(hashless))
    assert not (out / STAGING).exists()


def test_a_shard_that_cannot_be_written_stops_the_run(local_ray, inputs, tmp_path):
    out = tmp_path / "out.parquet"
    out.mkdir()
    (out / STAGING).write_text("a file where the staging folder should be")
    with pytest.raises(RuntimeError, match="could not go on: FileExistsError"):
        run_ray([str(inputs / "bad")], out, workers=1, narrative=False)
    assert not shard_files(out)
