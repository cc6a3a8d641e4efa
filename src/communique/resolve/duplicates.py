"""Near-duplicate documents: MinHash over word shingles (datasketch), LSH over hashed bands.

A release republished with small edits (a corrected figure, a changed headline) shares almost all
its 5-word shingles with the original; Jaccard >= THRESHOLD links the two and their facts count once.

Candidates are the documents that share one of BANDS hashed bands of the signature (LSH); the
store keeps signatures and bands in SQLite (store/near_duplicates.py).
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from .identity import fold

NUM_PERM = 128
SHINGLE = 5
THRESHOLD = 0.8
# bands x rows per band: what datasketch's MinHashLSH chooses for THRESHOLD 0.8 and 128 permutations
BANDS, ROWS = 9, 13
MAX_CANDIDATES = 100


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    words = fold(text).split()
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


def minhash(text: str) -> MinHash:
    mh = _template().copy()   # its permutations shared, not drawn again for every text
    mh.update_batch([sh.encode("utf-8") for sh in shingles(text)])
    return mh


def signature(text: str) -> bytes:
    """The text's MinHash as bytes: what the store keeps, computed where the text is extracted."""
    return to_bytes(minhash(text))


@lru_cache(maxsize=1)
def _template() -> MinHash:
    """An empty MinHash: never updated itself, copied for each text."""
    return MinHash(num_perm=NUM_PERM, seed=1)


def to_bytes(mh: MinHash) -> bytes:
    return np.asarray(mh.hashvalues, dtype=_template().hashvalues.dtype).tobytes()


class Stored:
    """A signature read back from the store: its hash values, compared without rebuilding a
    datasketch MinHash (whose constructor draws its permutations again: slow, and not needed)."""

    __slots__ = ("hashvalues",)

    def __init__(self, hashvalues: np.ndarray):
        self.hashvalues = hashvalues

    def jaccard(self, other) -> float:
        return jaccard(self, other)


def jaccard(a, b) -> float:
    """Estimated Jaccard similarity of two signatures (MinHash or Stored)."""
    return float(np.count_nonzero(a.hashvalues == b.hashvalues)) / NUM_PERM


def from_bytes(blob: bytes) -> Stored:
    return Stored(np.frombuffer(blob, dtype=_template().hashvalues.dtype))


def band_keys(mh: MinHash) -> list[int]:
    """One signed 64-bit key per band: documents sharing a key are LSH candidates."""
    raw = to_bytes(mh)
    width = len(raw) // NUM_PERM * ROWS
    return [int.from_bytes(hashlib.blake2b(bytes([band]) + raw[band * width:(band + 1) * width],
                                           digest_size=8).digest(), "big", signed=True)
            for band in range(BANDS)]


def best(mh: MinHash, candidates, threshold: float = THRESHOLD) -> list[tuple[str, float]]:
    """(key, estimated Jaccard) of the candidates (key, signature) at or above the threshold,
    best first."""
    found = []
    for key, other in candidates:
        score = jaccard(mh, other)
        if score >= threshold:
            found.append((key, float(score)))
    return sorted(found, key=lambda kv: (-kv[1], kv[0]))


class NearDuplicates:
    """An LSH index in memory (band key -> documents). The store keeps the same bands in SQLite
    (store/near_duplicates.py), so that its memory does not grow with the documents."""

    def __init__(self, threshold: float = THRESHOLD):
        self.threshold = threshold
        self._bands: dict[int, list[str]] = {}
        self._sigs: dict[str, MinHash] = {}

    def insert(self, key: str, mh: MinHash) -> None:
        if key in self._sigs:
            return
        for band in band_keys(mh):
            self._bands.setdefault(band, []).append(key)
        self._sigs[key] = mh

    def query(self, mh: MinHash, limit: int = MAX_CANDIDATES) -> list[tuple[str, float]]:
        """Like the store's index: at most `limit` LSH candidates are scored."""
        keys = dict.fromkeys(k for band in band_keys(mh) for k in self._bands.get(band, ()))
        return best(mh, [(k, self._sigs[k]) for k in list(keys)[:limit]], self.threshold)
