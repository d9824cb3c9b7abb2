"""The Ray engine against the local engine on this machine: overhead, 1 vs 2 workers,
and peak memory on many small inputs.

    python benchmarks/ray_engine.py [--n 20000] [--narrative] [--batch-size 256]

The corpus .txt reports are replicated to N files (each copy with its own last line, so
its own sha256). Each configuration runs in a fresh child process writing a .parquet
OUT; while it runs, the resident memory (RSS) of the child and all its descendants (the
Ray processes it starts: workers, raylet, GCS…) is sampled every 0.2 s. Printed per
configuration: reports/s over the run (Ray's own start-up excluded, and its seconds shown
apart) and steady reports/s (from the first result to the last: the workers' start-up
excluded too), CPU seconds per report over all the processes, start-up included (which,
unlike speed, does not depend on what else the machine is running), peak RSS
summed over the processes (an upper bound: shared memory such as Ray's object store is
counted once per process that maps it), and the peak sum in the first and the second half
of the run. A last Ray run on N/4 inputs shows whether the peak grows with N. Then the
ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.throughput import replicate  # noqa: E402
from extraction.paths import CORPUS_DIR  # noqa: E402


def run_one(engine: str, inputs: str, out: str, workers: int, narrative: bool, batch_size: int) -> dict:
    """One run in this process (called in a child); returns its timings."""
    ticks: list[tuple[float, int]] = []  # (time, inputs done) at each progress report

    def progress(done: int, total: int) -> None:
        ticks.append((time.perf_counter(), done))

    t0 = time.perf_counter()
    if engine == "ray":
        import ray

        from extraction.ray_engine import run_ray

        ray.init(num_cpus=workers, include_dashboard=False, logging_level="error")
        startup = time.perf_counter() - t0
        s = run_ray([inputs], out, workers=workers, narrative=narrative, batch_size=batch_size,
                    progress=progress)
        ray.shutdown()
    else:
        from extraction.batch import run_batch

        startup = 0.0
        s = run_batch([inputs], out, workers=workers, narrative=narrative, progress=progress)
    # steady speed: from the first result to the last (the workers' start-up left out)
    (t_first, n_first), (t_last, n_last) = ticks[0], ticks[-1]
    steady = (n_last - n_first) / (t_last - t_first) if t_last > t_first else float("nan")
    return {"n": s.total, "seconds": s.seconds, "startup": startup, "steady_per_s": steady,
            "status": dict(s.status)}


def _tree_sample(proc: psutil.Process, cpu: dict[int, float]) -> tuple[int, int]:
    """(RSS of proc, RSS of proc plus all its descendants) in bytes; records each
    process's CPU seconds so far (user + system) in ``cpu``."""
    own = proc.memory_info().rss
    total = own
    for p in [proc, *proc.children(recursive=True)]:
        try:
            if p is not proc:
                total += p.memory_info().rss
            t = p.cpu_times()
            cpu[p.pid] = t.user + t.system
        except psutil.Error:
            continue
    return own, total


def measure(engine: str, inputs: Path, workers: int, narrative: bool, batch_size: int) -> dict:
    out = Path(tempfile.mkdtemp()) / "out.parquet"
    code = (f"import json,sys; sys.path.insert(0, {str(ROOT)!r}); from benchmarks.ray_engine import run_one; "
            f"print('RESULT', json.dumps(run_one({engine!r}, {str(inputs)!r}, {str(out)!r}, {workers}, "
            f"{narrative}, {batch_size})))")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True)
    proc = psutil.Process(child.pid)
    samples: list[tuple[float, int, int]] = []
    cpu: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            try:
                own, total = _tree_sample(proc, cpu)
                samples.append((time.perf_counter(), own, total))
            except psutil.Error:
                pass
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = child.communicate()
    done.set()
    sampler.join()
    if child.returncode:
        raise SystemExit(f"{engine} workers={workers} failed (exit {child.returncode})")
    fig = json.loads(next(line for line in stdout.splitlines() if line.startswith("RESULT"))[7:])
    fig["per_s"] = fig["n"] / fig["seconds"]
    # CPU time does not depend on what else the machine runs (the last 0.2 s are missed)
    fig["cpu_ms"] = 1000 * sum(cpu.values()) / fig["n"]
    # the run proper is the last `seconds` of the samples (start-up and imports come first)
    end = samples[-1][0]
    run = [s for s in samples if s[0] >= end - fig["seconds"]] or samples
    half = len(run) // 2
    mb = 1024 * 1024
    fig["peak_driver_mb"] = max(s[1] for s in samples) / mb
    fig["peak_total_mb"] = max(s[2] for s in samples) / mb
    fig["first_half_mb"] = max(s[2] for s in run[:half] or run) / mb
    fig["second_half_mb"] = max(s[2] for s in run[half:]) / mb
    return fig


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=20000, help="input files (default 20000)")
    ap.add_argument("--narrative", action="store_true", help="also run the narrative model (default: rules only)")
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--reports", type=Path, default=CORPUS_DIR / "reports")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        full, quarter = Path(tmp) / "full", Path(tmp) / "quarter"
        full.mkdir()
        quarter.mkdir()
        replicate(args.reports, full, args.n, {"txt"})
        replicate(args.reports, quarter, args.n // 4, {"txt"})
        path = "rules + narrative model" if args.narrative else "rules only"
        print(f"{args.n} txt files, {path}, batch size {args.batch_size}, {os.cpu_count()} cores")
        res = {}
        for engine, workers, d in (("local", 1, full), ("local", 2, full), ("ray", 1, full), ("ray", 2, full),
                                   ("ray", 2, quarter)):
            r = res[engine, workers, d.name] = measure(engine, d, workers, args.narrative, args.batch_size)
            startup = f" + {r['startup']:.1f} s Ray start-up" if engine == "ray" else ""
            print(f"  {engine:5s} workers={workers} n={r['n']}: {r['per_s']:6.1f} reports/s ({r['seconds']:.1f} s{startup}),"
                  f" steady {r['steady_per_s']:6.1f} reports/s; CPU {r['cpu_ms']:.2f} ms/report (all processes);"
                  f"  peak RSS: all processes {r['peak_total_mb']:.0f} MB, driver {r['peak_driver_mb']:.0f} MB;"
                  f" 1st/2nd half of the run {r['first_half_mb']:.0f}/{r['second_half_mb']:.0f} MB  {r['status']}")
        local1, ray1, ray2 = res["local", 1, "full"], res["ray", 1, "full"], res["ray", 2, "full"]
        local2 = res["local", 2, "full"]
        for key, name in (("per_s", "whole run"), ("steady_per_s", "steady")):
            print(f"  {name}: Ray overhead on one worker (local ÷ Ray reports/s) {local1[key] / ray1[key]:.2f}x;"
                  f" 2 workers ÷ 1: Ray {ray2[key] / ray1[key]:.2f}x, local {local2[key] / local1[key]:.2f}x")
        print(f"  CPU per report, Ray ÷ local (one worker each): {ray1['cpu_ms'] / local1['cpu_ms']:.2f}x")
        print(f"  Ray peak RSS, {args.n} inputs ÷ {args.n // 4} inputs (2 workers): "
              f"{ray2['peak_total_mb'] / res['ray', 2, 'quarter']['peak_total_mb']:.2f}x")

if __name__ == "__main__":
    main()
