"""What keeps the cost of merging a document flat as the store grows, and what it must not change:
finer blocking keys, a deployment period judged on the bounds of all its sources, facts settled by
their first sources, persons compared by name token, translation candidates in other languages."""
from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import given, settings, strategies as st

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "kb"))
from kbfixtures import build  # noqa: E402

from communique.resolve import dates, duplicates, ledger, merge  # noqa: E402
from communique.store import Store, db  # noqa: E402

DAYS = st.builds(lambda y, m, d, p: f"{y}-{m:02d}-{d:02d}"[:p],
                 st.integers(2010, 2030), st.integers(1, 12), st.integers(1, 28),
                 st.sampled_from([4, 7, 10]))


@settings(max_examples=300, deadline=None)
@given(DAYS, DAYS)
def test_compatible_dates_are_looked_up_under_each_others_keys(a, b):
    if dates.compatible(a, b):  # (meetings: their place too, below)
        assert merge.block_key("milestone", {"date": b}) in merge.block_keys("milestone", {"date": a})


MEETINGS = st.fixed_dictionaries({"date": DAYS}, optional={
    "place": st.sampled_from(["Brussels", "brussels", "Paris", "Rome"]), "virtual": st.booleans()})


@settings(max_examples=500, deadline=None)
@given(MEETINGS, MEETINGS)
def test_a_meeting_is_looked_up_where_every_meeting_it_matches_is_stored(source, event):
    if merge._meeting(source, event):
        assert merge.block_key("meeting", event) in merge.block_keys("meeting", source)


def test_meetings_of_one_month_in_other_places_are_not_candidates():
    keys = merge.block_keys("meeting", {"date": "2016-06-25", "place": "Paris"})
    assert merge.block_key("meeting", {"date": "2016-06", "place": "Paris"}) in keys
    assert merge.block_key("meeting", {"date": "2016-06-25", "place": "Rome"}) not in keys
    assert merge.block_key("meeting", {"date": "2016-06-25", "virtual": True}) in keys


@settings(max_examples=300, deadline=None)
@given(st.floats(1, 1e12), st.floats(-0.0099, 0.0099))
def test_amounts_within_one_percent_are_looked_up_under_each_others_keys(amount, change):
    other = amount * (1 + change)
    a, b = {"currency": "EUR", "amount": amount}, {"currency": "EUR", "amount": other}
    if merge._funding(a, b):
        assert merge.block_key("funding", b) in merge.block_keys("funding", a)


SOURCES = st.lists(st.builds(
    lambda status, start, end, pub: {"fields": {"status": status, "start": start, "end": end},
                                     "published": pub},
    st.sampled_from(["planned", "active", "ended"]), st.none() | DAYS, st.none() | DAYS,
    st.none() | DAYS), max_size=6)


@settings(max_examples=300, deadline=None)
@given(SOURCES, SOURCES)
def test_bounds_summarise_sources_exactly(a, b):
    assert ledger.possible(ledger.bounds(a + b)) == ledger.feasible(a + b)
    assert ledger.combined(ledger.bounds(a), ledger.bounds(b)) == ledger.bounds(a + b)


def _milestone(n: int, extra_entity: dict | None = None):
    text = f"Release {n}. The coalition was founded in September 2014 in Paris."
    x = build(f"m{n}.txt", text, published=f"2020-01-{n + 1:02d}", languages=["en"],
              entities=[extra_entity] if extra_entity else [],
              events=[{"type": "milestone", "what": "coalition founded", "date": "2014-09",
                       "place": "Paris", "evidence": "The coalition was founded"}])
    x.events[0].entities = [e.id for e in x.entities]
    return x


def test_a_settled_fact_still_counts_every_source_and_its_entities(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "MAX_FOLD_SOURCES", 3)
    with Store(tmp_path / "kb.db") as store:
        for n in range(5):
            store.add(_milestone(n))
        late = {"type": "country", "code": "NO", "name": "Norway"}
        store.add(_milestone(5, late))
        (event,) = store.rows("SELECT id, n_sources, n_documents, fields FROM events")
        assert (event["n_sources"], event["n_documents"]) == (6, 6)
        involved = {r["entity"] for r in store.rows(
            "SELECT entity FROM event_entities WHERE event_id = ?", (event["id"],))}
        assert "country:NO" in involved


def _deployment(n: int, published: str, status: str, **fields):
    text = f"Release {n}: Denmark's F-16s in Iraq ({status})."
    return build(f"d{n}.txt", text, published=published, languages=["en"],
                 events=[{"type": "deployment", "actor": "DK", "asset": "F-16", "status": status,
                          "evidence": text, **fields}])


def test_a_period_is_judged_on_all_its_sources_and_shows_its_latest_state(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "MAX_FOLD_SOURCES", 2)
    with Store(tmp_path / "kb.db") as store:
        store.add(_deployment(0, "2016-06-01", "ended", end="2016-05"))
        for n in range(1, 4):  # earlier reports, ingested later
            store.add(_deployment(n, f"2016-04-0{n}", "active"))
        # active in August 2016: the period that ended by May cannot be it, however many
        # reports were stored after the one that said so
        store.add(_deployment(9, "2016-08-01", "active"))
        periods = store.rows("SELECT status, n_documents FROM events ORDER BY seq")
        assert [(p["status"], p["n_documents"]) for p in periods] == [("ended", 4), ("active", 1)]


def test_a_surname_merges_into_the_one_full_name_among_many_persons(tmp_path):
    with Store(tmp_path / "kb.db") as store:
        for n, name in enumerate(["Anna Berg", "Carl Dahl", "Eva Lund", "Jeppe Kofod"]):
            store.add(build(f"p{n}.txt", f"{name} spoke.", languages=["en"],
                            entities=[{"type": "person", "name": name}]))
        store.add(build("s.txt", "Kofod spoke again.", languages=["en"],
                        entities=[{"type": "person", "name": "Kofod"}]))
        rows = store.rows("SELECT id, same_as FROM entities WHERE same_as IS NOT NULL")
        assert [(r["id"], r["same_as"]) for r in rows] == [("person:kofod", "person:jeppe-kofod")]


def test_translation_candidates_are_documents_in_other_languages(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "MAX_TRANSLATION_CANDIDATES", 2)
    ents = [{"type": "country", "code": c, "name": c} for c in ("BE", "IQ", "SY", "JO", "NL")]
    figures = "Belgium sends 6 F-16 jets and 120 soldiers to Iraq, Syria and Jordan 2019, with NL."
    nl = build("nl.txt", figures.replace("sends", "stuurt"), published="2019-03-05",
               languages=["nl"], entities=ents)
    en = build("en.txt", figures, published="2019-03-05", languages=["en"], entities=ents)
    with Store(tmp_path / "kb.db") as store:
        store.add(nl)
        for n in range(3):  # newer English releases of the same month, unrelated
            store.add(build(f"other{n}.txt", f"Another English release, number {n}, of that month,"
                            " of about the same length as the others.",
                            published="2019-03-06", languages=["en"]))
        store.add(en)
        links = store.rows("SELECT a, b, kind FROM doc_links")
        assert [(r["a"], r["b"], r["kind"]) for r in links] == [("en.txt", "nl.txt", "translation")]


def test_what_the_extraction_worker_prepares_is_what_the_store_computes(tmp_path):
    text = "The coalition met in Brussels on 3 March 2019 and agreed to keep its F-16s in Iraq. " * 3
    a = build("a.txt", text, languages=["en"])
    b = build("b.txt", text + " One more sentence.", languages=["en"])
    b.prepared = db.prepare(b)
    with Store(tmp_path / "kb.db") as store:
        store.add(a)
        store.add(b)
        assert store.rows("SELECT a, b, kind FROM doc_links") == [
            {"a": "b.txt", "b": "a.txt", "kind": "duplicate"}]


def test_a_batch_keeps_every_whole_document_when_one_fails(tmp_path, monkeypatch):
    original = Store._link

    def failing(self, doc_id, *args):
        if doc_id == "m1.txt":
            raise RuntimeError("disk on fire")
        return original(self, doc_id, *args)

    monkeypatch.setattr(Store, "_link", failing)
    with Store(tmp_path / "kb.db") as store:
        with store.batch(documents=10) as add:
            add(_milestone(0))
            try:
                add(_milestone(1))
            except RuntimeError:
                pass
            add(_milestone(2))
            assert store.conn.in_transaction   # not committed yet: 3 of 10
        docs = [r["id"] for r in store.rows("SELECT id FROM documents ORDER BY seq")]
        assert docs == ["m0.txt", "m2.txt"]
        assert store.rows("SELECT COUNT(*) AS n FROM extracted_events WHERE doc = 'm1.txt'")[0]["n"] == 0
        (event,) = store.rows("SELECT n_documents FROM events")
        assert event["n_documents"] == 2
    with Store(tmp_path / "kb.db") as again:   # committed when the batch ended
        assert again.rows("SELECT COUNT(*) AS n FROM documents")[0]["n"] == 2


def test_migrations_7_and_8_keep_every_source_of_a_store_written_before_them(tmp_path, monkeypatch):
    import sqlite3

    from communique.store import schema
    path = tmp_path / "v6.db"
    conn = sqlite3.connect(path, isolation_level=None)
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:6])
    assert schema.migrate(conn) == 6
    rows = [(f"meeting-{i % 3}", i, f"doc-{i // 2}", f"2020-01-{1 + i % 9:02d}") for i in range(12)]
    conn.executemany("INSERT INTO event_sources (event_id, xevent, doc, published) VALUES (?,?,?,?)",
                     rows)
    monkeypatch.undo()
    assert schema.migrate(conn) == schema.latest_version()
    assert sorted(conn.execute("SELECT event_id, xevent, doc, published FROM event_sources")) == \
        sorted(rows)
    conn.execute("INSERT OR IGNORE INTO event_sources (event_id, xevent, doc, published)"
                 " VALUES ('meeting-0', 0, 'doc-0', '2020-01-01')")
    assert conn.execute("SELECT COUNT(*) FROM event_sources").fetchone()[0] == len(rows)
    assert "WITHOUT ROWID" in conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'event_sources'").fetchone()[0]
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"event_sources_doc", "event_sources_xevent", "event_sources_latest"} <= indexes
    assert not {"mentions_entity", "events_type_key", "event_sources_event_doc"} & indexes


def test_the_stored_bounds_of_a_period_are_those_all_its_sources_imply(tmp_path):
    """Matching and coalescing read a period's stored bounds instead of folding its sources."""
    reports = [("2016-01-05", "planned"), ("2016-03-01", "active"), ("2016-06-01", "ended"),
               ("2017-02-01", "active"), ("2016-02-01", "active"), ("2018-01-01", "ended")]
    with Store(tmp_path / "kb.db") as store:
        for n, (published, status) in enumerate(reports):
            store.add(_deployment(n, published, status))
        groups = store._groups()
        periods = store.rows("SELECT id, bounds FROM events WHERE type = 'deployment'")
        assert len(periods) >= 2
        for row in periods:
            xevents = [r[0] for r in store.conn.execute(
                "SELECT xevent FROM event_sources WHERE event_id = ?", (row["id"],))]
            assert row["bounds"] is not None
            assert store._bounds(row["id"], row["bounds"], groups) == \
                ledger.bounds(store._parsed_sources(xevents, groups))


def test_a_report_older_than_a_periods_window_changes_its_counts_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "MAX_FOLD_SOURCES", 2)
    with Store(tmp_path / "kb.db") as store:
        for n, published in enumerate(["2016-04-01", "2016-05-01", "2016-06-01"]):
            store.add(_deployment(n, published, "active", quantity=6))
        # an older report, saying something else: outside the latest two the period is folded
        # from, it counts, and the state stays what the latest reports say
        store.add(_deployment(3, "2016-03-01", "active", quantity=4))
        # a newer one enters the window
        store.add(_deployment(4, "2016-07-01", "active", quantity=8))

        def state():
            return (store.rows("SELECT fields, date, status, n_sources, n_documents FROM events"),
                    store.rows("SELECT * FROM ledger_history ORDER BY event_id, seq"),
                    store.rows("SELECT event_id, entity, role FROM event_entities ORDER BY 1, 2, 3"),
                    store.rows("SELECT event_id, field, \"values\" FROM conflicts ORDER BY 1, 2"))

        (event,) = state()[0]
        assert (event["n_sources"], event["n_documents"]) == (5, 5)
        assert '"quantity": 8' in event["fields"]
        before = state()
        (event_id,) = [r["id"] for r in store.rows("SELECT id FROM events")]
        store._rebuild(event_id, store._groups(), keep_bounds=True)  # fold the window again
        assert state() == before
