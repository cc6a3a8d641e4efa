"""API latency under concurrency: p50/p95 of timeline, dossier and search with 20 clients.

Starts `communique serve` (uvicorn, `--workers` processes, read-only) on 127.0.0.1 over a store
(the largest one benchmarks/scale.py built, by default), then runs 20 client threads, each making
a bounded number of requests cycling through the endpoints below, and prints per-endpoint latency.

    python benchmarks/api_latency.py [--db /tmp/communique-bench/store-10000.db] [--clients 20]
        [--requests 30] [--workers 1]

`--in-process N` instead calls each endpoint's function N times in this process, one at a time,
without HTTP (opening the store, the queries, the JSON answer; the endpoints above and the other
lists), and prints the median and the fastest time per request.
"""
from __future__ import annotations

import argparse
import asyncio
import inspect
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import cpu_ticks, shares  # noqa: E402

ENDPOINTS = {
    "timeline actor=BE": "/api/timeline?actor=BE",
    "timeline type=meeting 2019": "/api/timeline?type=meeting&from=2019&to=2019",
    "dossier BE": "/api/dossier/BE",
    "dossier NL": "/api/dossier/NL",
    "search F-16": "/api/search?q=F-16",
    "search coalition ministers": "/api/search?q=coalition%20ministers",
}

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def largest_store(workdir: str) -> str | None:
    stores = sorted(Path(workdir).glob("store-*.db"),
                    key=lambda p: int(p.stem.split("-")[1]))
    return str(stores[-1]) if stores else None


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and all its descendants (Linux /proc; 0 elsewhere)."""
    try:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as fh:
                        fields = fh.read().rsplit(")", 1)[1].split()
                    children.setdefault(int(fields[1]), []).append(int(entry))
                except OSError:
                    continue
        total, todo = 0.0, [pid]
        while todo:
            p = todo.pop()
            try:
                with open(f"/proc/{p}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except OSError:
                pass
            todo += children.get(p, [])
        return total
    except OSError:
        return 0.0


def count_documents(db: str) -> int:
    """(the API counts up to its COUNT_LIMIT only)"""
    import sqlite3

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT COUNT(*) FROM documents WHERE current = 1").fetchone()[0]


def in_process(db: str, n: int) -> None:
    """Each endpoint's own function (the API module's), called as FastAPI would after routing and
    validation: it opens the store, queries it and renders the JSON answer."""
    from types import SimpleNamespace

    from communique.store import search
    from communique.web import api

    search.warm()
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(db_path=db, token=None)))
    page = {"limit": 100, "offset": 0}
    events = {"type": None, "actor": None, "date_from": None, "date_to": None, "limit": 50,
              "offset": 0}
    calls = {
        "timeline actor=BE": lambda: api.timeline(request, **{**events, **page, "actor": "BE"}),
        "timeline type=meeting 2019": lambda: api.timeline(
            request, **{**events, **page, "type": "meeting", "date_from": "2019",
                        "date_to": "2019"}),
        "dossier BE": lambda: api.dossier(request, "BE", full=False),
        "dossier NL": lambda: api.dossier(request, "NL", full=False),
        "search F-16": lambda: api.search(request, "F-16", limit=20),
        "search coalition ministers": lambda: api.search(request, "coalition ministers", limit=20),
        "events (first page)": lambda: api.events(request, **events),
        "events type=deployment 2021": lambda: api.events(
            request, **{**events, "type": "deployment", "date_from": "2021"}),
        "events from=2019 (page 3)": lambda: api.events(
            request, **{**events, "date_from": "2019", "offset": 100}),
        "documents": lambda: api.documents(request, limit=50, offset=0),
        "entities": lambda: api.entities(request, type=None, q=None, limit=50, offset=0),
        "entities type=person": lambda: api.entities(request, type="person", q=None, limit=50,
                                                     offset=0),
        "entity country:BE": lambda: api.entity(request, "country:BE", limit=100, offset=0),
    }
    print(f"# API in one process (no HTTP), {datetime.now().isoformat(timespec='minutes')}, "
          f"{platform.machine()}, {os.cpu_count()} cores; store {db} ({count_documents(db)}"
          f" documents); {n} calls per endpoint, one at a time")
    print(f"{'endpoint':<30} {'median ms':>10} {'min ms':>8} {'bytes':>9}")
    for name, call in calls.items():
        times = []
        for _ in range(n + 2):
            t = time.perf_counter()
            answer = call()
            if inspect.iscoroutine(answer):   # the API's views are async: run to completion
                answer = asyncio.run(answer)
            body = answer.body
            times.append((time.perf_counter() - t) * 1000)
        times = times[2:]  # (the first ones warm the caches)
        print(f"{name:<30} {statistics.median(times):>10.1f} {min(times):>8.1f} {len(body):>9}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=None)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=30, help="requests per client")
    ap.add_argument("--workers", type=int, default=1, help="server processes")
    ap.add_argument("--workdir", default="/tmp/communique-bench", help="where scale.py put stores")
    ap.add_argument("--in-process", type=int, default=0, metavar="N",
                    help="time each endpoint N times in this process (no HTTP, one at a time)")
    args = ap.parse_args()
    db = args.db or largest_store(args.workdir)
    if not db or not Path(db).exists():
        sys.exit("no store: run benchmarks/scale.py first or pass --db")
    if args.in_process:
        in_process(db, args.in_process)
        return
    import httpx

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from communique.cli import main; main()", "serve", "--db", db,
         "--port", str(port), "--workers", str(args.workers)], stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/api/documents?limit=1", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=60) as c:
            total_docs = count_documents(db)
            sizes = {name: len(c.get(url).content) for name, url in ENDPOINTS.items()}
        print(f"# API latency, {datetime.now().isoformat(timespec='minutes')}, "
              f"{platform.machine()}, {os.cpu_count()} cores; store {db} ({total_docs} documents);"
              f" {args.clients} clients x {args.requests} requests; uvicorn, {args.workers} process(es)")
        latencies: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
        errors: list[str] = []
        lock = threading.Lock()
        names = list(ENDPOINTS)

        def client(k: int) -> None:
            with httpx.Client(base_url=base, timeout=60) as c:
                for i in range(args.requests):
                    name = names[(k + i) % len(names)]
                    t = time.perf_counter()
                    r = c.get(ENDPOINTS[name])
                    dt = time.perf_counter() - t
                    with lock:
                        if r.status_code != 200:
                            errors.append(f"{name}: {r.status_code}")
                        latencies[name].append(dt * 1000)

        start = time.perf_counter()
        server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
        ticks = cpu_ticks()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        server_cpu = cpu_seconds(server.pid) - server_cpu
        client_cpu = time.process_time() - client_cpu
        machine = shares(ticks, cpu_ticks())
        n = sum(len(v) for v in latencies.values())
        print(f"{n} requests in {wall:.1f} s ({n / wall:.1f} requests/s), {len(errors)} errors;"
              f" CPU per request: server {1000 * server_cpu / n:.1f} ms, clients"
              f" {1000 * client_cpu / n:.1f} ms; CPU idle {machine['idle_pct']} %, stolen by the"
              f" host {machine['steal_pct']} %")
        print(f"{'endpoint':<30} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'bytes':>9}")
        for name, values in latencies.items():
            print(f"{name:<30} {len(values):>4} {statistics.median(values):>8.0f} "
                  f"{percentile(values, 0.95):>8.0f} {max(values):>8.0f} {sizes[name]:>9}")
        everything = [v for values in latencies.values() for v in values]
        print(f"{'all':<30} {len(everything):>4} {statistics.median(everything):>8.0f} "
              f"{percentile(everything, 0.95):>8.0f} {max(everything):>8.0f}")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
