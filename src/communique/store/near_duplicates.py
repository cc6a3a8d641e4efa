"""The store's near-duplicate index: MinHash signatures and LSH band keys in two tables (migration 4),
read and written inside the caller's transaction. Nothing grows in memory with the store, and a
rolled-back document leaves no trace in the index."""
from __future__ import annotations

import sqlite3

from ..resolve import duplicates


class NearDuplicates:
    """The current documents' signatures, queried through the band-key index one document at a time."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def insert(self, doc: str, mh) -> None:
        self.conn.execute("INSERT INTO minhash_signatures (doc, signature) VALUES (?,?)",
                          (doc, duplicates.to_bytes(mh)))
        self.conn.executemany("INSERT INTO minhash_bands (key, doc) VALUES (?,?)",
                              [(band, doc) for band in duplicates.band_keys(mh)])

    def remove(self, doc: str) -> None:
        self.conn.execute("DELETE FROM minhash_bands WHERE doc = ?", (doc,))
        self.conn.execute("DELETE FROM minhash_signatures WHERE doc = ?", (doc,))

    def query(self, mh, limit: int = duplicates.MAX_CANDIDATES) -> list[tuple[str, float]]:
        """(doc, estimated Jaccard) at or above the threshold, best first; at most `limit` LSH
        candidates are scored, so a text copied thousands of times costs no more than one copied
        a few times."""
        keys = duplicates.band_keys(mh)
        rows = self.conn.execute(
            "SELECT doc, signature FROM minhash_signatures WHERE doc IN"
            f" (SELECT DISTINCT doc FROM minhash_bands WHERE key IN ({','.join('?' * len(keys))})"
            "  LIMIT ?)", (*keys, limit)).fetchall()
        return duplicates.best(mh, [(doc, duplicates.from_bytes(blob)) for doc, blob in rows])
