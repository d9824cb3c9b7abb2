"""Throughput and memory of ``extract`` on the corpus replicated to ≥ 1,000 files.

    python benchmarks/throughput.py [--n 1000] [--narrative] [--formats txt]

Each configuration runs in a fresh process; peak memory is the largest resident set of
any process of that run (the driver or one worker), from getrusage. Prints reports/s
for 1 and 2 workers, their ratio, and reports/s per core.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extraction.paths import CORPUS_DIR  # noqa: E402


def replicate(src_dir: Path, dst: Path, n: int, formats: set[str]) -> int:
    """Copy the corpus reports of the given formats into dst until there are n files;
    each copy gets a distinct trailing line so every file has its own sha256."""
    files = sorted(p for p in src_dir.iterdir() if p.suffix.lstrip(".") in formats)
    if not files:
        raise SystemExit(f"no {formats} reports in {src_dir}")
    for i in range(n):
        src = files[i % len(files)]
        out = dst / f"{i:06d}-{src.name}"
        if src.suffix in (".txt", ".md"):
            out.write_bytes(src.read_bytes() + f"\n<!-- copy {i} -->\n".encode())
        else:
            shutil.copy(src, out)
    return n


def run_one(inputs: str, workers: int, narrative: bool) -> dict:
    """Run a batch in this process (called in a child); returns timing figures."""
    from extraction.batch import run_batch

    out = Path(tempfile.mkdtemp()) / "out.jsonl"
    t0 = time.perf_counter()
    s = run_batch([inputs], out, workers=workers, narrative=narrative)
    dt = time.perf_counter() - t0
    peak_kb = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)  # the pool's workers
    return {"n": s.total, "seconds": dt, "status": dict(s.status), "peak_mb": peak_kb / 1024}


def measure(inputs: Path, workers: int, narrative: bool) -> dict:
    code = (f"import json,sys; sys.path.insert(0, {str(ROOT)!r}); from benchmarks.throughput import run_one; "
            f"print(json.dumps(run_one({str(inputs)!r}, {workers}, {narrative})))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    fig = json.loads(res.stdout.strip().splitlines()[-1])
    fig["per_s"] = fig["n"] / fig["seconds"]
    return fig


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--formats", default="txt", help="comma-separated: txt,md,html,pdf")
    ap.add_argument("--narrative", action="store_true", help="also run the narrative model")
    ap.add_argument("--reports", type=Path, default=CORPUS_DIR / "reports")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        replicate(args.reports, d, args.n, set(args.formats.split(",")))
        path = "rules + narrative model" if args.narrative else "rules only"
        print(f"{args.n} files ({args.formats}), {path}, {os.cpu_count()} cores")
        results = {}
        for w in (1, 2):
            results[w] = measure(d, w, args.narrative)
            r = results[w]
            print(f"  workers={w}: {r['per_s']:8.1f} reports/s  ({r['seconds']:.2f} s)  "
                  f"peak memory {r['peak_mb']:.0f} MB per process  status {r['status']}")
        print(f"  ratio 2 workers / 1 worker: {results[2]['per_s'] / results[1]['per_s']:.2f}x")
        print(f"  per core: {results[1]['per_s']:.1f} reports/s (target ≥ 200 rules-only on txt)")


if __name__ == "__main__":
    main()
