"""Ingest + merge time and memory as the store grows: 1k, 10k (, 100k) generated documents.

Each size runs in a fresh process (so its peak memory is its own) doing what `communique ingest`
does for a JSON Lines file, through the same code (`ingest.workers.extracted`): read_sources, then
prepare -> extract in `--workers` processes (default: one per CPU), then Store.add in input order
in this process (through Store.batch: each document whole, committed 50 at a time or every
second, merged into the knowledge base). It reports the
time spent merging (Store.add, the one writer) apart from the time the writer waited for
extractions, the merge cost (wall clock, and CPU time of the writer, which other load on the
machine does not inflate) per document at every tenth of the run (does merging slow down as the
store grows?), the writer's resident memory at each tenth and its peak, the peak of the
largest extraction worker, and the share of the machine's CPU time that was idle or stolen by the
host of a virtual machine (a slower run on a busy host is not slower code).

    python benchmarks/scale.py [--sizes 1000,10000] [--workers 2] [--workdir /tmp/communique-bench]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from machine import cpu_ticks, shares  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_one(corpus: str, db: str, workers: int) -> dict:
    from communique.errors import InputError
    from communique.ingest import read_sources
    from communique.ingest.workers import extracted
    from communique.store import Store

    for suffix in ("", "-wal", "-shm"):
        Path(db + suffix).unlink(missing_ok=True)
    n = sum(1 for _ in open(corpus, "rb"))
    step = max(n // 10, 1)
    t_wait = t_add = cpu_add = 0.0
    chunk_add = chunk_cpu = 0.0
    checkpoints, counts, words = [], {}, 0
    start = time.perf_counter()
    ticks_start = ticks_tenth = cpu_ticks()
    with Store(db) as store, store.batch() as add:
        results = extracted(read_sources([corpus], max_bytes=None, conventions=False), workers,
                            lambda doc: not store.has_document(doc.content_hash), sign=True)
        t0 = time.perf_counter()
        for i, (item, x) in enumerate(results, 1):
            t1, c1 = time.perf_counter(), time.process_time()
            if isinstance(item, InputError) or not hasattr(x, "document"):
                counts["error"] = counts.get("error", 0) + 1
                t0 = time.perf_counter()
                continue
            outcome = add(x)
            t2, c2 = time.perf_counter(), time.process_time()
            words += len(item.text.split())
            t_wait += t1 - t0
            t_add += t2 - t1
            chunk_add += t2 - t1
            cpu_add += c2 - c1
            chunk_cpu += c2 - c1
            counts[outcome] = counts.get(outcome, 0) + 1
            t0 = time.perf_counter()
            if i % step == 0:
                checkpoints.append({"docs": i, "elapsed_s": round(time.perf_counter() - start, 1),
                                    "merge_ms_per_doc": round(1000 * chunk_add / step, 2),
                                    "merge_cpu_ms_per_doc": round(1000 * chunk_cpu / step, 2),
                                    "rss_mb": round(rss_mb()),
                                    **shares(ticks_tenth, cpu_ticks())})
                ticks_tenth = cpu_ticks()
                chunk_add = chunk_cpu = 0.0
                print(json.dumps(checkpoints[-1]), file=sys.stderr, flush=True)
    total = time.perf_counter() - start
    return {
        "documents": n, "words": words, "workers": workers, "outcomes": counts,
        "total_s": round(total, 1), "wait_s": round(t_wait, 1), "merge_s": round(t_add, 1),
        "wait_ms_per_doc": round(1000 * t_wait / n, 2),
        "merge_ms_per_doc": round(1000 * t_add / n, 2),
        "merge_cpu_ms_per_doc": round(1000 * cpu_add / n, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "worker_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "db_mb": round(sum(Path(db + s).stat().st_size for s in ("", "-wal")
                           if Path(db + s).exists()) / 2**20, 1),
        "checkpoints": checkpoints,
        **shares(ticks_start, cpu_ticks()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--workdir", default="/tmp/communique-bench")
    ap.add_argument("--workers", type=int, default=None,
                    help="extraction processes (default: one per CPU, as `communique ingest`)")
    ap.add_argument("--one", nargs=2, metavar=("CORPUS", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    from communique.ingest.workers import default_workers

    workers = args.workers or default_workers()
    if args.one:
        print(json.dumps(run_one(*args.one, workers)))
        return
    import corpus

    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    print(f"# scale benchmark, {datetime.now().isoformat(timespec='minutes')}, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; {workers} extraction workers")
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        path = work / f"corpus-{n}.jsonl"
        if not path.exists():
            corpus.write(n, path)
        db = str(work / f"store-{n}.db")
        proc = subprocess.run([sys.executable, __file__, "--one", str(path), db,
                               "--workers", str(workers)],
                              stdout=subprocess.PIPE, text=True, check=True)
        r = json.loads(proc.stdout)
        results.append(r)
        print(f"{n:>7} docs  {r['words']:>9} words  total {r['total_s']:>7} s  "
              f"merge {r['merge_ms_per_doc']:>6} ms/doc ({r['merge_cpu_ms_per_doc']} CPU)  waiting for extraction "
              f"{r['wait_ms_per_doc']:>6} ms/doc  peak RSS writer {r['peak_rss_mb']} MB, "
              f"largest worker {r['worker_peak_rss_mb']} MB  db {r['db_mb']} MB", flush=True)
        print("         merge ms/doc by tenth: "
              + " ".join(str(c["merge_ms_per_doc"]) for c in r["checkpoints"]), flush=True)
        print("         merge CPU ms/doc by tenth: "
              + " ".join(str(c["merge_cpu_ms_per_doc"]) for c in r["checkpoints"]), flush=True)
        print("         RSS MB by tenth:       "
              + " ".join(str(c["rss_mb"]) for c in r["checkpoints"]), flush=True)
        print(f"         CPU idle {r['idle_pct']} %, stolen by the host {r['steal_pct']} %;"
              " stolen % by tenth: " + " ".join(str(c["steal_pct"]) for c in r["checkpoints"]),
              flush=True)
    (work / "scale.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
