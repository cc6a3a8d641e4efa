"""The read API costs the same on a store of any size: each page, dossier and search is read from
indexes (no scan of a big table, no sort of every match), and gives what the unbounded reading
gave (the reference implementations below) on the sample store built through the real writer."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from fastapi.testclient import TestClient

from conftest import build_sample_store
from communique.resolve import dates
from communique.store import Store, queries
from communique.web import create_app

FILTERS = [
    {}, {"actor": "BE"}, {"actor": "NL"}, {"actor": "Belgium"}, {"type": "meeting"},
    {"type": "deployment"}, {"type": "quote", "actor": "BE"},
    {"date_from": "2019", "date_to": "2019"}, {"date_from": "2020-05"}, {"date_to": "2018-06-30"},
    {"type": "meeting", "date_from": "2021", "date_to": "2021-12"},
    {"type": "deployment", "date_from": "2021"}, {"actor": "BE", "date_from": "2020-03-15"},
    {"actor": "country:NL", "type": "deployment", "date_to": "2020"},
]


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    return build_sample_store(tmp_path_factory.mktemp("bounded") / "sample.db")


@pytest.fixture
def store(db):
    with Store(db, readonly=True) as s:
        yield s


# -- reference: what the timeline was before it was paged in SQL ------------------------------
def _in_range(row: dict, date_from, date_to) -> bool:
    if not date_from and not date_to:
        return True
    if row["type"] == "deployment":
        first = row["date"]
        last = row["date_end"] or (None if row["status"] == "ended" else "9999")
        if not dates.clean(first) and not dates.clean(last):
            return False
        if date_to and dates.clean(first) and dates.lo(first) > (dates.hi(date_to) or "9999"):
            return False
        if date_from and last and last != "9999" and dates.hi(last) < (dates.lo(date_from) or ""):
            return False
        return True
    return dates.in_range(row["date"], date_from, date_to)


def reference_ids(store, type=None, actor=None, date_from=None, date_to=None) -> list[str]:
    sql, params = "SELECT * FROM events e WHERE 1 = 1", []
    if type:
        sql += " AND e.type = ?"
        params.append(type)
    ids = queries._actor_ids(store, actor)
    if ids is not None:
        sql += (f" AND e.id IN (SELECT event_id FROM event_entities WHERE entity IN"
                f" ({','.join('?' * len(ids))}) AND role IN"
                f" ({','.join('?' * len(queries._ACTOR_ROLES))}))")
        params += ids + list(queries._ACTOR_ROLES)
    rows = [r for r in store.rows(sql, tuple(params)) if _in_range(r, date_from, date_to)]
    rows.sort(key=lambda r: (dates.sort_key(r["date"]) or "9999", r["seq"]))
    return [r["id"] for r in rows]


@pytest.mark.parametrize("filters", FILTERS)
def test_timeline_pages_are_what_sorting_everything_gave(store, filters):
    expected = reference_ids(store, **filters)
    assert [e["id"] for e in queries.timeline(store, **filters)] == expected
    for limit, offset in ((3, 0), (2, 3), (100, 0), (5, len(expected) - 2)):
        items, total = queries.list_events(store, limit=limit, offset=max(offset, 0), **filters)
        assert [e["id"] for e in items] == expected[max(offset, 0):max(offset, 0) + limit]
        assert total == len(expected)


def test_the_store_has_undated_and_dated_events_of_several_types(store):
    """(so that the comparisons above mean something)"""
    rows = store.rows("SELECT type, date FROM events")
    assert len({r["type"] for r in rows}) >= 4
    assert any(dates.clean(r["date"]) for r in rows)


def test_copies_kept_by_triggers_match_what_they_copy(store):
    """event_entities carries its event's type, sort_date and seq, entities their number of
    current documents: written by triggers while the writer added the sample."""
    assert store.rows(
        "SELECT COUNT(*) AS n FROM event_entities ee JOIN events e ON e.id = ee.event_id"
        " WHERE ee.type IS NOT e.type OR ee.sort_date IS NOT e.sort_date OR ee.seq IS NOT e.seq"
    )[0]["n"] == 0
    assert store.rows(
        "SELECT COUNT(*) AS n FROM event_entities WHERE sort_date IS NULL")[0]["n"] == 0
    for r in store.rows("SELECT id, date, sort_date FROM events"):
        assert r["sort_date"] == (dates.sort_key(r["date"]) or "9999")
    recount = {r["id"]: r["n"] for r in store.rows(
        "SELECT COALESCE(x.same_as, x.id) AS id, COUNT(DISTINCT de.doc) AS n FROM doc_entities de"
        " JOIN entities x ON x.id = de.entity JOIN documents d ON d.id = de.doc"
        " WHERE d.current = 1 GROUP BY 1")}
    for r in store.rows("SELECT id, n_documents FROM entities WHERE same_as IS NULL"):
        assert r["n_documents"] == recount.get(r["id"], 0), r["id"]


def test_event_entities_copies_given_or_filled(tmp_path):
    db = build_sample_store(tmp_path / "kb.db")
    with Store(db) as s:
        event = s.rows("SELECT id, type, sort_date, seq FROM events WHERE date IS NOT NULL"
                       " LIMIT 1")[0]
        s.execute("INSERT INTO event_entities (event_id, entity, role) VALUES (?, 'x:1', 'host')",
                  (event["id"],))
        s.execute("INSERT INTO event_entities (event_id, entity, role, type, sort_date, seq)"
                  " SELECT id, 'x:2', 'host', type, sort_date, seq FROM events WHERE id = ?",
                  (event["id"],))
        for entity in ("x:1", "x:2"):
            row = s.rows("SELECT type, sort_date, seq FROM event_entities WHERE entity = ?",
                         (entity,))[0]
            assert row == {k: event[k] for k in ("type", "sort_date", "seq")}
        s.execute("UPDATE events SET date = '1999-02' WHERE id = ?", (event["id"],))
        assert {r["sort_date"] for r in s.rows(
            "SELECT sort_date FROM event_entities WHERE event_id = ?", (event["id"],))} == {
            "1999-02-01"}


def test_counts_follow_a_new_version_and_a_merge(tmp_path):
    """A document replaced by a new version stops counting; a person merged into another counts
    for it (the triggers, through the writer's own paths)."""
    db = build_sample_store(tmp_path / "kb.db")
    with Store(db) as s:
        doc = s.rows("SELECT id FROM documents WHERE current = 1 LIMIT 1")[0]["id"]
        named = [r["entity"] for r in s.rows("SELECT entity FROM doc_entities WHERE doc = ?",
                                             (doc,))]
        before = {r["id"]: r["n_documents"] for r in s.rows("SELECT id, n_documents FROM entities")}
        s.execute("UPDATE documents SET current = 0 WHERE id = ?", (doc,))
        after = {r["id"]: r["n_documents"] for r in s.rows("SELECT id, n_documents FROM entities")}
        canon = {r["id"]: r["c"] for r in s.rows(
            "SELECT id, COALESCE(same_as, id) AS c FROM entities")}
        for ent in {canon[e] for e in named}:
            assert after[ent] == before[ent] - 1
        s.execute("UPDATE documents SET current = 1 WHERE id = ?", (doc,))
        persons = [r["id"] for r in s.rows(
            "SELECT id FROM entities WHERE type = 'person' AND same_as IS NULL"
            " ORDER BY n_documents DESC LIMIT 2")]
        s.execute("UPDATE entities SET same_as = ? WHERE id = ? OR same_as = ?",
                  (persons[0], persons[1], persons[1]))
        n = s.rows("SELECT COUNT(DISTINCT de.doc) AS n FROM doc_entities de JOIN entities x"
                   " ON x.id = de.entity JOIN documents d ON d.id = de.doc WHERE d.current = 1"
                   " AND (x.id = ? OR x.same_as = ?)", (persons[0], persons[0]))[0]["n"]
        assert s.rows("SELECT n_documents FROM entities WHERE id = ?", (persons[0],))[0][
            "n_documents"] == n


# -- query plans: index-bounded ------------------------------------------------------------
def _plans(store, monkeypatch, call) -> list[tuple[str, list[str]]]:
    seen = []
    real = store.rows

    def rows(sql, params=()):
        plan = [r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
        seen.append((sql, plan))
        return real(sql, params)

    monkeypatch.setattr(store, "rows", rows)
    call()
    return seen


BIG = ("events", "event_entities", "documents", "doc_entities", "entities", "search_fts",
       "extracted_events", "mentions")


def _assert_bounded(seen, sorts: int = 0):
    """No scan of a table but an index read in the order wanted (stopped by LIMIT), no sort of
    the matches (but `sorts` of a bounded number of rows)."""
    n_sorts = 0
    for sql, plan in seen:
        for line in plan:
            n_sorts += "USE TEMP B-TREE FOR ORDER BY" in line
            words = line.split()
            if words[0] == "SCAN" and words[1] in BIG + ("e", "k", "d", "f", "x"):
                assert "INDEX" in line or "VIRTUAL TABLE" in line, (sql, plan)
            # every current document is a scan too, unless read in the listing's order (or
            # counted up to a limit)
            assert "(current=?)" not in line or "documents_listing" in line \
                or sql.startswith("SELECT COUNT(*) AS n FROM (") and "LIMIT ?)" in sql, (sql, plan)
    assert n_sorts <= sorts, seen


@pytest.mark.parametrize("filters", [
    {"actor": "BE"}, {"type": "meeting", "date_from": "2019", "date_to": "2019"}, {},
    {"date_from": "2019"}, {"type": "quote", "actor": "BE", "date_from": "2020-02"}])
def test_timeline_plans_read_an_index_in_order(store, monkeypatch, filters):
    seen = _plans(store, monkeypatch,
                  lambda: queries.list_events(store, limit=100, count_limit=10_000, **filters))
    _assert_bounded(seen)
    page = seen[0][1]
    assert any("INDEX events_" in line or "INDEX event_entities_" in line for line in page), page


@pytest.mark.parametrize("filters", [
    {"type": "deployment", "date_from": "2021"}, {"date_from": "2019"},
    {"type": "deployment", "date_to": "2020"}])
def test_periods_are_read_and_counted_from_the_deployments_timeline(store, monkeypatch, filters):
    """The branch of the deployments whose period can overlap the range reads the index that
    holds what it tests (sort_date, last_day), for the page and for the count: another index on
    the type means reading every deployment's row."""
    seen = _plans(store, monkeypatch,
                  lambda: queries.list_events(store, limit=1, count_limit=10_000, **filters))
    periods = [(sql, plan) for sql, plan in seen if "last_day" in sql]
    assert len(periods) == 2, seen  # the page and its count
    for sql, plan in periods:
        assert any("events_type_timeline" in line for line in plan), (sql, plan)
        assert not any("events_type_key_seq" in line for line in plan), (sql, plan)


@pytest.mark.parametrize("call, sorts", [
    (lambda s: queries.dossier_country(s, "BE", brief=True), 0),
    (lambda s: queries.dossier_country(s, "NL", brief=True), 0),
    # the entities of that name are sorted (canonical first), and a person in fewer than
    # documents (queries._sort_documents) has them sorted
    (lambda s: queries.dossier_person(s, "Sophie Wilmès", brief=True), 2),
    (lambda s: queries.search(s, "F-16"), 0),
    (lambda s: queries.search(s, "coalition ministers"), 0),
    (lambda s: queries.list_entities(s, limit=10, count_limit=10_000), 0),
    (lambda s: queries.list_entities(s, type="person", limit=10, count_limit=10_000), 0),
    (lambda s: queries.list_documents(s, limit=10, count_limit=10_000), 0),
])
def test_api_reads_are_index_bounded(store, monkeypatch, call, sorts):
    seen = _plans(store, monkeypatch, lambda: call(store))
    assert seen
    _assert_bounded(seen, sorts)


def test_many_documents_of_a_person_are_read_newest_first(store, monkeypatch):
    monkeypatch.setattr(queries, "SORT_COST", 10**9)
    few = queries.dossier_person(store, "Sophie Wilmès", brief=True)
    seen = _plans(store, monkeypatch,
                  lambda: queries.dossier_person(store, "Sophie Wilmès", brief=True))
    _assert_bounded(seen, 1)
    monkeypatch.undo()
    assert few == queries.dossier_person(store, "Sophie Wilmès", brief=True)


def test_the_dossier_page_lists_a_persons_newest_documents(store, monkeypatch):
    """The full dossier (the person's page) lists the newest DOSSIER_EVENTS documents, read the
    way the brief one reads them: not every document that names the person."""
    everything = queries.dossier_person(store, "Sophie Wilmès", brief=True)
    monkeypatch.setattr(queries, "BRIEF_EVENTS", 1000)
    newest = [d["id"] for d in queries.dossier_person(store, "Sophie Wilmès", brief=True)[
        "documents"]]
    assert len(newest) == everything["counts"]["documents"] >= 2
    monkeypatch.setattr(queries, "DOSSIER_EVENTS", 2)
    full = queries.dossier_person(store, "Sophie Wilmès")
    assert [d["id"] for d in full["documents"]] == newest[:2]


# -- counts stop at COUNT_LIMIT ----------------------------------------------------------
def test_totals_past_the_count_limit_are_lower_bounds(db, monkeypatch):
    client = TestClient(create_app(db))
    body = client.get("/api/events", params={"limit": 2}).json()
    assert body["total_is_lower_bound"] is False and body["total"] > 3
    monkeypatch.setattr(queries, "COUNT_LIMIT", 3)
    body = client.get("/api/events", params={"limit": 2}).json()
    assert body["total"] == 3 and body["total_is_lower_bound"] is True
    body = client.get("/api/events", params={"limit": 2, "offset": 2}).json()
    assert body["total"] == 5 and body["total_is_lower_bound"] is True
    assert client.get("/api/documents", params={"limit": 1}).json()["total_is_lower_bound"]
    assert client.get("/api/entities", params={"limit": 1}).json()["total_is_lower_bound"]
    dossier = client.get("/api/dossier/BE").json()
    assert dossier["counts_are_lower_bounds"] is (max(dossier["counts"].values()) >= 3)


def test_dossier_counts_are_exact_below_the_limit(store):
    be = queries.dossier_country(store, "BE", brief=True)
    ids = ["country:BE"]
    assert be["counts_are_lower_bounds"] is False
    assert be["counts"]["meetings_hosted"] == len(reference_meetings(store, ids, ("host",)))
    attended = set(reference_meetings(store, ids, queries.ATTENDS)) - set(
        reference_meetings(store, ids, ("host",)))
    assert be["counts"]["meetings_attended"] == len(attended)
    assert be["counts"]["people"] == len(store.rows(
        "SELECT id FROM entities WHERE type = 'person' AND country = 'BE' AND same_as IS NULL"))


def reference_meetings(store, ids, roles) -> list[str]:
    return [r["event_id"] for r in store.rows(
        f"SELECT DISTINCT ee.event_id FROM event_entities ee JOIN events e ON e.id = ee.event_id"
        f" WHERE ee.entity IN ({','.join('?' * len(ids))}) AND ee.role IN"
        f" ({','.join('?' * len(roles))}) AND e.type = 'meeting'", (*ids, *roles))]


def test_dossier_newest_facts_are_the_newest(store):
    be = queries.dossier_country(store, "BE", brief=True)
    hosted = reference_meetings(store, ["country:BE"], ("host",))
    seq = {r["id"]: r["seq"] for r in store.rows("SELECT id, seq FROM events")}
    newest = sorted(hosted, key=lambda i: -seq[i])[:queries.BRIEF_EVENTS]
    assert {m["event_id"] for m in be["meetings_hosted"]} == set(newest)


def test_search_ranks_a_bounded_set_and_marks_snippets(store, monkeypatch):
    hits = queries.search(store, "F-16")
    assert hits and all("<mark>" in h["snippet"] for h in hits)
    assert all(h["snippet"].count("<mark>") == h["snippet"].count("</mark>") for h in hits)
    from communique.store import search
    monkeypatch.setattr(search, "CANDIDATES", 2)
    assert 0 < len(queries.search(store, "F-16")) <= 2


@settings(max_examples=200, deadline=None)
@given(hs.lists(hs.sampled_from(["a", "b", "\x02c\x03", "\x02d", "e\x03"]), max_size=80),
       hs.integers(min_value=1, max_value=30))
def test_fragment_window_has_the_most_marks(words, size):
    """The window a fragment shows starts at the first mark with the most marks after it within
    `size` words (as counting them for each mark gives)."""
    from communique.store.search import _CLOSE, _OPEN, fragment

    text = fragment(" ".join(words), size=size)
    starts = [i for i, w in enumerate(words) if _OPEN in w]
    if len(words) <= size or not starts:
        return
    counts = [sum(1 for i in starts if first <= i < first + size) for first in starts]
    best = starts[counts.index(max(counts))]
    begin = max(0, min(best - 2, len(words) - size))
    shown = [w.replace(_OPEN, "").replace(_CLOSE, "") for w in words[begin:begin + size]]
    assert text.replace(_OPEN, "").replace(_CLOSE, "").strip("…").split() == shown


def test_fragment_keeps_marks_balanced():
    from communique.store.search import _CLOSE, _OPEN, fragment
    words = ["w%d" % i for i in range(60)]
    words[30] = _OPEN + "hit"
    words[31] = "more" + _CLOSE
    text = fragment(" ".join(words), size=10)
    assert text.startswith("…") and text.endswith("…")
    assert text.count(_OPEN) == text.count(_CLOSE) == 1 and "hit" in text
    cut = fragment(" ".join(words[:31]) + " " + _OPEN + "x " + " ".join(words[32:]), size=3)
    assert cut.count(_OPEN) == cut.count(_CLOSE)


def test_a_reused_reader_sees_new_writes_and_a_replaced_file(tmp_path):
    """Each server thread keeps its read-only connection; each request is a new snapshot, and a
    file put in the store's place is opened anew."""
    import os
    import shutil

    db = tmp_path / "kb.db"
    with Store(db):
        pass  # an empty store
    client = TestClient(create_app(db))
    assert client.get("/api/documents").json()["total"] == 0
    full = build_sample_store(tmp_path / "full.db")
    with Store(full) as s:
        n = s.rows("SELECT COUNT(*) AS n FROM documents WHERE current = 1")[0]["n"]
    shutil.copy(full, tmp_path / "copy.db")
    os.replace(tmp_path / "copy.db", db)
    assert client.get("/api/documents").json()["total"] == n
    with Store(db) as s:  # a write to the file being served
        s.execute("UPDATE documents SET current = 0 WHERE id = (SELECT MIN(id) FROM documents)")
    assert client.get("/api/documents").json()["total"] == n - 1


@pytest.mark.parametrize("key", ["country:BE", "country:NL", "Sophie Wilmès"])
@pytest.mark.parametrize("sort_cost", [0, 10**9])  # the documents sorted / read in order
def test_entity_pages_are_slices_of_everything(store, monkeypatch, key, sort_cost):
    monkeypatch.setattr(queries, "SORT_COST", sort_cost)
    everything = queries.get_entity(store, key)
    for limit, offset in ((100, 0), (2, 1), (3, 4)):
        page = queries.get_entity(store, key, limit=limit, offset=offset)
        assert page["events"] == everything["events"][offset:offset + limit]
        assert [d["published"] for d in page["documents"]] == [
            d["published"] for d in everything["documents"]][offset:offset + limit]
        assert page["counts"] == {"documents": len(everything["documents"]),
                                  "events": len(everything["events"])}
        assert page["counts_are_lower_bounds"] is False


def test_api_entity_answers_a_page_with_counts(db):
    client = TestClient(create_app(db))
    body = client.get("/api/entities/country:BE", params={"limit": 2}).json()
    assert len(body["events"]) <= 2 and len(body["documents"]) <= 2
    assert body["counts"]["events"] >= len(body["events"]) and body["limit"] == 2
    assert client.get("/api/entities/country:BE", params={"limit": 0}).status_code == 422


def test_api_event_answers_its_first_sources(db):
    client = TestClient(create_app(db))
    with Store(db, readonly=True) as s:
        event_id = s.rows("SELECT event_id, COUNT(*) AS n FROM event_sources GROUP BY event_id"
                          " ORDER BY n DESC LIMIT 1")[0]["event_id"]
        n = s.rows("SELECT COUNT(*) AS n FROM event_sources WHERE event_id = ?",
                   (event_id,))[0]["n"]
    everything = client.get(f"/api/events/{event_id}").json()
    assert len(everything["sources"]) == everything["n_source_rows"] == n
    first = client.get(f"/api/events/{event_id}", params={"limit": 1}).json()
    assert first["sources"] == everything["sources"][:1] and first["n_source_rows"] == n
