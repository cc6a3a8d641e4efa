"""Merging across documents: the sample corpus (gold facts) and a synthetic corpus."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "kb"))
from kbfixtures import build, sample_extractions, synthetic_extractions  # noqa: E402

from communique.resolve import dates, duplicates, identity, ledger, merge, translations  # noqa: E402
from communique.store import Store, queries  # noqa: E402


def _load(path, extractions):
    store = Store(path)
    for ex in extractions:
        store.add(ex)
    return store


@pytest.fixture(scope="module", params=["file order", "reversed"])
def sample(request, tmp_path_factory):
    exs = sample_extractions()
    if request.param == "reversed":
        exs = exs[::-1]
    store = _load(tmp_path_factory.mktemp("s") / "kb.db", exs)
    yield store
    store.close()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    store = _load(tmp_path_factory.mktemp("syn") / "kb.db", synthetic_extractions().values())
    yield store
    store.close()


def _events(store, type_, **fields):
    return [e for e in queries.timeline(store, type=type_)
            if all(e["fields"].get(k) == v for k, v in fields.items())]


# -- sample corpus ----------------------------------------------------------------------------
def test_virtual_ministerial_is_one_event_with_two_sources(sample):
    [meeting] = [e for e in _events(sample, "meeting") if e["date"] == "2021-03-30"]
    full = queries.get_event(sample, meeting["id"])
    assert meeting["n_sources"] == 2
    assert {s["doc"] for s in full["sources"]} == {"001_1739d8c617f1ed81.txt",
                                                  "003_2849f0fcd9c9416d.txt"}
    assert {s["language"] for s in full["sources"]} == {"nl", "en"}
    assert full["fields"]["participants"] == 32 and full["fields"]["virtual"] is True


def test_belgian_f16s_are_one_ledger_entry_with_three_sources_and_an_earlier_period(sample):
    periods = _events(sample, "deployment", actor="BE", asset="F-16")
    assert len(periods) == 2
    [main] = [p for p in periods if p["n_sources"] == 3]
    [earlier] = [p for p in periods if p is not main]
    full = queries.get_event(sample, main["id"])
    assert [h["doc"][:3] for h in full["history"]] == ["004", "003", "001"]  # by publication
    assert full["fields"]["start"] == "2020-10" and full["fields"]["end"] == "2021-10"
    assert full["fields"]["status"] == "active" and full["fields"]["quantity"] == 4
    assert full["history"][1]["changes"]["status"] == ["planned", "active"]
    assert earlier["fields"]["status"] == "ended" and earlier["n_sources"] == 1
    dossier = queries.dossier_country(sample, "BE")
    [f16] = [d for d in dossier["deployments"] if d["asset"] == "F-16"]
    assert [p["status"] for p in f16["periods"]] == ["ended", "active"]
    assert len(f16["sources"]) == 3


def test_every_merged_fact_keeps_its_provenance(sample):
    for row in queries.timeline(sample):
        for src in queries.get_event(sample, row["id"])["sources"]:
            doc = queries.get_document(sample, src["doc"])
            assert doc["text"][src["start"]:src["end"]] == src["evidence"]
            assert src["extractor"] and src["language"]


def test_milestone_told_twice_merges(sample):
    [founding] = [e for e in _events(sample, "milestone") if e["date"] == "2014"]
    assert founding["n_sources"] == 2


def test_distinct_quotes_of_one_release_stay_distinct(sample):
    quotes = queries.dossier_person(sample, "Sophie Wilmès")["quotes"]
    assert len(quotes) == 5


# -- synthetic corpus -------------------------------------------------------------------------
def test_translation_and_republished_duplicate_are_linked(synthetic):
    fr = queries.get_document(synthetic, "syn-01-fr.txt")
    assert {"kind": "translation", "doc": "syn-01-en.txt"} in \
        [{k: l[k] for k in ("kind", "doc")} for l in fr["links"]]
    repost = queries.get_document(synthetic, "syn-02-repost.txt")
    assert [(l["kind"], l["doc"]) for l in repost["links"]] == [("duplicate", "syn-01-en.txt")]
    # different releases about the same deployment are not translations of each other
    assert queries.get_document(synthetic, "syn-05-en.txt")["links"] == []


def test_translations_and_duplicates_count_as_one_source(synthetic):
    [meeting] = _events(synthetic, "meeting")
    assert meeting["n_sources"] == 1 and meeting["n_documents"] == 3
    [funding] = _events(synthetic, "funding")
    assert funding["n_sources"] == 1
    quotes = [q for q in _events(synthetic, "quote") if "Daesh is weakened" in q["fields"]["text"]]
    assert len(quotes) == 1 and quotes[0]["fields"]["translations"]["fr"].startswith("Daech")


def test_ledger_extension_history_and_conflict(synthetic):
    [dep] = _events(synthetic, "deployment", actor="DK")
    full = queries.get_event(synthetic, dep["id"])
    assert full["n_sources"] == 5 and len(full["sources"]) == 7
    assert full["fields"]["status"] == "ended"
    assert full["fields"]["start"] == "2022-06" and full["fields"]["end"] == "2023-06"
    changes = [h["changes"] for h in full["history"]]
    assert {"end": ["2022-12", "2023-06"]} in changes          # the extension
    assert any(c.get("status") == ["active", "ended"] for c in changes)
    [conflict] = full["conflicts"]
    assert conflict["field"] == "quantity"
    assert sorted(v["value"] for v in conflict["values"]) == [4, 6]
    assert {v["doc"] for v in conflict["values"]} == {"syn-03-nl.txt", "syn-05-en.txt"}
    assert full["fields"]["quantity"] == 6   # not silently overwritten by the later-ingested 4


def test_surname_only_person_merges_into_full_name(synthetic):
    person = queries.dossier_person(synthetic, "Jeppe Kofod")
    assert "person:kofod" in person["person"]["merged_ids"]
    assert any(q["text"].startswith("Onze piloten") for q in person["quotes"])
    assert queries.dossier_person(synthetic, "Kofod")["person"]["id"] == "person:jeppe-kofod"


def _entity_counts(store) -> tuple[dict, dict]:
    """Each entity group's stored number of current documents, and the same counted again."""
    stored = {r["id"]: r["n_documents"] for r in store.rows(
        "SELECT id, n_documents FROM entities WHERE same_as IS NULL")}
    recount = {r["id"]: r["n"] for r in store.rows(
        "SELECT COALESCE(x.same_as, x.id) AS id, COUNT(DISTINCT de.doc) AS n FROM doc_entities de"
        " JOIN entities x ON x.id = de.entity JOIN documents d ON d.id = de.doc"
        " WHERE d.current = 1 GROUP BY 1")}
    return stored, {k: recount.get(k, 0) for k in stored}


@pytest.mark.parametrize("order", ["file order", "reversed"])
def test_entity_counts_added_per_commit_survive_merges_versions_and_a_failure(
        tmp_path, monkeypatch, order):
    """The documents of one commit count for their entities when it is written: a person merge
    in the middle (which counts the group again), a new version, a document that fails and
    leaves nothing; the counts equal a count from scratch, and the failed document counts once
    it is added again."""
    exs = list(synthetic_extractions().values())
    exs = exs[::-1] if order == "reversed" else exs
    names = {"person": [{"type": "person", "name": "Kofod", "country": "DK"}],
             "country": [{"type": "country", "name": "Denmark", "code": "DK"},
                         {"type": "country", "name": "Iraq", "code": "IQ"}]}
    text = "Minister Kofod: Denmark keeps 6 F-16 jets in Iraq."
    old = build("v.txt", text, published="2022-01-10", languages=["en"], source="in/v.txt",
                entities=names["person"] + names["country"])
    new = build("v.txt", text.replace("6", "4"), published="2022-01-11", languages=["en"],
                source="in/v.txt", entities=names["country"][:1])
    full = build("full.txt", "Minister Jeppe Kofod visits Iraq.", published="2022-01-09",
                 languages=["en"], entities=[{"type": "person", "name": "Jeppe Kofod",
                                              "country": "DK"}, names["country"][1]])
    failing = build("f.txt", "Denmark and Iraq.", published="2022-02-01", languages=["en"],
                    entities=names["country"])
    real_link = Store._link

    def link(self, doc_id, *args):
        if doc_id == "f.txt":
            raise RuntimeError("killed")
        return real_link(self, doc_id, *args)

    store = Store(tmp_path / "kb.db")
    monkeypatch.setattr(Store, "_link", link)
    with store.batch(documents=1000, seconds=1e9) as add:
        add(full)
        add(old)  # "Kofod" merges into "Jeppe Kofod": the group is counted again
        for ex in exs:
            add(ex)
        with pytest.raises(RuntimeError):
            add(failing)
        add(new)
    assert store.rows("SELECT COUNT(*) AS n FROM entities WHERE same_as IS NOT NULL")[0]["n"] >= 1
    stored, recount = _entity_counts(store)
    assert stored == recount
    monkeypatch.undo()
    assert store.add(failing) == "added"
    stored, recount = _entity_counts(store)
    assert stored == recount and stored["country:IQ"] >= 2
    store.close()


def test_entity_counts_of_an_add_inside_a_callers_transaction(tmp_path):
    """`add` inside a transaction that batch() did not open (a savepoint of the caller's) writes
    its documents' counts itself: nothing else would."""
    store = Store(tmp_path / "kb.db")
    store.conn.execute("BEGIN")
    for ex in synthetic_extractions().values():
        store.add(ex)
    store.conn.execute("COMMIT")
    stored, recount = _entity_counts(store)
    assert stored == recount and any(stored.values())
    store.close()


def test_a_new_deployment_after_the_end_opens_a_new_period(tmp_path):
    exs = list(synthetic_extractions().values())
    later = build("syn-07.txt", "Denmark will send its F-16s to Iraq again from March 2024.",
                  published="2024-01-05", languages=["en"],
                  events=[{"type": "deployment", "actor": "DK", "asset": "F-16", "area": ["IQ"],
                           "start": "2024-03", "status": "planned",
                           "evidence": "Denmark will send its F-16s to Iraq again"}])
    with _load(tmp_path / "kb.db", exs + [later]) as store:
        periods = _events(store, "deployment", actor="DK")
        assert sorted(p["status"] for p in periods) == ["ended", "planned"]


def test_order_of_ingestion_does_not_change_the_merge(tmp_path):
    exs = list(synthetic_extractions().values())
    with _load(tmp_path / "a.db", exs) as a, _load(tmp_path / "b.db", exs[::-1]) as b:
        def shape(store):
            return sorted((e["type"], e["n_sources"], e["n_documents"]) for e in queries.timeline(store))
        assert shape(a) == shape(b)


# -- units ------------------------------------------------------------------------------------
def test_partial_dates():
    assert dates.compatible("2021-03", "2021-03-30") and not dates.compatible("2021-03", "2021-04")
    assert dates.lo("2020") == "2020-01-01" and dates.hi("2020-10") > "2020-10-31"
    assert dates.in_range("2020-10", "2019", "2021") and not dates.in_range("2018", "2019", None)
    assert dates.clean("maart 2021") is None


def test_ledger_feasibility():
    planned = {"fields": {"status": "planned", "start": "2020-10"}, "published": "2020-09"}
    ended_before = {"fields": {"status": "ended"}, "published": "2020-09"}
    active_later = {"fields": {"status": "active", "end": "2021-10"}, "published": "2021-03-30"}
    assert ledger.feasible([planned, active_later])
    assert not ledger.feasible([planned, ended_before])
    assert not ledger.feasible([ended_before, active_later])


def test_meeting_and_funding_matching():
    virtual = {"date": "2021-03-30", "virtual": True}
    assert merge._meeting(virtual, {"date": "2021-03", "virtual": True})
    assert not merge._meeting(virtual, {"date": "2021-03-31", "virtual": True})
    assert not merge._meeting({"date": "2021-06-28", "place": "Rome"},
                              {"date": "2021-06-28", "place": "Paris"})
    assert merge._funding({"amount": 670e6, "currency": "USD"}, {"amount": 672e6, "currency": "USD"})
    assert not merge._funding({"amount": 670e6, "currency": "USD"},
                              {"amount": 670e6, "currency": "EUR"})


def test_person_identity():
    known = [("person:mustafa-al-kadhimi", "Mustafa Al-Kadhimi", "IQ"),
             ("person:ank-bijleveld-schouten", "Ank Bijleveld-Schouten", "NL")]
    assert identity.canonical_person("Kadhimi", "IQ", known) == "person:mustafa-al-kadhimi"
    assert identity.canonical_person("Kadhimi", "US", known) is None
    ambiguous = known + [("person:ali-al-kadhimi", "Ali Al-Kadhimi", None)]
    assert identity.canonical_person("Kadhimi", None, ambiguous) is None
    assert identity.norm("Wilmès") == "wilmes"


def test_near_duplicate_signatures():
    text = " ".join(f"word{i}" for i in range(200))
    edited = text.replace("word100", "changed")
    index = duplicates.NearDuplicates()
    index.insert("a", duplicates.minhash(text))
    assert [k for k, _ in index.query(duplicates.minhash(edited))] == ["a"]
    other = " ".join(f"other{i}" for i in range(200))
    assert index.query(duplicates.minhash(other)) == []
    sig = duplicates.minhash(text)
    assert duplicates.from_bytes(duplicates.to_bytes(sig)).jaccard(sig) == 1.0


def test_translation_needs_other_languages_and_shared_features():
    exs = synthetic_extractions()
    def info(ex):
        d = ex.document
        return translations.profile(d.languages, d.published, len(d.text),
                                    translations.features(ex))
    en, fr, nl = (info(exs[k]) for k in ("syn-01-en.txt", "syn-01-fr.txt", "syn-03-nl.txt"))
    assert translations.is_translation(en, fr)
    assert translations.is_translation(en, en) is None  # same language: a duplicate at most
    assert translations.is_translation(en, nl) is None


def test_real_pipeline_on_the_sample_corpus_merges_across_documents(tmp_path, sample_seeds):
    """With the real extraction (not the gold): the named cross-document merges still happen."""
    from communique.extract.pipeline import extract
    from communique.ingest import prepare, read_sources

    extractions = [extract(prepare(doc)) for doc in read_sources([str(sample_seeds)])]
    if not any(ex.events for ex in extractions):
        pytest.skip("the extraction pipeline yields no events yet")
    with _load(tmp_path / "kb.db", extractions) as store:
        virtual = [e for e in _events(store, "meeting") if e["date"] == "2021-03-30"]
        assert len(virtual) == 1 and virtual[0]["n_sources"] == 2
        be_f16 = _events(store, "deployment", actor="BE", asset="F-16")
        assert max(p["n_sources"] for p in be_f16) == 3


def test_a_signature_does_not_depend_on_the_texts_signed_before_it():
    from datasketch import MinHash

    from communique.resolve import duplicates
    text = "The coalition's ministers met in Brussels on 3 March 2019 to review the campaign."
    first = duplicates.signature(text)
    duplicates.signature("Another release entirely, about F-16s deployed to Jordan in 2015.")
    fresh = MinHash(num_perm=duplicates.NUM_PERM, seed=1)
    fresh.update_batch([s.encode("utf-8") for s in duplicates.shingles(text)])
    assert duplicates.signature(text) == first == duplicates.to_bytes(fresh)
