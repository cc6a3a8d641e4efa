"""The SQLite schema as a list of migrations; `PRAGMA user_version` is the number applied.

Append a migration to change the schema; never edit one that has shipped.
"""
from __future__ import annotations

import sqlite3
from typing import Callable, Union

Migration = Union[str, Callable[[sqlite3.Connection], None]]


def _near_duplicates_in_sqlite(conn: sqlite3.Connection) -> None:
    """4: the near-duplicate index (MinHash signatures and LSH band keys) moves from memory into
    two tables queried per document; the month a document was published gets a column, so that
    translation candidates are read newest first from an index; the documents of a merged event
    are counted, the events of an entity in a role found, and the list of documents read newest
    first, from an index alone."""
    from ..resolve import duplicates
    from .near_duplicates import NearDuplicates

    for statement in """
        CREATE TABLE minhash_signatures (doc TEXT PRIMARY KEY, signature BLOB NOT NULL);
        CREATE TABLE minhash_bands (key INTEGER NOT NULL, doc TEXT NOT NULL);
        CREATE INDEX minhash_bands_key ON minhash_bands(key);
        CREATE INDEX minhash_bands_doc ON minhash_bands(doc);
        ALTER TABLE documents ADD COLUMN month TEXT NOT NULL DEFAULT '';
        UPDATE documents SET month = substr(published, 1, 7) WHERE length(published) >= 7;
        CREATE INDEX documents_month ON documents(current, month, seq);
        CREATE INDEX event_sources_event_doc ON event_sources(event_id, doc);
        DROP INDEX event_entities_entity;
        CREATE INDEX event_entities_entity_role ON event_entities(entity, role, event_id);
        CREATE INDEX documents_listing ON documents(current, published IS NULL, published DESC, seq)
    """.split(";"):
        conn.execute(statement)
    index = NearDuplicates(conn)
    for doc, blob in conn.execute("SELECT id, minhash FROM documents"
                                  " WHERE current = 1 AND minhash IS NOT NULL").fetchall():
        index.insert(doc, duplicates.from_bytes(blob))
    conn.execute("ALTER TABLE documents DROP COLUMN minhash")


def _bounds_and_finer_keys(conn: sqlite3.Connection) -> None:
    """6: what all the sources of a deployment period imply about its start and end is kept with
    it (JSON [start floor, start ceiling, end floor, end ceiling]; NULL: to be computed from
    them), and each source its publication date; meetings and milestones are found by month,
    funding by currency and amount band; translation candidates come from covering indexes."""
    conn.execute("ALTER TABLE events ADD COLUMN bounds TEXT")
    # a source's place in time (the first day its release can mean), so that the latest reports
    # of a deployment are read from an index
    conn.execute("ALTER TABLE event_sources ADD COLUMN published TEXT NOT NULL DEFAULT ''")
    conn.execute("UPDATE event_sources SET published = (SELECT"
                 f" COALESCE({date_bound('d.published', '01', '01')}, '')"
                 " FROM documents d WHERE d.id = doc)")
    conn.execute("CREATE INDEX event_sources_latest ON event_sources(event_id, published, xevent)")
    # translation candidates read from these indexes alone: a document's row holds its text and
    # extraction, which SQLite would walk through to reach the columns after them
    conn.execute("CREATE INDEX documents_month_profile ON documents"
                 "(current, month, seq, length, languages, published, id)")
    conn.execute("CREATE INDEX documents_profile ON documents"
                 "(current, seq, length, languages, published, id)")
    conn.execute("DROP INDEX documents_month")     # both are the start of one of these now
    conn.execute("DROP INDEX documents_current")
    _rekey(conn, ("meeting", "milestone", "funding"))


def _rekey(conn: sqlite3.Connection, types: tuple[str, ...]) -> None:
    """Store the merged events of these types under the blocking key their fields now give."""
    import json

    from ..resolve.merge import block_key

    rows = conn.execute("SELECT id, type, fields FROM events WHERE type IN"
                        f" ({','.join('?' * len(types))})", types).fetchall()
    conn.executemany("UPDATE events SET key = ? WHERE id = ?",
                     [(block_key(type_, json.loads(fields)), id_) for id_, type_, fields in rows])


def _meetings_by_place(conn: sqlite3.Connection) -> None:
    """8: a meeting is found by its month and its place (or as virtual, or named nowhere), not
    among all the meetings of its month; the candidates of a block are read from an index alone
    (their fields are mostly in the writer's memory)."""
    conn.execute("DROP INDEX events_type_key_seq")
    conn.execute("CREATE INDEX events_type_key_seq ON events(type, key, seq, id)")
    _rekey(conn, ("meeting",))


def date_bound(column: str, month: str, day: str) -> str:
    """SQL for the first (`-01`) or last (`-99`) day a partial ISO date column can mean, as
    resolve.dates.lo / hi compute it; NULL for anything that is not a partial ISO date."""
    d4 = "[0-9][0-9][0-9][0-9]"
    return (f"CASE WHEN {column} GLOB '{d4}-[0-9][0-9]-[0-9][0-9]' THEN {column}"
            f" WHEN {column} GLOB '{d4}-[0-9][0-9]' THEN {column} || '-{day}'"
            f" WHEN {column} GLOB '{d4}' THEN {column} || '-{month}-{day}' END")


# the key the timeline orders by (with seq): the first day of the event's date, '9999' when it has
# none (dates.sort_key(date) or "9999"); events.sort_date since migration 5
SORT_DATE = f"COALESCE({date_bound('date', '01', '01')}, '9999')"
# the last day a deployment can have lasted to, for its overlap with a range of dates: its end's
# last day, '9999' while it is open (no end, not ended), NULL when unknown (ended, or no date);
# events.last_day since migration 5
_LAST = ("CASE WHEN date_end IS NOT NULL AND date_end != '' THEN date_end"
         " WHEN status = 'ended' THEN NULL ELSE '9999' END")
LAST_DAY = f"CASE WHEN ({_LAST}) = '9999' THEN '9999' ELSE {date_bound('date_end', '99', '99')} END"


MIGRATIONS: list[Migration] = [
    # 1: documents, their language segments, entities, mentions, facts as extracted and as merged
    """
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,                 -- key used in URLs (Document.id, suffixed if taken)
        name TEXT NOT NULL,                  -- Document.id as ingested (file name, JSON Lines id)
        source TEXT NOT NULL,
        content_hash TEXT NOT NULL UNIQUE,
        title TEXT,
        published TEXT,
        published_precision TEXT,            -- day | month | year | NULL
        languages TEXT NOT NULL DEFAULT '[]',
        text TEXT NOT NULL,
        url TEXT,
        version_of TEXT REFERENCES documents(id),
        current INTEGER NOT NULL DEFAULT 1,  -- 0 once a newer version of the same source exists
        seq INTEGER NOT NULL,                -- ingestion order
        ingested_at TEXT NOT NULL,
        extraction TEXT NOT NULL,            -- Extraction.to_dict() as JSON (export --format facts)
        features TEXT NOT NULL DEFAULT '[]', -- language-neutral features (translation detection)
        minhash BLOB                         -- MinHash signature (near-duplicate detection)
    );
    CREATE INDEX documents_source ON documents(source, name);
    CREATE INDEX documents_current ON documents(current, seq);

    CREATE TABLE segments (
        doc TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        language TEXT NOT NULL
    );
    CREATE INDEX segments_doc ON segments(doc);

    CREATE TABLE entities (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        name TEXT NOT NULL,
        code TEXT,
        country TEXT,
        qid TEXT,
        roles TEXT NOT NULL DEFAULT '[]',
        coordinates TEXT,
        same_as TEXT REFERENCES entities(id)  -- the canonical entity this one is merged into
    );
    CREATE INDEX entities_type ON entities(type, name);
    CREATE INDEX entities_same_as ON entities(same_as);

    CREATE TABLE aliases (
        entity TEXT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
        alias TEXT NOT NULL,
        norm TEXT NOT NULL,
        PRIMARY KEY (entity, norm)
    );
    CREATE INDEX aliases_norm ON aliases(norm);

    CREATE TABLE doc_entities (
        doc TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        entity TEXT NOT NULL REFERENCES entities(id),
        PRIMARY KEY (doc, entity)
    );
    CREATE INDEX doc_entities_entity ON doc_entities(entity);

    CREATE TABLE mentions (
        id INTEGER PRIMARY KEY,
        doc TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        entity TEXT NOT NULL REFERENCES entities(id),
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text TEXT NOT NULL,
        language TEXT
    );
    CREATE INDEX mentions_doc ON mentions(doc, start);
    CREATE INDEX mentions_entity ON mentions(entity);

    CREATE TABLE extracted_events (
        id INTEGER PRIMARY KEY,
        doc TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        type TEXT NOT NULL,
        fields TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        evidence TEXT NOT NULL,
        language TEXT,
        extractor TEXT NOT NULL DEFAULT '',
        entities TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX extracted_events_doc ON extracted_events(doc, idx);

    CREATE TABLE events (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        key TEXT NOT NULL,                   -- blocking key for matching (actor|asset, currency, ...)
        date TEXT,                           -- partial ISO date the timeline sorts by
        date_end TEXT,
        status TEXT,
        title TEXT NOT NULL,
        fields TEXT NOT NULL,                -- merged fields (docs/SCHEMA.md)
        n_sources INTEGER NOT NULL DEFAULT 0,   -- independent sources (translations/duplicates once)
        n_documents INTEGER NOT NULL DEFAULT 0,
        seq INTEGER NOT NULL
    );
    CREATE INDEX events_type_key ON events(type, key);
    CREATE INDEX events_date ON events(date);

    CREATE TABLE event_sources (
        event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        xevent INTEGER NOT NULL REFERENCES extracted_events(id) ON DELETE CASCADE,
        doc TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        PRIMARY KEY (event_id, xevent)
    );
    CREATE INDEX event_sources_doc ON event_sources(doc);
    CREATE INDEX event_sources_xevent ON event_sources(xevent);

    CREATE TABLE event_entities (
        event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        entity TEXT NOT NULL,
        role TEXT NOT NULL,
        PRIMARY KEY (event_id, entity, role)
    );
    CREATE INDEX event_entities_entity ON event_entities(entity);

    CREATE TABLE conflicts (
        id INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        field TEXT NOT NULL,
        "values" TEXT NOT NULL               -- [{value, doc, xevent, published}]
    );
    CREATE INDEX conflicts_event ON conflicts(event_id);

    CREATE TABLE ledger_history (
        event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        doc TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        xevent INTEGER NOT NULL,
        published TEXT,
        status TEXT,
        start TEXT,
        "end" TEXT,
        quantity REAL,
        changes TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (event_id, seq)
    );

    CREATE TABLE doc_links (
        a TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        b TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('translation', 'duplicate', 'version')),
        score REAL,
        PRIMARY KEY (a, b, kind)
    );
    CREATE INDEX doc_links_b ON doc_links(b);

    CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, kind UNINDEXED, doc UNINDEXED, xevent UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    """,
    # 2: the text's length as a column, so that translation candidates are chosen by an index
    """
    ALTER TABLE documents ADD COLUMN length INTEGER;
    UPDATE documents SET length = length(text);
    CREATE INDEX documents_length ON documents(current, length);
    """,
    # 3: merge candidates newest first without sorting the whole block
    """
    CREATE INDEX events_type_key_seq ON events(type, key, seq);
    CREATE INDEX events_seq ON events(seq);
    CREATE INDEX documents_seq ON documents(seq);
    """,
    _near_duplicates_in_sqlite,
    # 5: the timeline and the dossiers are read a page at a time from indexes, whatever the size
    # of the store. events.sort_date (generated from date: its first day, '9999' when undated) is
    # the timeline's order with seq (last_day, generated too, says which deployments overlap a
    # range of dates from the same index); event_entities gets a copy of its event's type,
    # sort_date and seq, kept by triggers (the writer need not know them), so that an actor's
    # events come in timeline order (entity, sort_date, seq) and an entity's newest facts of a
    # kind in a role (entity, role, type, seq) straight from an index. Entities get n_documents,
    # kept by triggers too: the entity list is read most-named first from an index.
    f"""
    ALTER TABLE events ADD COLUMN sort_date TEXT GENERATED ALWAYS AS ({SORT_DATE}) VIRTUAL;
    ALTER TABLE events ADD COLUMN last_day TEXT GENERATED ALWAYS AS ({LAST_DAY}) VIRTUAL;
    CREATE INDEX events_timeline ON events(sort_date, seq, type);
    CREATE INDEX events_type_timeline ON events(type, sort_date, seq, last_day);
    ALTER TABLE event_entities ADD COLUMN type TEXT;
    ALTER TABLE event_entities ADD COLUMN sort_date TEXT;
    ALTER TABLE event_entities ADD COLUMN seq INTEGER;
    UPDATE event_entities SET (type, sort_date, seq) =
        (SELECT e.type, e.sort_date, e.seq FROM events e WHERE e.id = event_entities.event_id);
    -- (a writer that inserts the copies itself, from events in the same INSERT, skips this)
    CREATE TRIGGER event_entities_copy AFTER INSERT ON event_entities
    WHEN NEW.type IS NULL OR NEW.sort_date IS NULL OR NEW.seq IS NULL BEGIN
        UPDATE event_entities SET (type, sort_date, seq) =
            (SELECT e.type, e.sort_date, e.seq FROM events e WHERE e.id = NEW.event_id)
        WHERE rowid = NEW.rowid;
    END;
    CREATE TRIGGER events_copy AFTER UPDATE OF type, date, seq ON events
    WHEN OLD.type IS NOT NEW.type OR OLD.date IS NOT NEW.date OR OLD.seq IS NOT NEW.seq BEGIN
        UPDATE event_entities SET type = NEW.type, sort_date = NEW.sort_date, seq = NEW.seq
        WHERE event_id = NEW.id;
    END;
    CREATE INDEX event_entities_timeline
        ON event_entities(entity, sort_date, seq, role, type, event_id);
    CREATE INDEX event_entities_type_timeline
        ON event_entities(entity, type, sort_date, seq, role, event_id);
    DROP INDEX event_entities_entity_role;
    CREATE INDEX event_entities_newest ON event_entities(entity, role, type, seq, event_id);
    CREATE INDEX entities_country ON entities(type, country, same_as, name);

    -- the entity list is read most-mentioned first from an index: the number of current
    -- documents that name an entity (or one merged into it), kept by triggers on doc_entities,
    -- documents.current and entities.same_as
    ALTER TABLE entities ADD COLUMN n_documents INTEGER NOT NULL DEFAULT 0;
    UPDATE entities SET n_documents = c.n FROM (
        SELECT COALESCE(x.same_as, x.id) AS id, COUNT(DISTINCT de.doc) AS n
        FROM doc_entities de JOIN entities x ON x.id = de.entity JOIN documents d ON d.id = de.doc
        WHERE d.current = 1 GROUP BY 1) AS c
    WHERE c.id = entities.id AND entities.same_as IS NULL;
    CREATE INDEX entities_listing ON entities(same_as, n_documents DESC, name);
    CREATE INDEX entities_type_listing ON entities(type, same_as, n_documents DESC, name);
    CREATE TRIGGER doc_entities_count AFTER INSERT ON doc_entities
    WHEN (SELECT current FROM documents WHERE id = NEW.doc) = 1 BEGIN
        UPDATE entities SET n_documents = n_documents + 1
        WHERE id = (SELECT COALESCE(same_as, id) FROM entities WHERE id = NEW.entity)
        AND NOT EXISTS (SELECT 1 FROM doc_entities o JOIN entities x ON x.id = o.entity
                        WHERE o.doc = NEW.doc AND o.entity != NEW.entity
                        AND COALESCE(x.same_as, x.id) = entities.id);
    END;
    CREATE TRIGGER doc_entities_uncount AFTER DELETE ON doc_entities
    WHEN (SELECT current FROM documents WHERE id = OLD.doc) = 1 BEGIN
        UPDATE entities SET n_documents = n_documents - 1
        WHERE id = (SELECT COALESCE(same_as, id) FROM entities WHERE id = OLD.entity)
        AND NOT EXISTS (SELECT 1 FROM doc_entities o JOIN entities x ON x.id = o.entity
                        WHERE o.doc = OLD.doc AND COALESCE(x.same_as, x.id) = entities.id);
    END;
    CREATE TRIGGER documents_count AFTER UPDATE OF current ON documents
    WHEN (OLD.current = 1) != (NEW.current = 1) BEGIN
        UPDATE entities
        SET n_documents = n_documents + (CASE WHEN NEW.current = 1 THEN 1 ELSE -1 END)
        WHERE id IN (SELECT COALESCE(x.same_as, x.id) FROM doc_entities o
                     JOIN entities x ON x.id = o.entity WHERE o.doc = NEW.id);
    END;
    CREATE TRIGGER entities_count AFTER UPDATE OF same_as ON entities
    WHEN OLD.same_as IS NOT NEW.same_as BEGIN
        UPDATE entities SET n_documents = (  -- the group's own rows drive it (CROSS JOIN)
            SELECT COUNT(DISTINCT de.doc) FROM entities x CROSS JOIN doc_entities de
            ON de.entity = x.id CROSS JOIN documents d ON d.id = de.doc
            WHERE (x.id = entities.id OR x.same_as = entities.id) AND d.current = 1)
        WHERE id IN (COALESCE(OLD.same_as, OLD.id), COALESCE(NEW.same_as, NEW.id));
    END;
    """,
    _bounds_and_finer_keys,
    # 7: fewer B-trees written per document (a document dirtied ~100 pages, most of them in
    # indexes keyed by event or entity): the indexes nothing reads dropped, a merged event's
    # sources kept in their primary key's order (WITHOUT ROWID), the document counts' triggers
    # probing an entity's group instead of all the document's entities
    """
    DROP INDEX mentions_entity;          -- mentions are read by document only
    DROP INDEX events_type_key;          -- the prefix of events_type_key_seq

    -- an extracted event belongs to one document: (event_id, doc, xevent) is as unique as
    -- (event_id, xevent), and serves the lookups of an event's documents
    CREATE TABLE event_sources_new (
        event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        xevent INTEGER NOT NULL REFERENCES extracted_events(id) ON DELETE CASCADE,
        doc TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        published TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (event_id, doc, xevent)
    ) WITHOUT ROWID;
    INSERT INTO event_sources_new (event_id, xevent, doc, published)
        SELECT event_id, xevent, doc, published FROM event_sources;
    DROP TABLE event_sources;
    ALTER TABLE event_sources_new RENAME TO event_sources;
    CREATE INDEX event_sources_doc ON event_sources(doc);
    CREATE INDEX event_sources_xevent ON event_sources(xevent);
    CREATE INDEX event_sources_latest ON event_sources(event_id, published, xevent);

    DROP TRIGGER doc_entities_count;
    CREATE TRIGGER doc_entities_count AFTER INSERT ON doc_entities
    WHEN (SELECT current FROM documents WHERE id = NEW.doc) = 1 BEGIN
        UPDATE entities SET n_documents = n_documents + 1
        WHERE id = (SELECT COALESCE(same_as, id) FROM entities WHERE id = NEW.entity)
        AND NOT EXISTS (SELECT 1 FROM entities x CROSS JOIN doc_entities o  -- the group first
                        ON o.doc = NEW.doc AND o.entity = x.id
                        WHERE (x.id = entities.id OR x.same_as = entities.id)
                        AND x.id != NEW.entity);
    END;
    DROP TRIGGER doc_entities_uncount;
    CREATE TRIGGER doc_entities_uncount AFTER DELETE ON doc_entities
    WHEN (SELECT current FROM documents WHERE id = OLD.doc) = 1 BEGIN
        UPDATE entities SET n_documents = n_documents - 1
        WHERE id = (SELECT COALESCE(same_as, id) FROM entities WHERE id = OLD.entity)
        AND NOT EXISTS (SELECT 1 FROM entities x CROSS JOIN doc_entities o  -- the group first
                        ON o.doc = OLD.doc AND o.entity = x.id
                        WHERE x.id = entities.id OR x.same_as = entities.id);
    END;
    """,
    _meetings_by_place,
    # 9: the documents the writer adds count for their entities once per commit, one UPDATE per
    # entity group (store.db._DocumentCounts), not one per entity and document: an entity most
    # releases name was rewritten, with its two listing indexes, for every one of them
    "DROP TRIGGER doc_entities_count;",
]


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations not yet applied, each in its own transaction; returns the version.
    (The connection is in autocommit mode: isolation_level=None.)"""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, step in enumerate(MIGRATIONS, start=1):
        if number <= version:
            continue
        if isinstance(step, str):
            # executescript commits first; BEGIN..COMMIT makes each migration all-or-nothing
            conn.executescript(f"BEGIN;\n{step}\nPRAGMA user_version = {number};\nCOMMIT;")
        else:
            conn.execute("BEGIN IMMEDIATE")
            try:
                step(conn)
                conn.execute(f"PRAGMA user_version = {number}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        version = number
    return version


def latest_version() -> int:
    return len(MIGRATIONS)
