"""Read-only questions to the knowledge base; each takes a Store and returns JSON-ready data."""
from __future__ import annotations

import json
from typing import Any, Iterator

from ..resolve import dates
from ..resolve.identity import norm
from .db import Store
from .schema import date_bound
from .search import search  # noqa: F401  (part of this module's API)

__all__ = [
    "list_documents", "get_document", "document_texts", "list_events", "get_event", "timeline",
    "list_entities", "get_entity", "dossier_country", "dossier_person", "search", "export_events",
]


def _loads(value: str | None, default: Any = None) -> Any:
    return json.loads(value) if value else default


def _doc_summary(row: dict) -> dict:
    return {"id": row["id"], "name": row["name"], "source": row["source"], "title": row["title"],
            "published": row["published"], "languages": _loads(row["languages"], []),
            "current": bool(row["current"])}


# -- documents --------------------------------------------------------------------------------
def list_documents(store: Store, limit: int = 50, offset: int = 0,
                   count_limit: int | None = None) -> tuple[list[dict], int]:
    """A page of the current documents, newest first (an index), and how many there are (at most
    `count_limit` when one is given)."""
    total = store.rows("SELECT COUNT(*) AS n FROM (SELECT 1 FROM documents WHERE current = 1"
                       " LIMIT ?)", (-1 if count_limit is None else int(count_limit),))[0]["n"]
    rows = store.rows(
        "SELECT d.id, d.name, d.source, d.title, d.published, d.languages, d.current,"
        " (SELECT COUNT(*) FROM extracted_events x WHERE x.doc = d.id) AS n_events,"
        " (SELECT COUNT(*) FROM doc_entities de WHERE de.doc = d.id) AS n_entities"
        " FROM documents d WHERE d.current = 1 ORDER BY d.published IS NULL, d.published DESC, d.seq"
        " LIMIT ? OFFSET ?", (int(limit), int(offset)))
    out = []
    for r in rows:
        item = _doc_summary(r)
        item.update(n_events=r["n_events"], n_entities=r["n_entities"])
        out.append(item)
    return out, total


def _links(store: Store, doc_id: str) -> list[dict]:
    rows = store.rows(
        "SELECT kind, b AS doc, score, 'newer' AS side FROM doc_links WHERE a = ?"
        " UNION ALL SELECT kind, a AS doc, score, 'older' AS side FROM doc_links WHERE b = ?",
        (doc_id, doc_id))
    out = []
    for r in rows:
        link = {"kind": r["kind"], "doc": r["doc"], "score": r["score"]}
        if r["kind"] == "version":
            # a = the newer version, b = the one it replaced
            link["relation"] = "previous" if r["side"] == "newer" else "next"
        out.append(link)
    return out


def document_texts(store: Store, doc_ids: list[str]) -> dict[str, str]:
    """The texts of these documents (what a page quoting them needs, not all that they hold)."""
    ids = list(dict.fromkeys(doc_ids))
    return {r["id"]: r["text"] for r in store.rows(
        f"SELECT id, text FROM documents WHERE id IN ({','.join('?' * len(ids))})",
        tuple(ids))} if ids else {}


def get_document(store: Store, doc_id: str) -> dict | None:
    rows = store.rows("SELECT * FROM documents WHERE id = ?", (doc_id,))
    if not rows:
        return None
    row = rows[0]
    doc = _doc_summary(row)
    doc.update(text=row["text"], url=row["url"], content_hash=row["content_hash"],
               published_precision=row["published_precision"], ingested_at=row["ingested_at"],
               version_of=row["version_of"])
    doc["segments"] = store.rows(
        'SELECT start, "end", language FROM segments WHERE doc = ? ORDER BY start', (doc_id,))
    doc["mentions"] = store.rows(
        'SELECT m.start, m."end", COALESCE(e.same_as, e.id) AS entity_id, e.type, e.name, m.text'
        " FROM mentions m JOIN entities e ON e.id = m.entity WHERE m.doc = ? ORDER BY m.start",
        (doc_id,))
    doc["entities"] = store.rows(
        "SELECT COALESCE(e.same_as, e.id) AS id, e.type, e.name, e.code, e.country"
        " FROM doc_entities de JOIN entities e ON e.id = de.entity WHERE de.doc = ?"
        " ORDER BY e.type, e.name", (doc_id,))
    events = store.rows(
        'SELECT x.id AS xevent, s.event_id AS id, x.type, x.start, x."end", x.evidence, x.fields,'
        " x.language, x.extractor FROM extracted_events x"
        " LEFT JOIN event_sources s ON s.xevent = x.id WHERE x.doc = ? ORDER BY x.start", (doc_id,))
    for ev in events:
        ev["fields"] = _loads(ev["fields"], {})
    doc["events"] = events
    doc["links"] = _links(store, doc_id)
    return doc


# -- events -----------------------------------------------------------------------------------
def _actor_ids(store: Store, actor: str | None) -> list[str] | None:
    """An actor given as a country code, an entity id or a name -> the entity ids it denotes."""
    if not actor:
        return None
    if len(actor) == 2 and actor.isalpha():
        return [f"country:{actor.upper()}"]
    if ":" in actor:
        return [actor]
    ids = [r["id"] for r in store.rows(
        "SELECT DISTINCT COALESCE(e.same_as, e.id) AS id FROM aliases a"
        " JOIN entities e ON e.id = a.entity WHERE a.norm = ?", (norm(actor),))]
    return ids or ["\x00none"]


_ACTOR_ROLES = ("actor", "donor", "host", "speaker", "speaker_country", "member")
_ROLES_SQL = ",".join(f"'{r}'" for r in _ACTOR_ROLES)  # literals: constants, never user input


# totals and counts are exact up to COUNT_LIMIT (what a page of results needs to say "10,000 or
# more"); counting further would read every match of a big store on every request
COUNT_LIMIT = 10_000

_HI = date_bound("{col}", "99", "99")


def _date_branches(type: str | None, date_from: str | None, date_to: str | None
                   ) -> list[tuple[str, list]]:
    """The timeline's date filter (resolve.dates.in_range, and for deployments the overlap of
    their period with the range) as SQL over `e` (events) and `k` (the row that carries the sort
    key: events or event_entities): one (condition, params) per branch of a UNION ALL, each of
    which an index gives in (sort_date, seq) order. Dated facts are found by a range of sort_date;
    deployments (a period that may have begun long before the range) by scanning their own type."""
    if not date_from and not date_to:
        return [("1", [])]
    branches = []
    if type != "deployment":
        # an event's date can fall in [from, to]: it is a date, hi(date) >= lo(from) and
        # lo(date) <= hi(to); lo(date) >= the first day of from's year follows from the first
        cond, params = ["k.sort_date != '9999'"], []
        if date_from and dates.clean(date_from):
            first = dates.lo(date_from)
            cond.append("k.sort_date >= ?")
            params.append(first[:4] + "-01-01")
            if not first.endswith("-01-01"):  # else lo(date) >= it says hi(date) >= it
                cond.append(f"{_HI.format(col='e.date')} >= ?")
                params.append(first)
        if date_to and dates.clean(date_to):
            cond.append("k.sort_date <= ?")
            params.append(dates.hi(date_to))
        if type is None:
            cond.append("k.type != 'deployment'")
        branches.append((" AND ".join(cond), params))
    if type in (None, "deployment"):
        # a period overlaps the range when it starts before its end and ends after its start;
        # e.last_day: its end's last day, '9999' while open, NULL when unknown (schema.LAST_DAY)
        cond, params = ["(k.sort_date != '9999' OR e.last_day IS NOT NULL)"], []
        if date_to:
            cond.append("(k.sort_date = '9999' OR k.sort_date <= ?)")
            params.append(dates.hi(date_to) or "9999")
        if date_from:
            cond.append("(e.last_day IS NULL OR e.last_day = '9999' OR e.last_day >= ?)")
            params.append(dates.lo(date_from) or "")
        if type is None:
            cond.append("k.type = 'deployment'")
        branches.append((" AND ".join(cond), params))
    return branches


_SUMMARY_COLUMNS = ("e.id, e.type, e.date, e.date_end, e.status, e.title, e.fields, e.n_sources,"
                    " e.n_documents, k.sort_date AS sort_date, k.seq AS seq")


def _timeline_sql(store: Store, type: str | None, actor: str | None, date_from: str | None,
                  date_to: str | None, columns: str, count: bool = False) -> tuple[str, list]:
    """SELECT `columns` of the matching events (no ORDER BY): one branch per _date_branches, each
    read from an index in timeline order, (sort_date, seq) = the date's first day ('9999' when
    undated), then the order of creation. `count`: what counting needs (no more)."""
    ids = _actor_ids(store, actor)
    parts, params = [], []
    for cond, more in _date_branches(type, date_from, date_to):
        if ids is None:
            # the periods' branch reads the deployments' timeline index, which holds all it
            # tests (sort_date, last_day): counting them chose another index on the type and read
            # every deployment's row (28 ms on the 100k store, 1.4 from the index)
            periods = " INDEXED BY events_type_timeline" if "last_day" in cond else ""
            sql = (f"SELECT {columns.replace('k.', 'e.')} FROM events e{periods}"
                   f" WHERE {cond.replace('k.', 'e.')}")
            args: list = list(more)
            if type:
                sql += " AND e.type = ?"
                args.append(type)
        else:
            marks = ",".join("?" * len(ids))
            # k: the actor's rows in timeline order (an index); the event's own row only where
            # the columns or the date filter need it
            join = " CROSS JOIN events e ON e.id = k.event_id" \
                if "e." in columns or "e." in cond else ""
            sql = (f"SELECT {columns} FROM event_entities k{join}"
                   f" WHERE k.entity IN ({marks}) AND k.role IN ({_ROLES_SQL}) AND {cond}")
            args = [*ids, *more]
            if type:
                sql += " AND k.type = ?"
                args.append(type)
            if len(ids) > 1 or not count:
                # an event in which the actor has two of the roles comes once, at the first of
                # them (merge.roles gives an entity one of them per event: one actor role per type,
                # speaker and speaker_country are a person and a country; counting relies on it)
                sql += (" AND NOT EXISTS (SELECT 1 FROM event_entities o"
                        f" WHERE o.event_id = k.event_id AND o.entity IN ({marks})"
                        f" AND o.role IN ({_ROLES_SQL})"
                        " AND (o.entity < k.entity OR (o.entity = k.entity AND o.role < k.role)))")
                args += ids
        parts.append(sql)
        params += args
    return " UNION ALL ".join(parts), params


def _summaries_of(rows: list[dict]) -> list[dict]:
    for r in rows:
        r["fields"] = _loads(r["fields"], {})
    return [_summary(r) for r in rows]


def _timeline_page(store: Store, type: str | None, actor: str | None, date_from: str | None,
                   date_to: str | None, limit: int, offset: int) -> list[dict]:
    sql, params = _timeline_sql(store, type, actor, date_from, date_to, _SUMMARY_COLUMNS)
    rows = store.rows(
        f"SELECT *, (SELECT COUNT(*) FROM conflicts c WHERE c.event_id = t.id) AS n_conflicts"
        f" FROM ({sql} ORDER BY sort_date, seq LIMIT ? OFFSET ?) t",
        (*params, int(limit), int(offset)))
    rows.sort(key=lambda r: (r["sort_date"], r["seq"]))  # the page's order (no more rows than that)
    return _summaries_of(rows)


def count_events(store: Store, type: str | None = None, actor: str | None = None,
                 date_from: str | None = None, date_to: str | None = None,
                 limit: int | None = None) -> int:
    """How many events match (counting stops at `limit` when one is given)."""
    sql, params = _timeline_sql(store, type, actor, date_from, date_to, "1", count=True)
    return store.rows(f"SELECT COUNT(*) AS n FROM ({sql} LIMIT ?)",
                      (*params, -1 if limit is None else int(limit)))[0]["n"]


def _summary(row: dict) -> dict:
    date = row["date"]
    return {"id": row["id"], "type": row["type"], "date": date,
            "year": int(date[:4]) if dates.clean(date) else None, "date_end": row["date_end"],
            "status": row["status"], "title": row["title"], "summary": row["title"],
            "fields": row["fields"], "n_sources": row["n_sources"],
            "n_documents": row["n_documents"], "n_conflicts": row["n_conflicts"]}


def list_events(store: Store, type: str | None = None, actor: str | None = None,
                date_from: str | None = None, date_to: str | None = None, limit: int = 50,
                offset: int = 0, count_limit: int | None = None) -> tuple[list[dict], int]:
    """One page of the timeline and the number of matching events (at most `count_limit` when
    one is given: the API's total then says "at least")."""
    items = _timeline_page(store, type, actor, date_from, date_to, limit, offset)
    if offset == 0 and len(items) < limit:
        return items, len(items)
    return items, count_events(store, type, actor, date_from, date_to, count_limit)


def timeline(store: Store, actor: str | None = None, type: str | None = None,
             date_from: str | None = None, date_to: str | None = None) -> list[dict]:
    """Merged events in date order (undated ones last), all of them."""
    return _timeline_page(store, type, actor, date_from, date_to, -1, 0)


def _event_sources(store: Store, event_id: str, limit: int | None = None) -> list[dict]:
    """The sources of a merged event in publication order (undated first, then by the first day
    their release can mean, then as stored), the first `limit` of them read from an index in that
    order: a fact that thousands of releases repeat is not sorted whole for a page of it."""
    rows = store.rows(
        'SELECT x.doc, x.start, x."end", x.evidence, x.language, x.extractor, x.id AS xevent,'
        " x.fields, d.published, d.title, d.name FROM event_sources s"
        " INDEXED BY event_sources_latest"
        " CROSS JOIN extracted_events x ON x.id = s.xevent CROSS JOIN documents d ON d.id = x.doc"
        " WHERE s.event_id = ? ORDER BY s.published, s.xevent"
        " LIMIT ?", (event_id, -1 if limit is None else limit))
    for r in rows:
        r["fields"] = _loads(r["fields"], {})
    return rows


def get_event(store: Store, event_id: str, max_sources: int | None = None) -> dict | None:
    rows = store.rows(
        "SELECT e.*, (SELECT COUNT(*) FROM conflicts c WHERE c.event_id = e.id) AS n_conflicts"
        " FROM events e WHERE e.id = ?", (event_id,))
    if not rows:
        return None
    row = rows[0]
    row["fields"] = _loads(row["fields"], {})
    event = _summary(row)
    event["sources"] = _event_sources(store, event_id, max_sources)
    if max_sources is not None:  # how many there are (the extracted events merged into it)
        event["n_source_rows"] = store.rows(
            "SELECT COUNT(*) AS n FROM event_sources WHERE event_id = ?", (event_id,))[0]["n"]
    history = store.rows(
        'SELECT doc, xevent, published, status, start, "end", quantity, changes'
        " FROM ledger_history WHERE event_id = ? ORDER BY seq", (event_id,))
    for h in history:
        h["changes"] = _loads(h["changes"], {})
    event["history"] = history
    conflicts = store.rows('SELECT field, "values" FROM conflicts WHERE event_id = ? ORDER BY id',
                           (event_id,))
    event["conflicts"] = [{"field": c["field"], "values": _loads(c["values"], [])} for c in conflicts]
    event["entities"] = store.rows(
        "SELECT ee.entity AS id, ee.role, e.name, e.type FROM event_entities ee"
        " LEFT JOIN entities e ON e.id = ee.entity WHERE ee.event_id = ? AND ee.role != 'involves'"
        " ORDER BY ee.role, ee.entity", (event_id,))
    return event


EXPORT_PAGE = 500  # events read at a time by an export


def export_events(store: Store) -> Iterator[dict]:
    """Every merged event with its fields and sources, one at a time in timeline order (export
    --format events-jsonl|csv|parquet, the API's downloads): a store of any size is written out
    with the memory of a page of events. (Inside one read transaction, the pages read one state
    of a store that is being written.)"""
    offset = 0
    while True:
        page = _timeline_page(store, None, None, None, None, EXPORT_PAGE, offset)
        for row in page:
            yield _exported(store, row)
        if len(page) < EXPORT_PAGE:
            return
        offset += len(page)


def _exported(store: Store, row: dict) -> dict:
    sources = _event_sources(store, row["id"])
    conflicts = store.rows('SELECT field, "values" FROM conflicts WHERE event_id = ?',
                           (row["id"],))
    return {
        "id": row["id"], "type": row["type"], "date": row["date"], "status": row["status"],
        "title": row["title"], "fields": row["fields"], "n_sources": row["n_sources"],
        "conflicts": [{"field": c["field"], "values": _loads(c["values"], [])}
                      for c in conflicts],
        "sources": [{"doc": s["doc"], "start": s["start"], "end": s["end"],
                     "evidence": s["evidence"], "language": s["language"],
                     "extractor": s["extractor"], "published": s["published"]}
                    for s in sources],
    }


# -- entities ---------------------------------------------------------------------------------
def list_entities(store: Store, type: str | None = None, q: str | None = None, limit: int = 50,
                  offset: int = 0, count_limit: int | None = None) -> tuple[list[dict], int]:
    """Entities (merged ones under the one they are merged into) named in most documents first:
    a page read from the index (type, same_as, n_documents, name), and how many there are (at
    most `count_limit` when one is given). With `q`, an entity one of whose names contains it."""
    where = " FROM entities e WHERE e.same_as IS NULL"
    params: list[Any] = []
    if type:
        where += " AND e.type = ?"
        params.append(type)
    if q:
        # the entity's own names and those of the entities merged into it (its aliases' key)
        where += (" AND EXISTS (SELECT 1 FROM entities x JOIN aliases a ON a.entity = x.id"
                  " WHERE (x.id = e.id OR x.same_as = e.id) AND a.norm LIKE ? ESCAPE '\\')")
        escaped = norm(q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    rows = store.rows("SELECT e.id, e.type, e.name, e.code, e.country, e.roles, e.n_documents"
                      + where + " ORDER BY e.n_documents DESC, e.name LIMIT ? OFFSET ?",
                      (*params, int(limit), int(offset)))
    for r in rows:
        r["roles"] = _loads(r["roles"], [])
    if offset == 0 and len(rows) < limit:
        return rows, len(rows)
    total = store.rows(f"SELECT COUNT(*) AS n FROM (SELECT 1{where} LIMIT ?)",
                       (*params, -1 if count_limit is None else int(count_limit)))[0]["n"]
    return rows, total


def _resolve_entity(store: Store, key: str, type: str | None = None) -> dict | None:
    rows = store.rows("SELECT * FROM entities WHERE id = ?", (key,))
    if not rows:
        # the entities with that name (aliases_norm) drive the join, not all of the type
        sql = ("SELECT e.* FROM aliases a CROSS JOIN entities e ON e.id = a.entity"
               " WHERE a.norm = ?")
        params: list[Any] = [norm(key)]
        if type:
            sql += " AND e.type = ?"
            params.append(type)
        rows = store.rows(sql + " ORDER BY e.same_as IS NOT NULL LIMIT 1", tuple(params))
    if not rows:
        return None
    row = rows[0]
    if row["same_as"]:
        rows = store.rows("SELECT * FROM entities WHERE id = ?", (row["same_as"],))
        row = rows[0] if rows else row
    return row


def get_entity(store: Store, entity_id: str, limit: int | None = None,
               offset: int = 0) -> dict | None:
    """An entity (the one it is merged into), its aliases, and the current documents (by date of
    publication) and merged events (in timeline order) that name it or an entity merged into it:
    all of them, or (limit) a page of each with `counts` (up to offset + COUNT_LIMIT)."""
    row = _resolve_entity(store, entity_id)
    if row is None:
        return None
    ids = [r["id"] for r in store.rows(
        "SELECT id FROM entities WHERE id = ? OR same_as = ?", (row["id"], row["id"]))]
    marks = ",".join("?" * len(ids))
    entity = {"id": row["id"], "type": row["type"], "name": row["name"], "code": row["code"],
              "country": row["country"], "qid": row["qid"], "roles": _loads(row["roles"], []),
              "coordinates": _loads(row["coordinates"]), "merged_ids": ids}
    entity["aliases"] = sorted({r["alias"] for r in store.rows(
        f"SELECT alias FROM aliases WHERE entity IN ({marks})", tuple(ids))})
    columns = "d.id, d.name, d.source, d.title, d.published, d.languages, d.current"
    if limit is None:
        entity["documents"] = [_doc_summary(r) for r in store.rows(
            f"SELECT DISTINCT {columns} FROM doc_entities de JOIN documents d ON d.id = de.doc"
            f" WHERE de.entity IN ({marks}) AND d.current = 1 ORDER BY d.published", tuple(ids))]
        events = store.rows(
            "SELECT DISTINCT e.id, e.type, e.date, e.date_end, e.status, e.title, e.fields,"
            " e.n_sources, e.n_documents, e.seq, 0 AS n_conflicts FROM event_entities ee"
            f" JOIN events e ON e.id = ee.event_id WHERE ee.entity IN ({marks})", tuple(ids))
        for r in events:
            r["fields"] = _loads(r["fields"], {})
        events.sort(key=lambda r: (dates.sort_key(r["date"]) or "9999", r["seq"]))
        entity["events"] = [_summary(r) for r in events]
        return entity
    count_limit = offset + COUNT_LIMIT
    # documents: the current ones that name it, oldest first (undated ones first, as
    # ORDER BY published put them); few are sorted, many read from the listing index backwards
    in_docs = (f" FROM doc_entities de CROSS JOIN documents d ON d.id = de.doc"
               f" WHERE de.entity IN ({marks}) AND d.current = 1")
    n_documents = row["n_documents"]  # kept by the store (migrations 5 and 9)
    order = " ORDER BY d.published IS NULL DESC, d.published, d.seq DESC LIMIT ? OFFSET ?"
    if _sort_documents(store, n_documents, offset + limit):
        docs = store.rows(f"SELECT DISTINCT {columns}{in_docs}{order}", (*ids, limit, offset))
    else:
        docs = store.rows(
            f"SELECT {columns} FROM documents d WHERE d.current = 1 AND EXISTS (SELECT 1"
            f" FROM doc_entities de WHERE de.doc = d.id AND de.entity IN ({marks})){order}",
            (*ids, limit, offset))
    entity["documents"] = [_doc_summary(r) for r in docs]
    # events: its rows in timeline order (an index), each event once (at its first role)
    events_sql = (
        "SELECT k.event_id, k.sort_date, k.seq FROM event_entities k"
        f" WHERE k.entity IN ({marks}) AND NOT EXISTS (SELECT 1 FROM event_entities o"
        f" WHERE o.event_id = k.event_id AND o.entity IN ({marks})"
        " AND (o.entity < k.entity OR (o.entity = k.entity AND o.role < k.role)))")
    page = store.rows(
        "SELECT e.id, e.type, e.date, e.date_end, e.status, e.title, e.fields, e.n_sources,"
        " e.n_documents, e.sort_date, e.seq, 0 AS n_conflicts FROM events e WHERE e.id IN"
        f" (SELECT event_id FROM ({events_sql} ORDER BY k.sort_date, k.seq LIMIT ? OFFSET ?))",
        (*ids, *ids, limit, offset))
    page.sort(key=lambda r: (r["sort_date"], r["seq"]))
    entity["events"] = _summaries_of(page)
    n_events = store.rows(f"SELECT COUNT(*) AS n FROM (SELECT DISTINCT event_id FROM"
                          f" event_entities WHERE entity IN ({marks}) LIMIT ?)",
                          (*ids, count_limit))[0]["n"]
    entity["counts"] = {"documents": n_documents, "events": n_events}
    entity["counts_are_lower_bounds"] = n_events >= count_limit  # (documents: exact)
    entity.update(limit=limit, offset=offset)
    return entity


# -- dossiers ---------------------------------------------------------------------------------
# a dossier shows the most recent facts of each kind and a few sources of each; the event page
# has them all (a country with ten years of releases would otherwise answer megabytes)
DOSSIER_EVENTS = 100
DOSSIER_SOURCES = 20
# a brief dossier (the API's answer) has the newest facts of each kind, how many there are in all,
# and no sources: /api/events/{event_id} has them
BRIEF_EVENTS = 20
BRIEF_PEOPLE = 50  # a brief country dossier's people: the first 50 by name (counts.people: all)
ATTENDS = ("involves", "invited", "country")
# an entity's documents, a page of them: its n documents sorted, or the documents read in order
# (an index) until the page is full, about wanted * N / n of the N documents; sorting a row costs
# about SORT_COST reads, so sorting wins while SORT_COST * n * n < wanted * N (either way at
# most ~sqrt(SORT_COST * wanted * N) rows: the only read here that grows, and as a square root)
SORT_COST = 3


def _sort_documents(store: Store, n: int, wanted: int) -> bool:
    if SORT_COST * n * n < wanted * 20:  # (few: no need to ask)
        return True
    top = store.rows("SELECT MAX(seq) AS n FROM documents")[0]["n"] or 0  # ~N (an index)
    return SORT_COST * n * n < wanted * top


def _role_filter(entity_ids: list[str], roles: tuple[str, ...], type: str | None
                 ) -> tuple[str, list]:
    marks = ",".join("?" * len(entity_ids))
    rmarks = ",".join("?" * len(roles))
    # the entity's rows (index on entity, role) drive the join: an entity is in few events
    sql = ("SELECT ee.event_id FROM event_entities ee CROSS JOIN events t ON t.id = ee.event_id"
           f" WHERE ee.entity IN ({marks}) AND ee.role IN ({rmarks})")
    params: list = list(entity_ids) + list(roles)
    if type:
        sql += " AND t.type = ?"
        params.append(type)
    return sql, params


def _newest_ids(store: Store, entity_ids: list[str], roles: tuple[str, ...], type: str | None,
                n: int) -> list[str]:
    """The ids of the `n` newest events (by seq) in which one of the entities has one of the
    roles: the n newest of each (entity, role), read from an index (entity, role, type, seq), then
    the n newest of those (an event newer than n others of its own entity and role is not among
    the n newest of all)."""
    if type is None:
        where, params = _role_filter(entity_ids, roles, type)
        return [r["id"] for r in store.rows(
            f"SELECT e.id FROM events e WHERE e.id IN ({where}) ORDER BY e.seq DESC LIMIT ?",
            (*params, n))]
    found: dict[str, int] = {}
    for entity in entity_ids:
        for role in roles:
            for r in store.rows(
                    "SELECT event_id, seq FROM event_entities WHERE entity = ? AND role = ?"
                    " AND type = ? ORDER BY seq DESC LIMIT ?", (entity, role, type, n)):
                found[r["event_id"]] = r["seq"]
    return sorted(found, key=lambda i: -found[i])[:n]


def _events_with_role(store: Store, entity_ids: list[str], roles: tuple[str, ...],
                      type: str | None = None, brief: bool = False) -> list[dict]:
    """The newest events in which one of the entities has one of the roles, in date order: each
    with its sources, history and conflicts, or (brief) only its merged fields."""
    ids = _newest_ids(store, entity_ids, roles, type, BRIEF_EVENTS if brief else DOSSIER_EVENTS)
    out = []
    if brief and ids:
        for r in store.rows(
                "SELECT e.id, e.type, e.date, e.date_end, e.status, e.title, e.fields,"
                " e.n_sources, e.n_documents FROM events e"
                f" WHERE e.id IN ({','.join('?' * len(ids))})",
                tuple(ids)):
            r["fields"] = _loads(r["fields"], {})
            out.append(r)
    else:
        out = [e for e in (get_event(store, i, max_sources=DOSSIER_SOURCES) for i in ids) if e]
    out.sort(key=lambda e: (dates.sort_key(e["date"]) or "9999", e["id"]))
    return out


def _count_with_role(store: Store, entity_ids: list[str], roles: tuple[str, ...],
                     type: str | None = None, excluding: tuple[str, ...] = ()) -> int:
    """How many events have one of the entities in one of the roles (and in none of `excluding`),
    counted from the index (entity, role, type, seq) up to COUNT_LIMIT."""
    marks = ",".join("?" * len(entity_ids))
    sql = (f"SELECT k.event_id FROM event_entities k WHERE k.entity IN ({marks})"
           f" AND k.role IN ({','.join('?' * len(roles))})")
    params: list = [*entity_ids, *roles]
    if type:
        sql += " AND k.type = ?"
        params.append(type)
    if excluding:
        sql += (" AND NOT EXISTS (SELECT 1 FROM event_entities o WHERE o.event_id = k.event_id"
                f" AND o.entity IN ({marks}) AND o.role IN ({','.join('?' * len(excluding))}))")
        params += [*entity_ids, *excluding]
    if len(entity_ids) > 1 or len(roles) > 1:  # (event, entity, role) is the table's key
        sql = sql.replace("SELECT k.event_id", "SELECT DISTINCT k.event_id", 1)
    return store.rows(f"SELECT COUNT(*) AS n FROM ({sql} LIMIT ?)",
                      (*params, COUNT_LIMIT))[0]["n"]


def _source_list(event: dict) -> dict:
    """{"sources": [...]} of a full dossier's event; nothing for a brief one (n_sources says how
    many, /api/events/{id} lists them)."""
    if "sources" not in event:
        return {}
    return {"sources": [{"doc": s["doc"], "start": s["start"], "end": s["end"],
                         "evidence": s["evidence"], "published": s["published"],
                         "language": s["language"]}
                        for s in event["sources"][:DOSSIER_SOURCES]]}


def _country_name(code: str, name: str | None) -> str:
    if name and name != code:
        return name
    try:
        from ..extract.gazetteer import gazetteer
        return gazetteer().country_name(code)
    except Exception:  # the gazetteer is optional here
        return name or code


def dossier_country(store: Store, code: str, brief: bool = False) -> dict | None:
    """A country's deployments, funding, meetings, people and quotes: the newest DOSSIER_EVENTS
    of each kind with their sources, or (brief) the newest BRIEF_EVENTS without sources and the
    number of each kind in `counts`."""
    code = (code or "").strip()
    row = _resolve_entity(store, f"country:{code.upper()}") if len(code) == 2 else \
        _resolve_entity(store, code, "country")
    if row is None or row["type"] != "country":
        return None
    code = row["code"] or row["id"].split(":", 1)[-1]
    ids = [row["id"]]
    deployments: dict[str, dict] = {}
    for ev in _events_with_role(store, ids, ("actor",), "deployment", brief):
        f = ev["fields"]
        asset = str(f.get("asset") or "?")
        entry = deployments.setdefault(asset, {"asset": asset, "actor": code, "periods": []})
        entry["periods"].append({
            "event_id": ev["id"], "status": f.get("status"), "start": f.get("start"),
            "end": f.get("end"), "quantity": f.get("quantity"), "base": f.get("base"),
            "area": f.get("area"), "date": ev["date"], "n_sources": ev["n_sources"],
            **({} if brief else {"history": ev["history"], "conflicts": ev["conflicts"]}),
            **_source_list(ev)})
    for entry in deployments.values():
        entry["periods"].sort(key=lambda p: (dates.sort_key(p["start"] or p["date"]) or "9999"))
        last = entry["periods"][-1]
        entry.update({k: last[k] for k in ("status", "start", "end", "quantity", "history",
                                            "sources") if k in last})
    funding = []
    for ev in _events_with_role(store, ids, ("donor",), "funding", brief):
        f = ev["fields"]
        funding.append({"event_id": ev["id"], "currency": f.get("currency"),
                        "year": f.get("year") or f.get("since") or (ev["date"] or "")[:4] or None,
                        "amount": f.get("amount"), "donor": f.get("donor"),
                        "purpose": f.get("purpose"), "since": f.get("since"),
                        "n_sources": ev["n_sources"], **_source_list(ev)})
    funding.sort(key=lambda x: (str(x["currency"]), str(x["year"])))

    def meeting(ev: dict) -> dict:
        return {"event_id": ev["id"], "date": ev["date"], "title": ev["title"],
                "fields": ev["fields"], "n_sources": ev["n_sources"], **_source_list(ev)}

    hosted = _events_with_role(store, ids, ("host",), "meeting", brief)
    hosted_ids = {e["id"] for e in hosted}
    attended = [e for e in _events_with_role(store, ids, ATTENDS, "meeting", brief)
                if e["id"] not in hosted_ids]
    in_country = " FROM entities WHERE type = 'person' AND country = ? AND same_as IS NULL"
    people = store.rows(  # index (type, country, same_as, name)
        "SELECT id, name, roles" + in_country + " ORDER BY name LIMIT ?",
        (code, BRIEF_PEOPLE if brief else -1))
    for p in people:
        p["roles"] = _loads(p["roles"], [])
    quotes = []
    for ev in _events_with_role(store, ids, ("speaker_country",), "quote", brief):
        quotes.append({"event_id": ev["id"], "speaker": ev["fields"].get("speaker"),
                       "text": ev["fields"].get("text"), "date": ev["date"],
                       "language": ev["fields"].get("language"), **_source_list(ev)})
    out = {"country": {"code": code, "name": _country_name(code, row["name"]), "id": row["id"]},
           "deployments": sorted(deployments.values(), key=lambda d: d["asset"]),
           "funding": funding,
           "meetings_hosted": [meeting(e) for e in hosted],
           "meetings_attended": [meeting(e) for e in attended],
           "people": people, "quotes": quotes}
    if brief:
        out["counts"] = {
            "deployments": _count_with_role(store, ids, ("actor",), "deployment"),
            "funding": _count_with_role(store, ids, ("donor",), "funding"),
            "meetings_hosted": _count_with_role(store, ids, ("host",), "meeting"),
            "meetings_attended": _count_with_role(store, ids, ATTENDS, "meeting",
                                                  excluding=("host",)),
            "people": store.rows(f"SELECT COUNT(*) AS n FROM (SELECT 1{in_country} LIMIT ?)",
                                 (code, COUNT_LIMIT))[0]["n"],
            "quotes": _count_with_role(store, ids, ("speaker_country",), "quote")}
        out["counts_are_lower_bounds"] = any(n >= COUNT_LIMIT for n in out["counts"].values())
    return out


def dossier_person(store: Store, entity_id_or_name: str, brief: bool = False) -> dict | None:
    """A person's quotes, meetings and documents: the newest DOSSIER_EVENTS of each (brief: the
    newest BRIEF_EVENTS, without sources, and how many there are in `counts`)."""
    row = _resolve_entity(store, entity_id_or_name, "person")
    if row is None or row["type"] != "person":
        return None
    ids = [r["id"] for r in store.rows(
        "SELECT id FROM entities WHERE id = ? OR same_as = ?", (row["id"], row["id"]))]
    quotes = [{"event_id": ev["id"], "text": ev["fields"].get("text"), "date": ev["date"],
               "language": ev["fields"].get("language"), **_source_list(ev)}
              for ev in _events_with_role(store, ids, ("speaker",), "quote", brief)]
    meetings = [{"event_id": ev["id"], "date": ev["date"], "title": ev["title"],
                 "fields": ev["fields"], **_source_list(ev)}
                for ev in _events_with_role(store, ids, ("involves",), "meeting", brief)]
    marks = ",".join("?" * len(ids))
    columns = "d.id, d.name, d.source, d.title, d.published, d.languages, d.current"
    # the person's rows drive the join (CROSS JOIN: SQLite keeps the order written)
    in_docs = (f" FROM doc_entities de CROSS JOIN documents d ON d.id = de.doc"
               f" WHERE de.entity IN ({marks}) AND d.current = 1")
    # the newest documents: BRIEF_EVENTS of them, or DOSSIER_EVENTS for the dossier page (all of
    # a minister's took 0.8 s on the 100,000-document store: 6,957 of them)
    wanted = BRIEF_EVENTS if brief else DOSSIER_EVENTS
    n_documents = row["n_documents"]  # kept by the store (migrations 5 and 9)
    if _sort_documents(store, n_documents, wanted):  # few: sort them
        rows = store.rows(f"SELECT DISTINCT {columns}{in_docs}"
                          " ORDER BY d.published IS NULL, d.published DESC, d.seq LIMIT ?",
                          (*ids, wanted))
    else:  # many: the newest documents (an index) until `wanted` of them name the person
        rows = store.rows(
            f"SELECT {columns} FROM documents d WHERE d.current = 1 AND EXISTS (SELECT 1"
            f" FROM doc_entities de WHERE de.doc = d.id AND de.entity IN ({marks}))"
            " ORDER BY d.published IS NULL, d.published DESC, d.seq LIMIT ?", (*ids, wanted))
    documents = [_doc_summary(r) for r in rows]
    out = {"person": {"id": row["id"], "name": row["name"], "roles": _loads(row["roles"], []),
                      "country": row["country"], "merged_ids": ids},
           "quotes": quotes, "meetings": meetings, "documents": documents}
    if brief:
        out["counts"] = {
            "quotes": _count_with_role(store, ids, ("speaker",), "quote"),
            "meetings": _count_with_role(store, ids, ("involves",), "meeting"),
            "documents": n_documents}  # (exact)
        out["counts_are_lower_bounds"] = max(out["counts"]["quotes"],
                                             out["counts"]["meetings"]) >= COUNT_LIMIT
    return out
