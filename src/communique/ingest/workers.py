"""Extraction in a pool of worker processes, the results handed back in input order.

`communique ingest` reads the sources in its own process, sends the documents it has not stored
yet to the workers in small batches, and stores each extraction as it comes back, in the order of
the input (one writer: the store is one SQLite file). The input is read only a few batches ahead,
so memory stays flat however long the input is.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from ..errors import InputError
from ..model import Document, Extraction

BATCH = 8   # documents per task: fewer round trips between the processes
AHEAD = 4   # tasks queued per worker: how far ahead of the writer the input is read
WORKER_NICENESS = 19  # workers yield the CPU to the one writer whenever they share its core

Outcome = Extraction | str | None


def default_workers() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def extract_one(document: Document, sign: bool = False) -> Extraction | str:
    """The document's Extraction, or why it failed (`TypeName: message`); `sign`: with what the
    store computes from it alone (its near-duplicate signature, its JSON: store.prepare), here,
    in parallel, not in the one process that writes."""
    from ..extract.pipeline import extract
    from . import prepare

    try:
        extraction = extract(prepare(document))
        if sign:
            from ..store.db import prepare as prepare_for_store

            extraction.prepared = prepare_for_store(extraction)
        return extraction
    except Exception as err:  # noqa: BLE001 - one bad document must not stop the others
        return f"{type(err).__name__}: {err}"


def _extract_batch(documents: list[Document], sign: bool) -> list[Extraction | str]:
    return [extract_one(doc, sign) for doc in documents]


def _follow_parent(parent: int) -> None:
    """A worker ends when the process that started it is gone (even killed with -9): nothing
    else would tell it, its queue stays open. It also yields the CPU to the process that stores
    what it extracts: that one writer is the pipeline's narrowest point, the workers fill the
    time it leaves."""
    try:
        os.nice(WORKER_NICENESS)
    except OSError:
        pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def extracted(items: Iterable[Document | InputError], workers: int = 1,
              wanted: Callable[[Document], bool] = lambda doc: True, sign: bool = False
              ) -> Iterator[tuple[Document | InputError, Outcome]]:
    """(item, outcome) for every item, in input order: the Extraction, why extraction failed, or
    None for an InputError and for a document that `wanted` turned down (already stored).
    workers=1 extracts in this process; more start that many worker processes. `sign`: each
    Extraction comes with what a store computes from it alone (store.prepare)."""
    if workers <= 1:
        for item in items:
            sent = isinstance(item, Document) and wanted(item)
            yield item, extract_one(item, sign) if sent else None
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_follow_parent, initargs=(os.getpid(),))
    window: deque[tuple[list[tuple[Document | InputError, bool]], Future | None]] = deque()

    def submit(batch: list[tuple[Document | InputError, bool]]) -> None:
        docs = [item for item, sent in batch if sent]
        window.append((batch, pool.submit(_extract_batch, docs, sign) if docs else None))

    def oldest() -> Iterator[tuple[Document | InputError, Outcome]]:
        batch, future = window.popleft()
        results = iter(future.result() if future else ())
        for item, sent in batch:
            yield item, next(results) if sent else None

    try:
        batch: list[tuple[Document | InputError, bool]] = []
        for item in items:
            sent = isinstance(item, Document) and wanted(item)
            batch.append((item, sent))
            if sum(s for _, s in batch) >= BATCH:
                submit(batch)
                batch = []
                if len(window) >= workers * AHEAD:
                    yield from oldest()
        if batch:
            submit(batch)
        while window:
            yield from oldest()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
