"""The Store: one SQLite file (WAL), one transaction per document, facts merged on the way in."""
from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator
from urllib.parse import quote as urlquote

from ..errors import CommuniqueError
from ..model import Extraction
from ..resolve import dates, duplicates, identity, ledger, merge, translations
from .near_duplicates import NearDuplicates
from .schema import latest_version, migrate


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _month(published: str | None) -> str:
    """`2021-03` of a date given to the month or day; '' for a year or no date."""
    value = dates.clean(published)
    return value[:7] if value and len(value) >= 7 else ""


# Bounds that keep the cost of adding a document flat as the store grows: a real-world fact has
# few earlier records to merge with, a release few copies and translations.
MAX_DUPLICATE_LINKS = 3
MAX_TRANSLATION_CANDIDATES = 100
MAX_MERGE_CANDIDATES = 200
MAX_LEDGER_CANDIDATES = 30   # deployments and quotes: each candidate is judged on its sources
MAX_FOLD_SOURCES = 50
MAX_PARSED_SOURCES = 20_000  # parsed sources kept between documents (some tens of MB at most)


class Store:
    """A knowledge base in one SQLite file.

    `add(extraction)` stores a document with its facts and merges them into the knowledge base in
    one transaction: "added", "unchanged" (same content already stored) or "new_version" (a changed
    document from the same source and id: the old version stays readable, is linked as `version`,
    and its facts stop counting: the merged events are rebuilt from the current versions only).
    """

    def __init__(self, path, *, readonly: bool = False):
        self.path = str(path)
        self.readonly = readonly
        self._lock = threading.RLock()
        self._uf: _Groups | None = None  # independent-source groups, loaded once, kept up to date
        # extracted event id -> that source parsed (a stored source never changes; bounded)
        self._parsed: dict[int, dict] = {}
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

    def extractions(self) -> Iterator[Extraction]:
        """The current version of every document with its facts as extracted, in ingestion order."""
        rows = self.rows("SELECT text, extraction FROM documents WHERE current = 1 ORDER BY seq")
        for row in rows:
            data = json.loads(row["extraction"])
            data["document"]["text"] = row["text"]
            yield Extraction.from_dict(data)

    def add(self, extraction: Extraction) -> str:
        if self.readonly:
            raise CommuniqueError(f"{self.path}: opened read-only")
        doc = extraction.document
        content_hash = doc.content_hash
        with self._lock:
            if self.has_document(content_hash):
                return "unchanged"
            signature = duplicates.minhash(doc.text)
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                # re-check inside the write lock: another process may have added it meanwhile
                if self.has_document(content_hash):
                    self.conn.execute("ROLLBACK")
                    return "unchanged"
                doc_id, previous = self._insert_document(extraction)
                self._insert_facts(doc_id, extraction)
                affected: set[str] = set()
                if previous:
                    affected |= self._retire(previous, doc_id)
                self._resolve_persons(extraction)
                linked = self._link(doc_id, extraction, signature, previous)
                self._dups.insert(doc_id, signature)
                touched = self._merge_events(doc_id)
                groups = self._groups()
                for event_id in sorted(affected):
                    self._rebuild(event_id, groups)
                if linked:  # only a new link can make two stored events one fact
                    self._coalesce(touched, groups)
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                self._uf = None  # it may hold links of the rolled-back document
                self._parsed.clear()  # and the ids of its extracted events will be reused
                raise
        return "new_version" if previous else "added"

    # -- insertion --------------------------------------------------------------------------
    def _insert_document(self, extraction: Extraction) -> tuple[str, str | None]:
        doc = extraction.document
        prev = self.conn.execute(
            "SELECT id FROM documents INDEXED BY documents_source"
            " WHERE source = ? AND name = ? AND current = 1",
            (doc.source or "", doc.id)).fetchone()
        doc_id = doc.id
        if self.conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone():
            doc_id = f"{doc.id}@{doc.content_hash[:8]}"
        seq = self.conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM documents").fetchone()[0]
        stored = extraction.to_dict()
        stored["document"].pop("text", None)
        self.conn.execute(
            "INSERT INTO documents (id, name, source, content_hash, title, published,"
            " published_precision, languages, text, url, version_of, current, seq, ingested_at,"
            " extraction, features, length, month) VALUES (?,?,?,?,?,?,?,?,?,?,?,1,?,?,?,?,?,?)",
            (doc_id, doc.id, doc.source or "", doc.content_hash, doc.title,
             dates.clean(doc.published), dates.precision(doc.published), _json(doc.languages),
             doc.text, doc.url, prev["id"] if prev else None, seq,
             datetime.now(timezone.utc).isoformat(timespec="seconds"),
             json.dumps(stored, ensure_ascii=False),
             _json(translations.features(extraction)), len(doc.text), _month(doc.published)))
        self.conn.executemany(
            'INSERT INTO segments (doc, start, "end", language) VALUES (?,?,?,?)',
            [(doc_id, s.start, s.end, s.language) for s in doc.segments])
        self.conn.execute(
            "INSERT INTO search_fts (title, body, kind, doc, xevent) VALUES (?,?,?,?,NULL)",
            (doc.title or "", doc.text, "document", doc_id))
        return doc_id, (prev["id"] if prev else None)

    def _insert_facts(self, doc_id: str, extraction: Extraction) -> None:
        for ent in extraction.entities:
            self._upsert_entity(ent)
            self.conn.execute("INSERT OR IGNORE INTO doc_entities (doc, entity) VALUES (?,?)",
                              (doc_id, ent.id))
            names = [ent.name, *ent.aliases, *(m.text for m in ent.mentions)]
            if ent.code:
                names.append(ent.code)
            self.conn.executemany(
                "INSERT OR IGNORE INTO aliases (entity, alias, norm) VALUES (?,?,?)",
                [(ent.id, n, identity.norm(n)) for n in names if n and identity.norm(n)])
            self.conn.executemany(
                'INSERT INTO mentions (doc, entity, start, "end", text, language) VALUES (?,?,?,?,?,?)',
                [(doc_id, ent.id, m.start, m.end, m.text, m.language) for m in ent.mentions])
        for idx, ev in enumerate(extraction.events):
            cur = self.conn.execute(
                'INSERT INTO extracted_events (doc, idx, type, fields, start, "end", evidence,'
                " language, extractor, entities) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (doc_id, idx, ev.type, _json(ev.fields), ev.start, ev.end, ev.evidence,
                 ev.language or extraction.document.language_at(ev.start), ev.extractor,
                 _json(ev.entities)))
            self.conn.execute(
                "INSERT INTO search_fts (title, body, kind, doc, xevent) VALUES (?,?,?,?,?)",
                (merge.title(ev.type, ev.fields), ev.evidence, "event", doc_id, cur.lastrowid))

    def _upsert_entity(self, ent) -> None:
        row = self.conn.execute("SELECT roles FROM entities WHERE id = ?", (ent.id,)).fetchone()
        if row is None:
            self.conn.execute(
                "INSERT INTO entities (id, type, name, code, country, qid, roles, coordinates)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (ent.id, ent.type, ent.name, ent.code, ent.country, ent.qid, _json(list(ent.roles)),
                 _json(ent.coordinates) if ent.coordinates else None))
            return
        roles = json.loads(row["roles"])
        roles += [r for r in ent.roles if r not in roles]
        self.conn.execute(
            "UPDATE entities SET roles = ?, code = COALESCE(code, ?), country = COALESCE(country, ?),"
            " qid = COALESCE(qid, ?), coordinates = COALESCE(coordinates, ?) WHERE id = ?",
            (_json(roles), ent.code, ent.country, ent.qid,
             _json(ent.coordinates) if ent.coordinates else None, ent.id))

    def _resolve_persons(self, extraction: Extraction) -> None:
        """Merge surname-only persons into the one full-name person they fit (either order)."""
        persons = [(r["id"], r["name"], r["country"]) for r in self.conn.execute(
            "SELECT id, name, country FROM entities WHERE type = 'person' AND same_as IS NULL")]
        new_ids = {e.id for e in extraction.entities if e.type == "person"}
        new_tokens = [set(identity.tokens(name)) for pid, name, _ in persons if pid in new_ids]
        for pid, name, country in persons:
            # only pairs that involve this document's persons can have changed: a person of the
            # document, or one whose name is part of the name of a person of the document
            if pid not in new_ids and not any(set(identity.tokens(name)) <= mine
                                              for mine in new_tokens):
                continue
            others = [p for p in persons if p[0] != pid]
            target = identity.canonical_person(name, country, others)
            if target and (pid in new_ids or target in new_ids):
                self.conn.execute("UPDATE entities SET same_as = ? WHERE id = ? OR same_as = ?",
                                  (target, pid, pid))

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

    def _link(self, doc_id: str, extraction: Extraction, signature, previous) -> bool:
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
        mine = {"languages": doc.languages, "published": doc.published, "length": len(doc.text),
                "features": translations.features(extraction)}
        for row in self._translation_candidates(doc_id, doc.published, len(doc.text)):
            theirs = {"languages": json.loads(row["languages"]), "published": row["published"],
                      "length": row["length"], "features": json.loads(row["features"])}
            score = translations.is_translation(mine, theirs)
            if score is not None:
                self.conn.execute(
                    "INSERT OR IGNORE INTO doc_links (a, b, kind, score) VALUES (?,?,'translation',?)",
                    (doc_id, row["id"], round(score, 3)))
                groups.union(doc_id, row["id"])
                linked = True
        return linked

    def _translation_candidates(self, doc_id: str, published: str | None,
                                length: int) -> list[sqlite3.Row]:
        """The newest current documents that can be a translation: published the same month (or
        undated, or dated by year only) and of a comparable length. Each branch walks an index
        newest first and stops at the limit, so the cost per document does not grow."""
        month = (published or "")[:7]
        branch = ("SELECT * FROM (SELECT id, languages, published, length, features, seq"
                  " FROM documents INDEXED BY {index} WHERE {where} AND id != ?"
                  " AND length BETWEEN ? AND ? ORDER BY seq DESC LIMIT ?)")
        bounds = (doc_id, int(length / 1.6), int(length * 1.6) + 1, MAX_TRANSLATION_CANDIDATES)
        if not month:  # an undated document: any date fits
            sql = branch.format(index="documents_current", where="current = 1")
            return self.conn.execute(sql, bounds).fetchall()
        same = branch.format(index="documents_month", where="current = 1 AND month = ?")
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
    def _sources(self, event_id: str, groups) -> list[dict]:
        """The sources of a merged event: all of them, or for a fact that hundreds of releases
        repeat ("the coalition, founded in 2014") the most recent MAX_FOLD_SOURCES, so that adding
        one more source costs the same however often the fact was told."""
        xevents = [r[0] for r in self.conn.execute(
            "SELECT xevent FROM event_sources WHERE event_id = ? ORDER BY xevent DESC LIMIT ?",
            (event_id, MAX_FOLD_SOURCES))]
        if len(self._parsed) > MAX_PARSED_SOURCES:
            self._parsed.clear()
        missing = [x for x in xevents if x not in self._parsed]
        if missing:
            for row in self.conn.execute(
                    'SELECT x.id AS xevent, x.doc, x.idx, x.fields, x.start, x."end", x.evidence,'
                    " x.language, x.extractor, x.entities, d.published, d.seq,"
                    " d.length AS doclen FROM extracted_events x JOIN documents d ON d.id = x.doc"
                    f" WHERE x.id IN ({','.join('?' * len(missing))})", missing):
                self._parsed[row["xevent"]] = self._parse(row)
        return [self._with_group(self._parsed[x], groups) for x in reversed(xevents)]

    @staticmethod
    def _parse(row) -> dict:
        src = dict(row)
        src["fields"] = json.loads(src["fields"])
        src["entities"] = json.loads(src["entities"])
        return src

    @staticmethod
    def _with_group(src: dict, groups) -> dict:
        return {**src, "group": groups.get(src["doc"], src["doc"])}

    def _source(self, row, groups) -> dict:
        return self._with_group(self._parse(row), groups)

    def _merge_events(self, doc_id: str) -> set[str]:
        groups = self._groups()
        touched: set[str] = set()
        rows = self.conn.execute(
            'SELECT x.id AS xevent, x.doc, x.idx, x.type, x.fields, x.start, x."end", x.evidence,'
            " x.language, x.extractor, x.entities, d.published, d.seq, length(d.text) AS doclen"
            " FROM extracted_events x"
            " JOIN documents d ON d.id = x.doc WHERE x.doc = ? ORDER BY x.idx", (doc_id,)).fetchall()
        for row in rows:
            src = self._source(row, groups)
            type_ = row["type"]
            key = merge.block_key(type_, src["fields"])
            order = "DESC" if type_ == "deployment" else "ASC"
            limit = MAX_LEDGER_CANDIDATES if type_ in ("deployment", "quote") else MAX_MERGE_CANDIDATES
            candidates = self.conn.execute(
                f"SELECT id, fields FROM events WHERE type = ? AND key = ? ORDER BY seq {order}"
                " LIMIT ?", (type_, key, limit)).fetchall()
            target = None
            for cand in candidates:
                cand_sources = (self._sources(cand["id"], groups)
                                if type_ in ("deployment", "quote") else [])
                if merge.matches(src, json.loads(cand["fields"]), cand_sources, type_):
                    target = cand["id"]
                    break
            if target is None:
                target = self._new_event(type_, key, src["fields"])
            self.conn.execute("INSERT OR IGNORE INTO event_sources (event_id, xevent, doc)"
                              " VALUES (?,?,?)", (target, src["xevent"], src["doc"]))
            self._rebuild(target, groups)
            touched.add(target)
        return touched

    def _coalesce(self, touched: set[str], groups: dict[str, str]) -> None:
        """Merge events that became the same fact once this document linked others (a translation
        that arrives last connects two releases whose events were stored apart)."""
        for event_id in sorted(touched):
            row = self.conn.execute("SELECT type, key, fields FROM events WHERE id = ?",
                                    (event_id,)).fetchone()
            if row is None:
                continue
            mine = self._sources(event_id, groups)
            others = self.conn.execute(
                "SELECT id FROM events WHERE type = ? AND key = ? AND id != ? ORDER BY seq DESC"
                " LIMIT ?", (row["type"], row["key"], event_id, MAX_MERGE_CANDIDATES)).fetchall()
            for other in others:
                theirs = self._sources(other["id"], groups)
                fields = json.loads(row["fields"])
                if row["type"] == "deployment":
                    same = bool(theirs) and ledger.feasible(mine + theirs)
                else:
                    same = bool(theirs) and all(merge.matches(src, fields, mine, row["type"])
                                                for src in theirs)
                if same:
                    self.conn.execute("UPDATE event_sources SET event_id = ? WHERE event_id = ?",
                                      (event_id, other["id"]))
                    self.conn.execute("DELETE FROM events WHERE id = ?", (other["id"],))
                    self._rebuild(event_id, groups)
                    mine = self._sources(event_id, groups)
                    row = self.conn.execute("SELECT type, key, fields FROM events WHERE id = ?",
                                            (event_id,)).fetchone()

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

    def _rebuild(self, event_id: str, groups) -> None:
        """Recompute a merged event from its sources (deleted when none is left)."""
        row = self.conn.execute("SELECT type FROM events WHERE id = ?", (event_id,)).fetchone()
        if row is None:
            return
        sources = self._sources(event_id, groups)
        if not sources:
            self.conn.execute("DELETE FROM events WHERE id = ?", (event_id,))
            return
        type_ = row["type"]
        out = merge.fold(type_, sources)
        fields = out["fields"]
        self.conn.execute(
            "UPDATE events SET key = ?, date = ?, date_end = ?, status = ?, title = ?, fields = ?,"
            " n_sources = ?, n_documents = ? WHERE id = ?",
            (merge.block_key(type_, fields), out["date"], out["date_end"], out["status"],
             out["title"], _json(fields), *self._counts(event_id, sources, groups), event_id))
        for table in ("conflicts", "ledger_history", "event_entities"):
            self.conn.execute(f"DELETE FROM {table} WHERE event_id = ?", (event_id,))
        self.conn.executemany(
            'INSERT INTO conflicts (event_id, field, "values") VALUES (?,?,?)',
            [(event_id, c["field"], _json(c["values"])) for c in out["conflicts"]])
        self.conn.executemany(
            'INSERT INTO ledger_history (event_id, seq, doc, xevent, published, status, start,'
            ' "end", quantity, changes) VALUES (?,?,?,?,?,?,?,?,?,?)',
            [(event_id, i, h["doc"], h["xevent"], h["published"], h["status"], h["start"],
              h["end"], h["quantity"] if isinstance(h["quantity"], (int, float)) else None,
              _json(h["changes"])) for i, h in enumerate(out["history"])])
        self.conn.executemany(
            "INSERT OR IGNORE INTO event_entities (event_id, entity, role) VALUES (?,?,?)",
            [(event_id, ent, role) for role, ent in self._event_entities(type_, fields, sources)])

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
        for src in sources:
            for ent in src["entities"]:
                out.append(("involves", self._canonical(ent)))
        return out

    def _canonical(self, entity_id: str) -> str:
        row = self.conn.execute("SELECT same_as FROM entities WHERE id = ?", (entity_id,)).fetchone()
        return row[0] if row and row[0] else entity_id

    def _entity_for(self, value: str) -> str | None:
        if len(value) == 2 and value.isalpha() and value.isupper():
            return f"country:{value}"
        row = self.conn.execute(
            "SELECT e.id, e.same_as FROM aliases a JOIN entities e ON e.id = a.entity"
            " WHERE a.norm = ? ORDER BY (e.type = 'place') DESC LIMIT 1",
            (identity.norm(value),)).fetchone()
        if row is None:
            return None
        return row["same_as"] or row["id"]

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


class _Groups:
    """Union-find of documents that count as one source (translations, near-duplicates)."""

    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def get(self, doc: str, default: str | None = None) -> str:
        return self.find(doc) if doc in self.parent else (default if default is not None else doc)
