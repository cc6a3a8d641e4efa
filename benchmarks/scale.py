"""Ingest + merge time and memory as the store grows: 1k, 10k (, 100k) generated documents.

Each size runs in a fresh process (so its peak memory is its own) doing what `communique ingest`
does for a JSON Lines file: read_sources -> prepare -> extract -> Store.add (one transaction per
document, merged into the knowledge base). It reports the time spent extracting (the part that
scales out: `communique batch`) apart from the time spent merging (Store.add, one writer), the
merge cost per document at every tenth of the run (does merging slow down as the store grows?),
the resident memory at each tenth and the peak.

    python benchmarks/scale.py [--sizes 1000,10000] [--workdir /tmp/communique-bench]
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


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_one(corpus: str, db: str) -> dict:
    from communique.errors import InputError
    from communique.extract.pipeline import extract
    from communique.ingest import prepare, read_sources
    from communique.store import Store

    for suffix in ("", "-wal", "-shm"):
        Path(db + suffix).unlink(missing_ok=True)
    n = sum(1 for _ in open(corpus, "rb"))
    step = max(n // 10, 1)
    t_extract = t_add = 0.0
    chunk_add = 0.0
    checkpoints, counts, words = [], {}, 0
    start = time.perf_counter()
    with Store(db) as store:
        for i, item in enumerate(read_sources([corpus], max_bytes=None), 1):
            if isinstance(item, InputError):
                counts["error"] = counts.get("error", 0) + 1
                continue
            t0 = time.perf_counter()
            x = extract(prepare(item))
            t1 = time.perf_counter()
            outcome = store.add(x)
            t2 = time.perf_counter()
            words += len(item.text.split())
            t_extract += t1 - t0
            t_add += t2 - t1
            chunk_add += t2 - t1
            counts[outcome] = counts.get(outcome, 0) + 1
            if i % step == 0:
                checkpoints.append({"docs": i, "elapsed_s": round(time.perf_counter() - start, 1),
                                    "merge_ms_per_doc": round(1000 * chunk_add / step, 2),
                                    "rss_mb": round(rss_mb())})
                chunk_add = 0.0
                print(json.dumps(checkpoints[-1]), file=sys.stderr, flush=True)
    total = time.perf_counter() - start
    return {
        "documents": n, "words": words, "outcomes": counts, "total_s": round(total, 1),
        "extract_s": round(t_extract, 1), "merge_s": round(t_add, 1),
        "extract_ms_per_doc": round(1000 * t_extract / n, 2),
        "merge_ms_per_doc": round(1000 * t_add / n, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "db_mb": round(sum(Path(db + s).stat().st_size for s in ("", "-wal")
                           if Path(db + s).exists()) / 2**20, 1),
        "checkpoints": checkpoints,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--workdir", default="/tmp/communique-bench")
    ap.add_argument("--one", nargs=2, metavar=("CORPUS", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(*args.one)))
        return
    sys.path.insert(0, str(HERE))
    import corpus

    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    print(f"# scale benchmark, {datetime.now().isoformat(timespec='minutes')}, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        path = work / f"corpus-{n}.jsonl"
        if not path.exists():
            corpus.write(n, path)
        db = str(work / f"store-{n}.db")
        proc = subprocess.run([sys.executable, __file__, "--one", str(path), db],
                              stdout=subprocess.PIPE, text=True, check=True)
        r = json.loads(proc.stdout)
        results.append(r)
        print(f"{n:>7} docs  {r['words']:>9} words  total {r['total_s']:>7} s  "
              f"extract {r['extract_ms_per_doc']:>6} ms/doc  merge {r['merge_ms_per_doc']:>6} "
              f"ms/doc  peak RSS {r['peak_rss_mb']} MB  db {r['db_mb']} MB", flush=True)
        print("         merge ms/doc by tenth: "
              + " ".join(str(c["merge_ms_per_doc"]) for c in r["checkpoints"]), flush=True)
        print("         RSS MB by tenth:       "
              + " ".join(str(c["rss_mb"]) for c in r["checkpoints"]), flush=True)
    (work / "scale.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
