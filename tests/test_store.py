"""The Store: schema and migrations, idempotent ingest, versions, transactions, queries, search."""
from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "kb"))
from kbfixtures import build, sample_extractions, synthetic_extractions  # noqa: E402

from communique.errors import CommuniqueError  # noqa: E402
from communique.store import Store, queries  # noqa: E402
from communique.store.schema import latest_version  # noqa: E402


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "kb.db") as s:
        yield s


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "kb.db"
    with Store(path) as s:
        for ex in sample_extractions():
            assert s.add(ex) == "added"
    return path


def test_schema_is_versioned_in_wal_with_foreign_keys(tmp_path):
    path = tmp_path / "kb.db"
    with Store(path) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with Store(path) as s:  # reopening runs no migration twice
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()


def test_readonly_refuses_writes_and_missing_files(tmp_path):
    with pytest.raises(CommuniqueError):
        Store(tmp_path / "nope.db", readonly=True)
    Store(tmp_path / "kb.db").close()
    with Store(tmp_path / "kb.db", readonly=True) as s:
        with pytest.raises(CommuniqueError):
            s.add(sample_extractions()[0])


def test_same_content_twice_is_unchanged(store):
    ex = sample_extractions()[1]
    assert not store.has_document(ex.document.content_hash)
    assert store.add(ex) == "added"
    assert store.has_document(ex.document.content_hash)
    counts = [store.rows(f"SELECT COUNT(*) AS n FROM {t}")[0]["n"]
              for t in ("documents", "mentions", "extracted_events", "events", "event_sources")]
    assert store.add(ex) == "unchanged"
    assert counts == [store.rows(f"SELECT COUNT(*) AS n FROM {t}")[0]["n"]
                      for t in ("documents", "mentions", "extracted_events", "events",
                                "event_sources")]


def test_extractions_round_trip_for_export(store):
    originals = sample_extractions()
    for ex in originals:
        store.add(ex)
    back = list(store.extractions())
    assert [e.to_facts() for e in back] == [e.to_facts() for e in originals]
    assert back[0].document.text == originals[0].document.text


def test_changed_file_is_a_new_version_whose_facts_replace_the_old(store):
    text = "Denmark sends 6 F-16 jets to Iraq. The jets fly from Jordan."
    old = build("dk.txt", text, published="2022-01-10", languages=["en"], source="in/dk.txt",
                events=[{"type": "deployment", "actor": "DK", "asset": "F-16", "quantity": 6,
                         "status": "planned", "evidence": "Denmark sends 6 F-16 jets to Iraq"}])
    new = build("dk.txt", text.replace("6", "8"), published="2022-01-10", languages=["en"],
                source="in/dk.txt",
                events=[{"type": "deployment", "actor": "DK", "asset": "F-16", "quantity": 8,
                         "status": "planned", "evidence": "Denmark sends 8 F-16 jets to Iraq"}])
    assert store.add(old) == "added"
    assert store.add(new) == "new_version"
    docs, total = queries.list_documents(store)
    assert total == 1 and docs[0]["id"] != "dk.txt"
    current = queries.get_document(store, docs[0]["id"])
    assert {"kind": "version", "doc": "dk.txt", "relation": "previous"}.items() <= \
        current["links"][0].items()
    events = queries.timeline(store)
    assert len(events) == 1
    assert events[0]["fields"]["quantity"] == 8 and events[0]["n_sources"] == 1
    assert queries.get_document(store, "dk.txt")["current"] is False  # old one still readable
    assert [e.document.text for e in store.extractions()] == [new.document.text]


def test_a_failing_add_leaves_no_partial_document_and_a_rerun_completes(store, monkeypatch):
    ex = sample_extractions()[3]

    def boom(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(Store, "_merge_events", boom)
    with pytest.raises(RuntimeError):
        store.add(ex)
    assert not store.has_document(ex.document.content_hash)
    for table in ("documents", "segments", "mentions", "extracted_events", "search_fts"):
        assert store.rows(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"] == 0, table
    monkeypatch.undo()
    assert store.add(ex) == "added"
    assert queries.timeline(store)


def test_get_document_has_mentions_events_and_segments(sample_db):
    with Store(sample_db, readonly=True) as s:
        doc = queries.get_document(s, "000_8fb598d2019c378c.txt")
        assert doc["languages"] == ["nl", "en"]
        assert [seg["language"] for seg in doc["segments"]] == ["nl", "en"]
        assert doc["events"] and all(e["id"] for e in doc["events"])
        for m in doc["mentions"]:
            assert doc["text"][m["start"]:m["end"]] == m["text"]
        ev = doc["events"][0]
        assert doc["text"][ev["start"]:ev["end"]] == ev["evidence"]
        assert queries.get_document(s, "missing") is None


def test_list_events_filters_and_pages(sample_db):
    with Store(sample_db, readonly=True) as s:
        deployments, total = queries.list_events(s, type="deployment")
        assert total == len(deployments) > 0
        assert all(e["type"] == "deployment" for e in deployments)
        page, total_be = queries.list_events(s, actor="BE", limit=2, offset=1)
        assert len(page) == 2 and total_be > 2
        in_2021, _ = queries.list_events(s, date_from="2021", date_to="2021", type="meeting")
        assert {e["date"] for e in in_2021} == {"2021-03-30", "2021-06-28"}


def test_timeline_is_ordered_and_filtered(sample_db):
    with Store(sample_db, readonly=True) as s:
        rows = queries.timeline(s)
        dated = [r["date"] for r in rows if r["date"]]
        assert dated == sorted(dated, key=lambda d: d + "-00")
        be = queries.timeline(s, actor="BE", type="deployment", date_from="2019", date_to="2021")
        assert be and all("BE" == r["fields"]["actor"] for r in be)
        assert all(r["year"] is None or 2019 <= r["year"] <= 2021 for r in rows
                   if r in queries.timeline(s, date_from="2019", date_to="2021"))


def test_entities_and_dossiers(sample_db):
    with Store(sample_db, readonly=True) as s:
        people, _ = queries.list_entities(s, type="person")
        assert "Sophie Wilmès" in {p["name"] for p in people}
        found, _ = queries.list_entities(s, q="wilmes")
        assert [p["name"] for p in found] == ["Sophie Wilmès"]
        person = queries.dossier_person(s, "Sophie Wilmès")
        assert len(person["quotes"]) == 5
        assert queries.dossier_person(s, "sophie wilmes")["person"]["id"] == person["person"]["id"]
        be = queries.dossier_country(s, "BE")
        assert "Sophie Wilmès" in {p["name"] for p in be["people"]}
        assert any(m["date"] == "2021-03-30" for m in be["meetings_hosted"])
        assert be["funding"][0]["currency"] == "EUR"
        assert queries.dossier_country(s, "ZZ") is None
        ent = queries.get_entity(s, "country:BE")
        assert ent["events"] and ent["documents"]


def test_search_highlights_and_escapes(sample_db):
    with Store(sample_db, readonly=True) as s:
        hits = queries.search(s, "F-16")
        assert hits and all("<mark>" in h["snippet"] for h in hits)
        assert {h["kind"] for h in hits} == {"document", "event"}
        assert all(h["event_id"] for h in hits if h["kind"] == "event")
        assert "<script>" not in "".join(h["snippet"] for h in queries.search(s, "Wilmès"))


@pytest.mark.parametrize("query", ['"', 'F-16" OR "x', "NEAR(a b)", "a AND", "*", "-", "OR",
                                   "Wilmès) OR (Blok", "col:value", "^start"])
def test_search_input_cannot_break_or_inject_fts(sample_db, query):
    with Store(sample_db, readonly=True) as s:
        hits = queries.search(s, query)
        assert isinstance(hits, list)
    with Store(sample_db, readonly=True) as s:
        assert queries.search(s, "Wilmès OR") == []  # OR is a word here, not an operator


def test_search_expands_names_across_languages_through_stored_aliases(tmp_path):
    with Store(tmp_path / "kb.db") as s:
        for ex in synthetic_extractions().values():
            s.add(ex)
        docs = {h["doc"] for h in queries.search(s, "Iraq") if h["kind"] == "document"}
        assert {"syn-01-fr.txt", "syn-03-nl.txt"} <= docs  # they say `Irak`


def test_search_expands_through_the_gazetteer(store, monkeypatch):
    from types import SimpleNamespace

    import communique.extract.gazetteer as gz

    entry = SimpleNamespace(name="Jordan", aliases={"nl": ("Jordanië",), "fr": ("Jordanie",)})
    fake = SimpleNamespace(by_name=lambda word: entry if word.lower() == "jordan" else None)
    monkeypatch.setattr(gz, "gazetteer", lambda: fake)
    store.add(build("nl.txt", "De F-16's vliegen vanuit Jordanië.", languages=["nl"]))
    store.add(build("fr.txt", "Les F-16 décollent de Jordanie.", languages=["fr"]))
    store.add(build("xx.txt", "Les F-16 décollent de Belgique.", languages=["fr"]))
    docs = {h["doc"] for h in queries.search(store, "F-16 Jordan")}
    assert docs == {"nl.txt", "fr.txt"}


def test_sql_stays_in_the_store_package():
    root = Path(__file__).parents[1] / "src" / "communique"
    import re
    uses = re.compile(r"^\s*(import sqlite3|from sqlite3 )", re.M)
    offenders = [p for p in root.rglob("*.py") if "store" not in p.parts
                 and uses.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CommuniqueError):
        Store(path)
    assert sqlite3  # the module is used by the store only
