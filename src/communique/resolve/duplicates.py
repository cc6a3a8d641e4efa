"""Near-duplicate documents: MinHash over word shingles (datasketch), LSH for candidates.

A release republished with small edits (a corrected figure, a changed headline) shares almost all
its 5-word shingles with the original; Jaccard >= THRESHOLD links the two and their facts count once.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from datasketch import MinHash, MinHashLSH

from .identity import norm

NUM_PERM = 128
SHINGLE = 5
THRESHOLD = 0.8


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    words = norm(text).split()
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


def minhash(text: str) -> MinHash:
    mh = MinHash(num_perm=NUM_PERM, seed=1)
    for sh in shingles(text):
        mh.update(sh.encode("utf-8"))
    return mh


@lru_cache(maxsize=1)
def _template() -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=1)


def to_bytes(mh: MinHash) -> bytes:
    return np.asarray(mh.hashvalues, dtype=_template().hashvalues.dtype).tobytes()


def from_bytes(blob: bytes) -> MinHash:
    template = _template()
    values = np.frombuffer(blob, dtype=template.hashvalues.dtype)
    # datasketch >= 2 wants the hashing scheme named when restoring stored values
    extra = {"scheme": template.scheme} if getattr(template, "scheme", None) else {}
    return MinHash(num_perm=NUM_PERM, seed=1, hashvalues=values, **extra)


class NearDuplicates:
    """An LSH index of the stored documents' signatures (built from the store, kept in memory)."""

    def __init__(self, threshold: float = THRESHOLD):
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._sigs: dict[str, MinHash] = {}

    def insert(self, key: str, mh: MinHash) -> None:
        if key in self._sigs:
            return
        self._lsh.insert(key, mh)
        self._sigs[key] = mh

    def remove(self, key: str) -> None:
        if key in self._sigs:
            self._lsh.remove(key)
            del self._sigs[key]

    def __contains__(self, key: str) -> bool:
        return key in self._sigs

    def query(self, mh: MinHash, limit: int = 100) -> list[tuple[str, float]]:
        """(key, estimated Jaccard) of the stored documents at or above the threshold, best first;
        at most `limit` LSH candidates are scored, so a text copied thousands of times costs no
        more than one copied a few times."""
        found = []
        for n, key in enumerate(self._lsh.query(mh)):
            if n >= limit:
                break
            score = mh.jaccard(self._sigs[key])
            if score >= self.threshold:
                found.append((key, float(score)))
        return sorted(found, key=lambda kv: -kv[1])
