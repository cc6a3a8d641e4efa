"""The Store: one SQLite file (WAL), each document stored whole, facts merged on the way in."""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import quote as urlquote

from ..errors import CommuniqueError
from ..model import Extraction
from ..resolve import dates, duplicates, identity, ledger, merge, translations
from .near_duplicates import NearDuplicates
from .schema import latest_version, migrate


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def prepare(extraction: Extraction) -> dict:
    """What the store computes from an extraction alone, before it looks at what it holds: the
    text's near-duplicate signature, the extraction as JSON, the translation features, the rows
    of its extracted events and the aliases of its entities. Pure, so the processes that extract
    can compute it side by side (Extraction.prepared), leaving the one writer less to do."""
    doc = extraction.document
    stored = extraction.to_dict()
    stored["document"].pop("text", None)
    aliases = []
    for ent in extraction.entities:
        names = [ent.name, *ent.aliases, *(m.text for m in ent.mentions)]
        if ent.code:
            names.append(ent.code)
        aliases += [(ent.id, n, identity.norm(n)) for n in dict.fromkeys(names)
                    if n and identity.norm(n)]
    return {
        "signature": duplicates.signature(doc.text),
        "stored": json.dumps(stored, ensure_ascii=False),
        "features": translations.features(extraction),
        # extracted_events (type, fields, start, end, evidence, language, extractor, entities)
        "events": [(ev.type, _json(ev.fields), ev.start, ev.end, ev.evidence,
                    ev.language or doc.language_at(ev.start), ev.extractor, _json(ev.entities))
                   for ev in extraction.events],
        "titles": [merge.title(ev.type, ev.fields) for ev in extraction.events],  # for search
        "aliases": aliases,
    }


def _month(published: str | None) -> str:
    """`2021-03` of a date given to the month or day; '' for a year or no date."""
    value = dates.clean(published)
    return value[:7] if value and len(value) >= 7 else ""


# an event's entities carry copies of its type and timeline order (migration 5), written with them
# (else a trigger rewrites each new row to add them)
_EVENT_ENTITY = "(event_id, entity, role, type, sort_date, seq)"


# an extracted event as a source of merged events: with its document's date, order and length
_SOURCES = ('SELECT x.id AS xevent, x.doc, x.idx, x.type, x.fields, x.start, x."end", x.evidence,'
            " x.language, x.extractor, x.entities, d.published, d.seq, d.length AS doclen"
            " FROM extracted_events x JOIN documents d ON d.id = x.doc")


def _history_seq(entry: dict) -> int:
    """Where a report stands in a ledger's history, as a number that does not change when other
    reports join (its release's first possible day, then its extracted event's id: the order of
    ledger.order), so that a new report rewrites its own history row, not every later one."""
    first = dates.lo(entry.get("published"))
    day = (int(first[:4]) * 372 + (int(first[5:7]) - 1) * 31 + int(first[8:10])) if first else 0
    return day * 10**12 + int(entry["xevent"])


# Bounds that keep the cost of adding a document flat as the store grows: a real-world fact has
# few earlier records to merge with, a release few copies and translations.
MAX_DUPLICATE_LINKS = 3
MAX_TRANSLATION_CANDIDATES = 100
MAX_MERGE_CANDIDATES = 200
MAX_LEDGER_CANDIDATES = 30   # deployments and quotes: the newest periods, the speaker's quotes
MAX_FOLD_SOURCES = 20
WRITER_CACHE_KB = 128 * 1024
MAX_PARSED_SOURCES = 20_000  # parsed sources kept between documents (some tens of MB at most)
MAX_PROFILES = 5_000  # documents' translation profiles kept (the newest of a month are asked for)


class Store:
    """A knowledge base in one SQLite file.

    `add(extraction)` stores a document with its facts and merges them into the knowledge base, all
    or nothing (its own transaction, or a savepoint of `batch()`'s): "added", "unchanged" (same content already stored) or "new_version" (a changed
    document from the same source and id: the old version stays readable, is linked as `version`,
    and its facts stop counting: the merged events are rebuilt from the current versions only).
    """

    def __init__(self, path, *, readonly: bool = False):
        self.path = str(path)
        self.readonly = readonly
        self._lock = threading.RLock()
        self._uf: _Groups | None = None  # independent-source groups, loaded once, kept up to date
        self._people: _Persons | None = None  # persons by name token, loaded once, kept up to date
        # extracted event id -> that source parsed (a stored source never changes; bounded)
        self._parsed: dict[int, dict] = {}
        # merged event id -> its merged fields parsed (kept up to date by _rebuild; bounded)
        self._fields: dict[str, dict] = {}
        # (entity, alias) pairs known to be stored (an alias is never removed; bounded)
        self._aliases: set[tuple[str, str]] = set()
        # a name -> the entity it names (emptied when an alias or a person's identity changes)
        self._entities: dict[str, str | None] = {}
        # document id -> what it is judged on as a translation (bounded)
        self._profiles: dict[str, translations.Profile] = {}
        # the entities' numbers of documents that the documents added since the last commit add
        self._entity_counts = _DocumentCounts()
        self._batching = False  # inside batch(), which writes the counts as it commits
        try:
            if readonly:
                if not Path(self.path).exists():
                    raise CommuniqueError(f"{self.path}: no such database")
                uri = f"file:{urlquote(str(Path(self.path).resolve()))}?mode=ro"
                self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False,
                                            isolation_level=None)
            else:
                self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as err:
            raise CommuniqueError(f"{self.path}: cannot open the database: {err}") from err
        self.conn.row_factory = sqlite3.Row
        self._dups = NearDuplicates(self.conn)
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA busy_timeout = 10000")
        try:
            if readonly:
                version = self.conn.execute("PRAGMA user_version").fetchone()[0]
                if version != latest_version():
                    raise CommuniqueError(
                        f"{self.path}: schema version {version}, expected {latest_version()}"
                        " (open it once for writing to migrate)")
            else:
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = NORMAL")
                self.conn.execute("PRAGMA wal_autocheckpoint = 10000")
                # the writer's page cache (default 2 MB): the indexes it reads for every document
                # stay in memory as the file grows to gigabytes
                self.conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KB}")
                migrate(self.conn)
        except sqlite3.DatabaseError as err:
            self.conn.close()
            raise CommuniqueError(f"{self.path}: not a communique database: {err}") from err

    # -- life cycle -------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        """For store/ modules only (queries.py, search.py): SQL stays inside the store package."""
        with self._lock:
            return self.conn.execute(sql, params)

    def rows(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        with self._lock:
            return [dict(r) for r in self.conn.execute(sql, params).fetchall()]

    @contextmanager
    def snapshot(self) -> Iterator["Store"]:
        """Every read inside sees the same state of the file, even while another process writes
        (one WAL read transaction): a count and the page it counts always agree."""
        with self._lock:
            self.conn.execute("BEGIN DEFERRED")
            try:
                yield self
            finally:
                self.conn.execute("COMMIT")

    # -- documents --------------------------------------------------------------------------
    def has_document(self, content_hash: str) -> bool:
        with self._lock:
            row = self.conn.execute("SELECT 1 FROM documents WHERE content_hash = ?",
                                    (content_hash,)).fetchone()
        return row is not None

    def extractions(self, batch: int = 200) -> Iterator[Extraction]:
        """The current version of every document with its facts as extracted, in ingestion order,
        read `batch` documents at a time (an export of any size holds a batch)."""
        last = 0
        while True:
            rows = self.rows("SELECT seq, text, extraction FROM documents WHERE current = 1"
                             " AND seq > ? ORDER BY seq LIMIT ?", (last, batch))
            for row in rows:
                data = json.loads(row["extraction"])
                data["document"]["text"] = row["text"]
                yield Extraction.from_dict(data)
            if len(rows) < batch:
                return
            last = rows[-1]["seq"]

    def add(self, extraction: Extraction) -> str:
        """Store a document with its facts, merged: its own transaction, or a savepoint of the
        transaction of `batch()`."""
        if self.readonly:
            raise CommuniqueError(f"{self.path}: opened read-only")
        doc = extraction.document
        content_hash = doc.content_hash
        with self._lock:
            if self.has_document(content_hash):
                return "unchanged"
            ready = extraction.prepared or prepare(extraction)
            signature = duplicates.from_bytes(ready["signature"])
            nested = self.conn.in_transaction   # inside batch(): a savepoint of its transaction
            self.conn.execute("SAVEPOINT document" if nested else "BEGIN IMMEDIATE")
            try:
                # re-check inside the write lock: another process may have added it meanwhile
                if not nested and self.has_document(content_hash):
                    self.conn.execute("ROLLBACK")
                    return "unchanged"
                doc_id, previous = self._insert_document(extraction, ready)
                self._insert_facts(doc_id, extraction, ready)
                affected: set[str] = set()
                if previous:
                    affected |= self._retire(previous, doc_id)
                self._resolve_persons(extraction)
                linked = self._link(doc_id, extraction, ready, signature, previous)
                self._dups.insert(doc_id, signature)
                touched = self._merge_events(doc_id)
                groups = self._groups()
                for event_id in sorted(affected):
                    self._rebuild(event_id, groups)
                if linked:  # only a new link can make two stored events one fact
                    self._coalesce(touched, groups)
                self._entity_counts.done()
                if not (nested and self._batching):  # else batch() writes them as it commits
                    self._entity_counts.write(self.conn)
                self.conn.execute("RELEASE document" if nested else "COMMIT")
            except BaseException:
                self._entity_counts.begin()
                if nested and self.conn.in_transaction:
                    self.conn.execute("ROLLBACK TO document")
                    self.conn.execute("RELEASE document")
                elif self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                self._forget()
                raise
        return "new_version" if previous else "added"

    def _forget(self) -> None:
        """Drop what is remembered between documents: a rolled-back write may be in it."""
        self._uf = None  # links of the rolled-back document
        self._people = None  # its persons
        self._parsed.clear()  # the ids of its extracted events will be reused
        self._fields.clear()
        self._aliases.clear()
        self._profiles.clear()
        self._entities.clear()

    @contextmanager
    def batch(self, documents: int = 50, seconds: float = 1.0) -> Iterator[Callable[[Extraction], str]]:
        """`add` for a stream of documents, committed together every `documents` documents or
        `seconds` seconds: the pages they share are written once per commit, not once per
        document (a quarter less CPU per document). Each document is still all or nothing (a
        savepoint: one that fails leaves nothing, the others stay), readers see whole commits,
        a run killed midway loses only its last uncommitted documents, which a re-run stores
        again, and one stopped by an error keeps every document stored before it."""
        pending, since = 0, time.monotonic()

        def commit() -> None:
            nonlocal pending, since
            if self.conn.in_transaction:
                self._entity_counts.write(self.conn)
                self.conn.execute("COMMIT")
            pending, since = 0, time.monotonic()

        def add(extraction: Extraction) -> str:
            nonlocal pending
            with self._lock:
                if not self.conn.in_transaction:
                    self.conn.execute("BEGIN IMMEDIATE")
                try:
                    return self.add(extraction)
                finally:
                    pending += 1
                    if pending >= documents or time.monotonic() - since >= seconds:
                        commit()

        self._batching = True
        try:
            yield add
        finally:  # what was stored stays, also when the caller stops on an error: each document
            with self._lock:  # in it is whole (a failed one went back to its savepoint)
                self._batching = False
                try:
                    commit()
                except sqlite3.Error:
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    self._entity_counts.pending.clear()
                    self._forget()
                    raise

    # -- insertion --------------------------------------------------------------------------
    def _insert_document(self, extraction: Extraction, ready: dict) -> tuple[str, str | None]:
        doc = extraction.document
        prev = self.conn.execute(
            "SELECT id FROM documents INDEXED BY documents_source"
            " WHERE source = ? AND name = ? AND current = 1",
            (doc.source or "", doc.id)).fetchone()
        doc_id = doc.id
        if self.conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone():
            doc_id = f"{doc.id}@{doc.content_hash[:8]}"
        seq = self.conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM documents").fetchone()[0]
        self.conn.execute(
            "INSERT INTO documents (id, name, source, content_hash, title, published,"
            " published_precision, languages, text, url, version_of, current, seq, ingested_at,"
            " extraction, features, length, month) VALUES (?,?,?,?,?,?,?,?,?,?,?,1,?,?,?,?,?,?)",
            (doc_id, doc.id, doc.source or "", doc.content_hash, doc.title,
             dates.clean(doc.published), dates.precision(doc.published), _json(doc.languages),
             doc.text, doc.url, prev["id"] if prev else None, seq,
             datetime.now(timezone.utc).isoformat(timespec="seconds"),
             ready["stored"], _json(ready["features"]), len(doc.text), _month(doc.published)))
        self.conn.executemany(
            'INSERT INTO segments (doc, start, "end", language) VALUES (?,?,?,?)',
            [(doc_id, s.start, s.end, s.language) for s in doc.segments])
        self.conn.execute(
            "INSERT INTO search_fts (title, body, kind, doc, xevent) VALUES (?,?,?,?,NULL)",
            (doc.title or "", doc.text, "document", doc_id))
        return doc_id, (prev["id"] if prev else None)

    def _insert_facts(self, doc_id: str, extraction: Extraction, ready: dict) -> None:
        """The document's entities, mentions and extracted events, in a few statements."""
        ids = list(dict.fromkeys(ent.id for ent in extraction.entities))
        stored = {r["id"]: r for r in self.conn.execute(
            "SELECT id, roles, code, country, qid, coordinates, same_as FROM entities"
            f" WHERE id IN ({','.join('?' * len(ids))})", ids)} if ids else {}
        # the document counts once for each entity group it names (a new entity is its own group)
        self._entity_counts.name({(stored[e]["same_as"] or e) if e in stored else e for e in ids})
        if len(self._aliases) > MAX_PARSED_SOURCES:
            self._aliases.clear()
        mentions = []
        for ent in extraction.entities:
            self._upsert_entity(ent, stored)
            mentions += [(doc_id, ent.id, m.start, m.end, m.text, m.language) for m in ent.mentions]
        aliases = [row for row in ready["aliases"] if (row[0], row[1]) not in self._aliases]
        self.conn.executemany("INSERT OR IGNORE INTO doc_entities (doc, entity) VALUES (?,?)",
                              [(doc_id, e) for e in ids])
        if aliases:
            self.conn.executemany(
                "INSERT OR IGNORE INTO aliases (entity, alias, norm) VALUES (?,?,?)", aliases)
            self._aliases.update((e, n) for e, n, _ in aliases)
            self._entities.clear()  # a new alias can name another entity
        self.conn.executemany(
            'INSERT INTO mentions (doc, entity, start, "end", text, language) VALUES (?,?,?,?,?,?)',
            mentions)
        first = self.conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM extracted_events").fetchone()[0]
        self.conn.executemany(
            'INSERT INTO extracted_events (id, doc, idx, type, fields, start, "end", evidence,'
            " language, extractor, entities) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(first + idx, doc_id, idx, *row) for idx, row in enumerate(ready["events"])])
        self.conn.executemany(
            "INSERT INTO search_fts (title, body, kind, doc, xevent) VALUES (?,?,?,?,?)",
            [(title, ev.evidence, "event", doc_id, first + idx)
             for idx, (title, ev) in enumerate(zip(ready["titles"], extraction.events))])

    def _upsert_entity(self, ent, stored: dict) -> None:
        """Insert the entity, or add what it says that the stored one lacks (`stored`: id -> row,
        kept up to date)."""
        row = stored.get(ent.id)
        coordinates = _json(ent.coordinates) if ent.coordinates else None
        if row is None:
            self.conn.execute(
                "INSERT INTO entities (id, type, name, code, country, qid, roles, coordinates)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (ent.id, ent.type, ent.name, ent.code, ent.country, ent.qid, _json(list(ent.roles)),
                 coordinates))
            stored[ent.id] = {"roles": _json(list(ent.roles)), "code": ent.code,
                              "country": ent.country, "qid": ent.qid, "coordinates": coordinates}
            return
        roles = json.loads(row["roles"])
        new_roles = [r for r in ent.roles if r not in roles]
        # what it says that the stored one lacks fills the gap; what is stored stays
        given = {"code": ent.code, "country": ent.country, "qid": ent.qid, "coordinates": coordinates}
        filled = {k: row[k] if row[k] is not None else v for k, v in given.items()}
        if not new_roles and all(filled[k] == row[k] for k in given):
            return  # nothing it would change
        roles += new_roles
        self.conn.execute(
            "UPDATE entities SET roles = ?, code = ?, country = ?, qid = ?, coordinates = ?"
            " WHERE id = ?", (_json(roles), *filled.values(), ent.id))
        stored[ent.id] = {"roles": _json(roles), **filled}

    def _persons(self) -> "_Persons":
        """The persons not merged into another, indexed by name token (loaded once, kept up to
        date): a document's persons are compared with those that share a word of their names."""
        if self._people is None:
            people = _Persons()
            for pid, name, country in self.conn.execute(
                    "SELECT id, name, country FROM entities WHERE type = 'person'"
                    " AND same_as IS NULL ORDER BY rowid"):
                people.add(pid, name, country)
            self._people = people
        return self._people

    def _resolve_persons(self, extraction: Extraction) -> None:
        """Merge surname-only persons into the one full-name person they fit (either order)."""
        people = self._persons()
        ids = [e.id for e in extraction.entities if e.type == "person"]
        if not ids:
            return
        for pid, name, country in self.conn.execute(
                f"SELECT id, name, country FROM entities WHERE id IN ({','.join('?' * len(ids))})"
                " AND same_as IS NULL ORDER BY rowid", ids):
            people.add(pid, name, country)
        new_ids = {pid for pid in ids if pid in people.known}
        new_tokens = [set(identity.tokens(people.known[pid][1])) for pid in new_ids]
        merged = []
        # only pairs that involve this document's persons can have changed: a person of the
        # document, or one whose name is part of the name of a person of the document
        for pid in people.sharing(set().union(*new_tokens)):
            _, name, country = people.known[pid]
            if pid not in new_ids and not any(set(identity.tokens(name)) <= mine
                                              for mine in new_tokens):
                continue
            target = identity.canonical_person(name, country, people.fitting(name, pid))
            if target and (pid in new_ids or target in new_ids):
                self._entity_counts.recounted |= {pid, target}  # by the trigger on same_as
                self.conn.execute("UPDATE entities SET same_as = ? WHERE id = ? OR same_as = ?",
                                  (target, pid, pid))
                merged.append(pid)
                self._entities.clear()
        for pid in merged:
            people.remove(pid)

    def _retire(self, previous: str, doc_id: str) -> set[str]:
        """The previous version stops counting; returns the merged events it contributed to."""
        affected = {r[0] for r in self.conn.execute(
            "SELECT DISTINCT event_id FROM event_sources WHERE doc = ?", (previous,))}
        self.conn.execute("UPDATE documents SET current = 0 WHERE id = ?", (previous,))
        self.conn.execute("DELETE FROM event_sources WHERE doc = ?", (previous,))
        self.conn.execute("DELETE FROM search_fts WHERE doc = ?", (previous,))
        self._dups.remove(previous)
        self.conn.execute("DELETE FROM doc_links WHERE (a = ? OR b = ?) AND kind != 'version'",
                          (previous, previous))
        self._uf = None  # links were removed: rebuild the groups from the table
        self.conn.execute("INSERT INTO doc_links (a, b, kind, score) VALUES (?,?,'version',NULL)",
                          (doc_id, previous))
        return affected

    def _link(self, doc_id: str, extraction: Extraction, ready: dict, signature,
              previous) -> bool:
        """Link the document to its near-duplicates and translations; True when it made a link."""
        groups = self._groups()
        linked = False
        # the closest few copies are enough to put a republished release in its group
        found = [(o, sc) for o, sc in self._dups.query(signature) if o != previous and o != doc_id]
        for other, score in found[:MAX_DUPLICATE_LINKS]:
            self.conn.execute(
                "INSERT OR IGNORE INTO doc_links (a, b, kind, score) VALUES (?,?,'duplicate',?)",
                (doc_id, other, round(score, 3)))
            groups.union(doc_id, other)
            linked = True
        doc = extraction.document
        mine = translations.profile(doc.languages, doc.published, len(doc.text), ready["features"])
        for row in self._translation_candidates(doc_id, doc.published, len(doc.text),
                                                doc.languages):
            score = translations.is_translation(mine, self._profile(row))
            if score is not None:
                self.conn.execute(
                    "INSERT OR IGNORE INTO doc_links (a, b, kind, score) VALUES (?,?,'translation',?)",
                    (doc_id, row["id"], round(score, 3)))
                groups.union(doc_id, row["id"])
                linked = True
        return linked

    def _profile(self, row) -> translations.Profile:
        """What a stored document is judged on as a translation (read once, then remembered: a
        stored document never changes)."""
        found = self._profiles.get(row["id"])
        if found is None:
            if len(self._profiles) > MAX_PROFILES:
                self._profiles.clear()
            features = self.conn.execute("SELECT features FROM documents WHERE id = ?",
                                         (row["id"],)).fetchone()[0]
            found = self._profiles[row["id"]] = translations.profile(
                json.loads(row["languages"]), row["published"], row["length"], json.loads(features))
        return found

    def _translation_candidates(self, doc_id: str, published: str | None, length: int,
                                languages: list[str]) -> list[sqlite3.Row]:
        """The newest current documents that can be a translation: in none of the document's
        languages, published the same month (or undated, or dated by year only) and of a
        comparable length. Each branch walks an index newest first and stops at the limit, so the
        cost per document does not grow."""
        month = (published or "")[:7]
        other = "".join(" AND instr(languages, ?) = 0" for _ in languages)
        branch = ("SELECT * FROM (SELECT id, languages, published, length, seq"
                  " FROM documents INDEXED BY {index} WHERE {where} AND id != ?"
                  f" AND length BETWEEN ? AND ?{other} ORDER BY seq DESC LIMIT ?)")
        bounds = (doc_id, int(length / 1.6), int(length * 1.6) + 1,
                  *(json.dumps(lang) for lang in languages), MAX_TRANSLATION_CANDIDATES)
        if not month:  # an undated document: any date fits
            sql = branch.format(index="documents_profile", where="current = 1")
            return self.conn.execute(sql, bounds).fetchall()
        same = branch.format(index="documents_month_profile", where="current = 1 AND month = ?")
        return self.conn.execute(
            f"{same} UNION ALL {same} ORDER BY seq DESC LIMIT ?",
            (month, *bounds, "", *bounds, MAX_TRANSLATION_CANDIDATES)).fetchall()

    def _groups(self) -> "_Groups":
        """Document -> the representative of its independent-source group (union-find over the
        translation and duplicate links, loaded once and kept up to date: a lookup costs no scan)."""
        if self._uf is None:
            groups = _Groups()
            for a, b in self.conn.execute(
                    "SELECT a, b FROM doc_links WHERE kind IN ('translation', 'duplicate')"):
                groups.union(a, b)
            self._uf = groups
        return self._uf

    # -- merging ----------------------------------------------------------------------------
    def _sources(self, event_id: str, groups, type_: str | None = None,
                 limit: int = MAX_FOLD_SOURCES) -> list[dict]:
        """The sources of a merged event: all of them, or for a fact that hundreds of releases
        repeat ("the coalition, founded in 2014") MAX_FOLD_SOURCES of them, so that adding one
        more source costs the same however often the fact was told: the first ones stored (they
        settle what the fact is; later ones add to its counts and entities), or for a deployment
        the latest ones published (they tell its current state)."""
        if type_ is None:
            type_ = self.conn.execute("SELECT type FROM events WHERE id = ?",
                                      (event_id,)).fetchone()[0]
        xevents = self._window(event_id, type_, limit)
        if type_ == "deployment":
            xevents.reverse()
        return self._parsed_sources(xevents, groups)

    def _window(self, event_id: str, type_: str, limit: int = MAX_FOLD_SOURCES) -> list[int]:
        """The extracted events a merged event is folded from: its first `limit` sources, for a
        deployment its latest `limit` published (newest first)."""
        order = "published DESC, xevent DESC" if type_ == "deployment" else "xevent"
        return [r[0] for r in self.conn.execute(
            f"SELECT xevent FROM event_sources WHERE event_id = ? ORDER BY {order} LIMIT ?",
            (event_id, limit))]

    def _parsed_sources(self, xevents: list[int], groups) -> list[dict]:
        if len(self._parsed) > MAX_PARSED_SOURCES:
            self._parsed.clear()
        missing = [x for x in xevents if x not in self._parsed]
        if missing:
            for row in self.conn.execute(
                    f"{_SOURCES} WHERE x.id IN ({','.join('?' * len(missing))})", missing):
                self._parsed[row["xevent"]] = self._parse(row)
        return [self._with_group(self._parsed[x], groups) for x in xevents]

    def _group_sources(self, doc: str, groups) -> dict[str, list[dict]]:
        """Merged event id -> its sources that come from `doc` or a document of its group."""
        docs = groups.members(doc)
        found: dict[str, list[int]] = {}
        for event_id, xevent in self.conn.execute(
                f"SELECT event_id, xevent FROM event_sources WHERE doc IN ({','.join('?' * len(docs))})"
                " ORDER BY xevent", docs):
            found.setdefault(event_id, []).append(xevent)
        return {e: self._parsed_sources(x, groups) for e, x in found.items()}

    def _events_fields(self, event_ids: list[str]) -> dict[str, dict]:
        """The merged fields of these events, parsed once and remembered (only `_rebuild`
        changes them)."""
        if len(self._fields) > MAX_PARSED_SOURCES:
            self._fields.clear()
        found = {e: self._fields[e] for e in event_ids if e in self._fields}
        missing = [e for e in event_ids if e not in found]
        if missing:
            for event_id, raw in self.conn.execute(
                    f"SELECT id, fields FROM events WHERE id IN ({','.join('?' * len(missing))})",
                    missing):
                found[event_id] = self._fields[event_id] = json.loads(raw)
        return found

    def _bounds(self, event_id: str, raw: str | None, groups) -> ledger.Bounds:
        """What all the sources of a deployment period imply about it (stored; computed from
        every source when not yet)."""
        if raw:
            return tuple(json.loads(raw))
        xevents = [r[0] for r in self.conn.execute(
            "SELECT xevent FROM event_sources WHERE event_id = ?", (event_id,))]
        found = ledger.bounds(self._parsed_sources(xevents, groups))
        self.conn.execute("UPDATE events SET bounds = ? WHERE id = ?", (json.dumps(found), event_id))
        return found

    @staticmethod
    def _parse(row) -> dict:
        src = dict(row)
        src["fields"] = json.loads(src["fields"])
        src["entities"] = json.loads(src["entities"])
        return src

    @staticmethod
    def _with_group(src: dict, groups) -> dict:
        return {**src, "group": groups.get(src["doc"], src["doc"])}

    def _merge_events(self, doc_id: str) -> set[str]:
        groups = self._groups()
        touched: set[str] = set()
        rows = self.conn.execute(f"{_SOURCES} WHERE x.doc = ? ORDER BY x.idx", (doc_id,)).fetchall()
        for row in rows:
            self._parsed[row["xevent"]] = self._parse(row)
            src = self._with_group(self._parsed[row["xevent"]], groups)
            type_ = row["type"]
            key = merge.block_key(type_, src["fields"])
            keys = merge.block_keys(type_, src["fields"])
            order = "DESC" if type_ == "deployment" else "ASC"
            limit = MAX_LEDGER_CANDIDATES if type_ in ("deployment", "quote") else MAX_MERGE_CANDIDATES
            # the candidates' ids from an index alone; their fields mostly from memory
            candidates = [r[0] for r in self.conn.execute(
                f"SELECT id FROM events WHERE type = ? AND key IN ({','.join('?' * len(keys))})"
                f" ORDER BY seq {order} LIMIT ?", (type_, *keys, limit))]
            fields_of = self._events_fields(candidates)
            stored_bounds = dict(self.conn.execute(
                f"SELECT id, bounds FROM events WHERE id IN ({','.join('?' * len(candidates))})",
                candidates).fetchall()) if type_ == "deployment" else {}
            target, bounds, stored = None, ledger.OPEN, None
            mine = self._group_sources(src["doc"], groups) if type_ == "quote" else {}
            for cand in candidates:
                fields = fields_of[cand]
                if type_ == "deployment":
                    bounds = self._bounds(cand, stored_bounds[cand], groups)
                    same = merge.matches(src, fields, [], type_, event_bounds=bounds)
                elif type_ == "quote":
                    same = merge.matches(src, fields, mine.get(cand, []), type_)
                else:
                    same = merge.matches(src, fields, [], type_)
                if same:
                    target = cand
                    stored = tuple(self.conn.execute(
                        "SELECT n_sources, n_documents FROM events WHERE id = ?", (cand,)).fetchone())
                    break
            if target is None:
                target, bounds = self._new_event(type_, key, src["fields"]), ledger.OPEN
            counts = self._counts_with(target, src, groups, stored)
            self.conn.execute("INSERT OR IGNORE INTO event_sources (event_id, xevent, doc, published)"
                              " VALUES (?,?,?,?)", (target, src["xevent"], src["doc"],
                                                    dates.sort_key(src["published"])))
            if type_ == "deployment":
                self.conn.execute("UPDATE events SET bounds = ? WHERE id = ?",
                                  (json.dumps(ledger.bounds([src], bounds)), target))
            if counts is not None and type_ != "deployment":
                self._add_to_settled(target, src, counts)
            elif counts is not None and src["xevent"] not in self._window(target, type_):
                # a report older than the latest MAX_FOLD_SOURCES a period is folded from: its
                # state, history and entities stay; it adds to its counts (and bounds, above)
                self._set_counts(target, counts)
            else:
                self._rebuild(target, groups, counts=counts, keep_bounds=True)
            touched.add(target)
        return touched

    def _counts_with(self, event_id: str, src: dict, groups,
                     stored: tuple[int, int] | None) -> tuple[int, int] | None:
        """(independent sources, documents) of a merged event of MAX_FOLD_SOURCES documents or
        more once `src` joins it, from its `stored` counts and the sources of `src`'s group
        alone; None for a smaller event (its counts come from its sources)."""
        if stored is None or stored[1] < MAX_FOLD_SOURCES:
            return None
        docs = groups.members(src["doc"])
        seen = {r[0] for r in self.conn.execute(
            "SELECT DISTINCT doc FROM event_sources WHERE event_id = ?"
            f" AND doc IN ({','.join('?' * len(docs))})", (event_id, *docs))}
        return stored[0] + (not seen), stored[1] + (src["doc"] not in seen)

    def _add_to_settled(self, event_id: str, src: dict, counts: tuple[int, int]) -> None:
        """A further source of a fact its first MAX_FOLD_SOURCES sources settled: its fields stay
        as they are; the source adds to its counts and to the entities it involves."""
        self._set_counts(event_id, counts)
        canonical = self._canonicals(src["entities"])
        self.conn.executemany(
            f"INSERT OR IGNORE INTO event_entities {_EVENT_ENTITY} SELECT ?, ?, 'involves',"
            " type, sort_date, seq FROM events WHERE id = ?",
            [(event_id, canonical[e], event_id) for e in src["entities"]])

    def _set_counts(self, event_id: str, counts: tuple[int, int]) -> None:
        self.conn.execute("UPDATE events SET n_sources = ?, n_documents = ? WHERE id = ?",
                          (*counts, event_id))

    def _coalesce(self, touched: set[str], groups: dict[str, str]) -> None:
        """Merge events that became the same fact once this document linked others (a translation
        that arrives last connects two releases whose events were stored apart)."""
        for event_id in sorted(touched):
            row = self.conn.execute("SELECT type, key, fields, bounds FROM events WHERE id = ?",
                                    (event_id,)).fetchone()
            if row is None:
                continue
            ledgered = row["type"] == "deployment"   # judged on the stored bounds of all sources
            mine = [] if ledgered else self._sources(event_id, groups)
            fields = json.loads(row["fields"])
            keys = merge.block_keys(row["type"], fields)
            others = self.conn.execute(
                f"SELECT id, bounds FROM events WHERE type = ? AND key IN ({','.join('?' * len(keys))})"
                " AND id != ? ORDER BY seq DESC LIMIT ?",
                (row["type"], *keys, event_id, MAX_MERGE_CANDIDATES)).fetchall()
            period = None
            for other in others:
                if ledgered:
                    period = period or self._bounds(event_id, row["bounds"], groups)
                    same = ledger.possible(ledger.combined(
                        period, self._bounds(other["id"], other["bounds"], groups)))
                else:  # its first source, read alone, rules most out; then all of them
                    first = self._sources(other["id"], groups, row["type"], limit=1)
                    same = bool(first) and merge.matches(first[0], fields, mine, row["type"]) \
                        and all(merge.matches(src, fields, mine, row["type"])
                                for src in self._sources(other["id"], groups, row["type"])[1:])
                if same:
                    self.conn.execute("UPDATE event_sources SET event_id = ? WHERE event_id = ?",
                                      (event_id, other["id"]))
                    self.conn.execute("DELETE FROM events WHERE id = ?", (other["id"],))
                    self._fields.pop(other["id"], None)
                    self._rebuild(event_id, groups)
                    mine = [] if ledgered else self._sources(event_id, groups)
                    period = None
                    row = self.conn.execute("SELECT type, key, fields, bounds FROM events"
                                            " WHERE id = ?", (event_id,)).fetchone()
                    fields = json.loads(row["fields"])

    def _new_event(self, type_: str, key: str, fields: dict) -> str:
        stem = merge.event_slug(type_, fields)
        seq = self.conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM events").fetchone()[0]
        event_id = stem
        if self.conn.execute("SELECT 1 FROM events WHERE id = ?", (event_id,)).fetchone():
            event_id = f"{stem}-{seq}"  # seq is unique: one query, however common the slug
        self.conn.execute(
            "INSERT INTO events (id, type, key, title, fields, seq) VALUES (?,?,?,?,?,?)",
            (event_id, type_, key, merge.title(type_, fields), _json(fields), seq))
        return event_id

    def _counts(self, event_id: str, sources: list[dict], groups) -> tuple[int, int]:
        """(independent sources, documents) of a merged event."""
        if len(sources) < MAX_FOLD_SOURCES:
            return len({s["group"] for s in sources}), len({s["doc"] for s in sources})
        docs = [r[0] for r in self.conn.execute(
            "SELECT DISTINCT doc FROM event_sources WHERE event_id = ?", (event_id,))]
        return len({groups.get(d, d) for d in docs}), len(docs)

    def _rebuild(self, event_id: str, groups, counts: tuple[int, int] | None = None,
                 keep_bounds: bool = False) -> None:
        """Recompute a merged event from its sources (deleted when none is left). `counts` are
        its (independent sources, documents) when the caller knows them; `keep_bounds` when its
        stored bounds still hold (else they are computed again when next needed)."""
        row = self.conn.execute(
            "SELECT type, key, date, date_end, status, title, fields, n_sources, n_documents,"
            " bounds FROM events WHERE id = ?", (event_id,)).fetchone()
        if row is None:
            return
        type_ = row[0]
        sources = self._sources(event_id, groups, type_)
        if not sources:
            self.conn.execute("DELETE FROM events WHERE id = ?", (event_id,))
            self._fields.pop(event_id, None)
            return
        out = merge.fold(type_, sources)
        fields, raw = out["fields"], _json(out["fields"])
        n_sources, n_documents = counts or self._counts(event_id, sources, groups)
        new = {"key": merge.block_key(type_, fields), "date": out["date"],
               "date_end": out["date_end"], "status": out["status"], "title": out["title"],
               "fields": raw, "n_sources": n_sources, "n_documents": n_documents,
               "bounds": row["bounds"] if keep_bounds else None}
        # only the columns that change: an UPDATE rewrites the entries of every index on a
        # column it sets, and a new source mostly changes the counts alone
        changed = {column: value for column, value in new.items() if row[column] != value}
        if changed:
            self.conn.execute(
                f"UPDATE events SET {', '.join(f'{c} = ?' for c in changed)} WHERE id = ?",
                (*changed.values(), event_id))
        self._fields[event_id] = json.loads(raw)   # a copy: what is stored
        self._replace_rows("conflicts", event_id, ("field", '"values"'),
                           [(c["field"], _json(c["values"])) for c in out["conflicts"]])
        if type_ == "deployment":   # the only kind with a ledger history
            self._replace_rows(
                "ledger_history", event_id,
                ("seq", "doc", "xevent", "published", "status", "start", '"end"', "quantity",
                 "changes"),
                [(_history_seq(h), h["doc"], h["xevent"], h["published"], h["status"], h["start"],
                  h["end"], h["quantity"] if isinstance(h["quantity"], (int, float)) else None,
                  _json(h["changes"])) for h in out["history"]])
        self._replace_rows("event_entities", event_id, ("entity", "role"), [
            (ent, role) for role, ent in dict.fromkeys(self._event_entities(type_, fields, sources))])

    def _replace_rows(self, table: str, event_id: str, columns: tuple[str, ...],
                      rows: list[tuple]) -> None:
        """Make `rows` the rows of a merged event in `table`, writing only what changed (an event
        that gains a source mostly keeps its entities, conflicts and history)."""
        old = {tuple(r[1:]): r[0] for r in self.conn.execute(
            f"SELECT rowid, {', '.join(columns)} FROM {table} WHERE event_id = ?", (event_id,))}
        new = set(rows)
        gone = [(rowid,) for row, rowid in old.items() if row not in new]
        if gone:
            self.conn.executemany(f"DELETE FROM {table} WHERE rowid = ?", gone)
        added = [(event_id, *row) for row in rows if row not in old]
        if added and table == "event_entities":   # with the copies of its event's order
            self.conn.executemany(
                f"INSERT INTO event_entities {_EVENT_ENTITY} SELECT ?, ?, ?, type, sort_date, seq"
                " FROM events WHERE id = ?", [(*row, event_id) for row in added])
        elif added:
            self.conn.executemany(
                f"INSERT INTO {table} (event_id, {', '.join(columns)})"
                f" VALUES ({', '.join('?' * (len(columns) + 1))})", added)

    def _event_entities(self, type_: str, fields: dict, sources: list[dict]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for role, value in merge.roles(type_, fields):
            if role == "speaker":
                person = self._speaker(value, sources)
                if person:
                    out.append(("speaker", person))
                    country = self.conn.execute(
                        "SELECT country FROM entities WHERE id = ?", (person,)).fetchone()
                    if country and country[0]:
                        out.append(("speaker_country", f"country:{country[0]}"))
                continue
            entity = self._entity_for(value)
            if entity:
                out.append((role, entity))
        canonical = self._canonicals([ent for src in sources for ent in src["entities"]])
        out += [("involves", canonical[ent]) for ent in dict.fromkeys(
            ent for src in sources for ent in src["entities"])]
        return out

    def _canonical(self, entity_id: str) -> str:
        return self._canonicals([entity_id])[entity_id]

    def _canonicals(self, entity_ids: list[str]) -> dict[str, str]:
        """Entity id -> the id it stands for (a person merged into another: that one)."""
        ids = list(dict.fromkeys(entity_ids))
        found = {r[0]: r[1] for r in self.conn.execute(
            f"SELECT id, same_as FROM entities WHERE id IN ({','.join('?' * len(ids))})"
            " AND same_as IS NOT NULL", ids)} if ids else {}
        return {e: found.get(e) or e for e in ids}

    def _entity_for(self, value: str) -> str | None:
        if len(value) == 2 and value.isalpha() and value.isupper():
            return f"country:{value}"
        key = identity.norm(value)
        if key not in self._entities:
            row = self.conn.execute(
                "SELECT e.id, e.same_as FROM aliases a JOIN entities e ON e.id = a.entity"
                " WHERE a.norm = ? ORDER BY (e.type = 'place') DESC LIMIT 1", (key,)).fetchone()
            if len(self._entities) > MAX_PARSED_SOURCES:
                self._entities.clear()
            self._entities[key] = (row["same_as"] or row["id"]) if row else None
        return self._entities[key]

    def _speaker(self, speaker: str, sources: list[dict]) -> str | None:
        ids = {e for s in sources for e in s["entities"] if e.startswith("person:")}
        docs = {s["doc"] for s in sources}
        marks = ",".join("?" * len(docs))
        persons = [(r["id"], r["name"]) for r in self.conn.execute(
            "SELECT e.id, e.name FROM entities e JOIN doc_entities de ON de.entity = e.id"
            f" WHERE e.type = 'person' AND de.doc IN ({marks})", tuple(docs))]
        persons = [p for p in persons if p[0] in ids] + [p for p in persons if p[0] not in ids]
        found = identity.speaker_entity(speaker, persons)
        if found is None:
            found = self._entity_for(speaker)
        return self._canonical(found) if found else None


class _Persons:
    """Persons (id -> (order, name, country)) and the persons each name token occurs in."""

    def __init__(self):
        self.known: dict[str, tuple[int, str, str | None]] = {}
        self._by_token: dict[str, set[str]] = {}

    def add(self, pid: str, name: str, country: str | None) -> None:
        if pid in self.known:
            return
        self.known[pid] = (len(self.known), name, country)
        for token in identity.tokens(name):
            self._by_token.setdefault(token, set()).add(pid)

    def remove(self, pid: str) -> None:
        _, name, _ = self.known.pop(pid)
        for token in identity.tokens(name):
            self._by_token.get(token, set()).discard(pid)

    def sharing(self, tokens: set[str]) -> list[str]:
        """The persons whose names have one of these tokens, in the order they were stored."""
        found = set().union(*(self._by_token.get(t, ()) for t in tokens)) if tokens else set()
        return sorted(found, key=lambda pid: self.known[pid][0])

    def fitting(self, name: str, pid: str) -> list[tuple[str, str, str | None]]:
        """(id, name, country) of the other persons that could have `name` as part of theirs."""
        first = identity.tokens(name)[:1]
        return [(p, self.known[p][1], self.known[p][2]) for p in self.sharing(set(first))
                if p != pid]


class _DocumentCounts:
    """The entities' numbers of current documents (`entities.n_documents`) that the documents
    being added bring: summed in memory and written once per commit, one UPDATE per entity group
    (migration 9). A group that most releases name was rewritten, with the two listing indexes
    that hold its count, once for every document. What else changes a count stays with the
    schema's triggers: a new version (documents.current), a removal, a merge (entities.same_as,
    which counts the group's documents again, the pending ones included)."""

    def __init__(self) -> None:
        self.pending: Counter[str] = Counter()  # of the documents added and not yet committed
        self.begin()

    def begin(self) -> None:
        """A document starts (or failed: what it named is forgotten)."""
        self.named: set[str] = set()       # the groups the document names
        self.recounted: set[str] = set()   # groups a merge counted again while it was added

    def name(self, groups: set[str]) -> None:
        self.named |= groups

    def done(self) -> None:
        """The document is stored: its groups count it, unless a merge counted them again (with
        every document they had, so what was pending for them is in it already)."""
        for group in self.recounted:
            self.pending.pop(group, None)
        self.pending.update(self.named - self.recounted)
        self.begin()

    def write(self, conn: sqlite3.Connection) -> None:
        if self.pending:
            conn.executemany("UPDATE entities SET n_documents = n_documents + ? WHERE id = ?",
                             [(n, group) for group, n in self.pending.items()])
        self.pending.clear()


class _Groups:
    """Union-find of documents that count as one source (translations, near-duplicates)."""

    def __init__(self):
        self.parent: dict[str, str] = {}
        self._members: dict[str, list[str]] = {}   # representative -> the group's documents

    def find(self, x: str) -> str:
        parent = self.parent
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        for x in (a, b):
            if x not in self.parent:
                self.parent[x] = x
                self._members[x] = [x]
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            low, high = min(ra, rb), max(ra, rb)
            self.parent[high] = low
            self._members[low] += self._members.pop(high)

    def members(self, doc: str) -> list[str]:
        """The documents of `doc`'s group, `doc` included."""
        return self._members[self.find(doc)] if doc in self.parent else [doc]

    def get(self, doc: str, default: str | None = None) -> str:
        return self.find(doc) if doc in self.parent else (default if default is not None else doc)
