"""The web app and JSON API (FastAPI's test client) over a store built from the sample corpus
through the real ingest path: read_sources -> segment -> extract -> Store.add."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from conftest import build_sample_store
from communique.resolve import dates
from communique.web import create_app
from communique.web.charts import funding_by_year, ledger_rows, year_fraction
from communique.web.geo import countries, project, view_box
from communique.web.highlight import Span, render, safe_snippet

TOKEN = "s3cret-token"
SCRIPT_DOC = ("Minister statement\n\nThe minister said <script>window.__pwned = 1; alert(1)</script> "
              "and <img src=x onerror=\"window.__pwned = 2\"> in Brussels on 3 March 2021.\n")

@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> str:
    return build_sample_store(tmp_path_factory.mktemp("web") / "sample.db")


@pytest.fixture(scope="session")
def client(sample_db) -> TestClient:
    return TestClient(create_app(sample_db))


@pytest.fixture(scope="session")
def all_events(client) -> list[dict]:
    body = client.get("/api/events", params={"limit": 500}).json()
    assert body["total"] == len(body["items"])
    return body["items"]


@pytest.fixture
def writable(tmp_path) -> TestClient:
    """A fresh, empty store served with a token."""
    return TestClient(create_app(tmp_path / "w.db", token=TOKEN))


# -- documents ------------------------------------------------------------------------------
def test_documents_list_and_detail(client):
    body = client.get("/api/documents").json()
    assert body["total"] == 5 and len(body["items"]) == 5
    doc_id = body["items"][0]["id"]
    doc = client.get(f"/api/documents/{doc_id}").json()
    assert doc["id"] == doc_id and doc["text"] and doc["languages"]
    assert {"mentions", "events", "segments", "links"} <= doc.keys()
    for m in doc["mentions"]:
        assert 0 <= m["start"] < m["end"] <= len(doc["text"])


def test_unknown_things_are_404_in_json_and_html(client):
    r = client.get("/api/documents/nope.txt")
    assert r.status_code == 404 and r.json() == {"detail": "document not found"}
    assert client.get("/api/events/nope").status_code == 404
    page = client.get("/documents/nope.txt")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]


def test_pagination(client):
    first = client.get("/api/documents", params={"limit": 2, "offset": 0}).json()
    second = client.get("/api/documents", params={"limit": 2, "offset": 2}).json()
    assert len(first["items"]) == 2 and first["total"] == 5 and second["offset"] == 2
    assert not {d["id"] for d in first["items"]} & {d["id"] for d in second["items"]}
    assert client.get("/api/documents", params={"limit": 0}).status_code == 422


# -- events ---------------------------------------------------------------------------------
def test_meetings_are_listed_with_their_dates(client):
    body = client.get("/api/events", params={"type": "meeting"}).json()
    assert body["total"] >= 2, "the sample announces several meetings"
    assert all(e["type"] == "meeting" for e in body["items"])
    dated = [e["date"] for e in body["items"] if e["date"]]
    assert dated and all(re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", d) for d in dated)
    assert any(d.startswith("2021-06-28") for d in dated), "the Rome meeting of 28 June 2021"


def test_events_filter_by_dates_and_actor(client, all_events):
    body = client.get("/api/events", params={"from": "2020", "to": "2020-12", "limit": 500}).json()
    assert body["total"] < len(all_events)
    for e in body["items"]:
        if e["type"] != "deployment" and e["date"]:
            assert "2020" <= e["date"][:4] <= "2020"
    be = client.get("/api/events", params={"actor": "BE", "limit": 500}).json()
    assert 0 < be["total"] < len(all_events)


def test_events_paginate_with_total(client, all_events):
    a = client.get("/api/events", params={"limit": 3, "offset": 0}).json()
    b = client.get("/api/events", params={"limit": 3, "offset": 3}).json()
    assert a["total"] == b["total"] == len(all_events)
    assert [e["id"] for e in a["items"] + b["items"]] == [e["id"] for e in all_events[:6]]


def test_event_sources_point_at_their_evidence(client, all_events):
    event = client.get(f"/api/events/{all_events[0]['id']}").json()
    assert event["sources"]
    for src in event["sources"]:
        text = client.get(f"/api/documents/{src['doc']}").json()["text"]
        assert text[src["start"]:src["end"]] == src["evidence"]


def test_timeline_is_in_date_order(client, all_events):
    items = client.get("/api/timeline").json()["items"]
    assert len(items) == len(all_events)
    dated = [e["date"] for e in items if e["date"]]
    assert dated == sorted(dated, key=lambda d: d[:10])


def test_timeline_comes_in_pages(client, all_events):
    everything = client.get("/api/timeline").json()["items"]
    body = client.get("/api/timeline", params={"limit": 2, "offset": 1}).json()
    assert body["total"] == len(all_events) and body["limit"] == 2 and body["offset"] == 1
    assert [e["id"] for e in body["items"]] == [e["id"] for e in everything[1:3]]
    assert client.get("/api/timeline", params={"limit": 0}).status_code == 422


# -- entities, dossiers, search ----------------------------------------------------------------
def test_api_dossier_is_brief_and_sources_come_from_the_event(client):
    from communique.store import queries

    dossier = client.get("/api/dossier/BE").json()
    counts = dossier["counts"]
    assert counts["deployments"] >= sum(len(d["periods"]) for d in dossier["deployments"]) >= 1
    assert counts["quotes"] >= len(dossier["quotes"])
    assert len(dossier["funding"]) <= queries.BRIEF_EVENTS
    period = dossier["deployments"][0]["periods"][0]
    assert "sources" not in period and "history" not in period and period["n_sources"] >= 1
    event = client.get(f"/api/events/{period['event_id']}").json()
    assert event["sources"] and all(s["evidence"] for s in event["sources"])
    people = client.get("/api/entities", params={"type": "person", "limit": 500}).json()["items"]
    wilmes = next(p for p in people if "Wilm" in p["name"])
    person = client.get(f"/api/dossier/{wilmes['id']}").json()
    assert person["counts"]["quotes"] == len(person["quotes"]) >= 1
    assert person["counts"]["documents"] == len(person["documents"])
    assert all("sources" not in q for q in person["quotes"])


def test_api_dossier_in_full_is_what_the_page_shows(client):
    full = client.get("/api/dossier/BE", params={"full": "true"}).json()
    period = full["deployments"][0]["periods"][0]
    assert period["sources"] and all(s["evidence"] for s in period["sources"])
    assert "history" in period


def test_entities_and_country_dossier(client):
    countries_ = client.get("/api/entities", params={"type": "country", "limit": 500}).json()
    codes = {e["code"] for e in countries_["items"]}
    assert {"BE", "NL", "IQ"} <= codes
    assert client.get("/api/entities/country:BE").json()["type"] == "country"
    dossier = client.get("/api/dossier/BE").json()
    assert dossier["country"]["code"] == "BE"
    assert {"deployments", "funding", "meetings_hosted", "meetings_attended", "people",
            "quotes"} <= dossier.keys()
    assert any("F-16" in str(d["asset"]) for d in dossier["deployments"])


def test_person_dossier_by_id_and_name(client):
    people = client.get("/api/entities", params={"type": "person", "limit": 500}).json()["items"]
    wilmes = next(p for p in people if "Wilm" in p["name"])
    by_id = client.get(f"/api/dossier/{wilmes['id']}").json()
    assert by_id["person"]["id"] == wilmes["id"]
    assert by_id["quotes"], "Sophie Wilmès is quoted in the sample"
    assert client.get(f"/api/dossier/{wilmes['name']}").json()["person"]["id"] == wilmes["id"]
    assert client.get("/api/dossier/Nobody At All").status_code == 404


def test_search_marks_hits(client):
    body = client.get("/api/search", params={"q": "Daesh"}).json()
    assert body["total"] > 0
    assert all("<mark>" in r["snippet"] for r in body["items"])
    assert client.get("/api/search").status_code == 422


# -- schema, docs, exports --------------------------------------------------------------------
def test_openapi_lists_every_endpoint(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/documents", "/api/documents/{doc_id}", "/api/events",
                 "/api/events/{event_id}", "/api/entities", "/api/entities/{entity_id}",
                 "/api/timeline", "/api/dossier/{key}", "/api/search", "/api/export/events.csv",
                 "/api/export/events.jsonl", "/api/export/events.parquet"):
        assert path in paths, path
    assert "post" in paths["/api/documents"]


def test_api_docs_are_served_from_local_assets(client):
    page = client.get("/docs")
    assert page.status_code == 200
    refs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert refs and not [r for r in refs if "//" in r]
    for ref in refs:
        if ref.startswith("/static/"):
            assert client.get(ref).status_code == 200, ref


def test_every_page_refers_only_to_its_own_origin(client, all_events):
    doc_id = client.get("/api/documents").json()["items"][0]["id"]
    for url in ("/", "/documents", f"/documents/{doc_id}", "/entities", "/countries/BE", "/map",
                "/search?q=coalition", "/upload", f"/events/{all_events[0]['id']}"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "default-src 'self'" in page.headers["content-security-policy"]
        external = [r for r in re.findall(r'(?:src|href)="([^"]+)"', page.text) if "//" in r]
        assert not external, (url, external)


def test_exports_hold_every_event(client, all_events):
    import pyarrow.parquet as pq

    rows = list(csv.DictReader(io.StringIO(client.get("/api/export/events.csv").text)))
    assert len(rows) == len(all_events)
    assert {r["id"] for r in rows} == {e["id"] for e in all_events}
    assert {"type", "date", "actor", "asset", "amount", "currency", "evidence"} <= rows[0].keys()
    lines = client.get("/api/export/events.jsonl").text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in rows]
    parquet = client.get("/api/export/events.parquet")
    assert parquet.headers["content-disposition"].endswith('events.parquet"')
    table = pq.read_table(io.BytesIO(parquet.content))
    assert table.num_rows == len(all_events) and "asset" in table.column_names


def test_exports_are_streamed_as_read(client, all_events, monkeypatch):
    """Downloads are written as the events are read, a few at a time: the same rows, in
    timeline order."""
    import pyarrow.parquet as pq

    from communique.store import queries
    from communique.web import exports

    monkeypatch.setattr(queries, "EXPORT_PAGE", 2)
    monkeypatch.setattr(exports, "ROW_GROUP", 3)
    timeline = [e["id"] for e in client.get("/api/timeline", params={"limit": 500}).json()["items"]]
    lines = client.get("/api/export/events.jsonl").text.splitlines()
    assert [json.loads(line)["id"] for line in lines] == timeline
    rows = list(csv.DictReader(io.StringIO(client.get("/api/export/events.csv").text)))
    assert [r["id"] for r in rows] == timeline
    parquet = pq.ParquetFile(io.BytesIO(client.get("/api/export/events.parquet").content))
    assert parquet.num_row_groups == -(-len(timeline) // 3)
    assert parquet.read().column("id").to_pylist() == timeline


# -- pages ----------------------------------------------------------------------------------
def test_timeline_page_groups_by_year_and_filters(client):
    page = client.get("/timeline").text
    assert re.search(r'<h2 id="y20\d\d">20\d\d</h2>', page)
    meetings = client.get("/timeline", params={"type": "meeting"}).text
    assert 'class="badge meeting"' in meetings and 'class="badge deployment"' not in meetings


def test_timeline_page_comes_in_pages_that_keep_the_filters(client, all_events, monkeypatch):
    """The home page of a big store is one page of its timeline (not tens of thousands of
    events): pages follow one another in timeline order, with the filters kept in their links."""
    from communique.web import pages_events

    monkeypatch.setattr(pages_events, "PER_PAGE", 2)
    ids = re.compile(r'href="/events/([^"#?]+)"')
    first = client.get("/timeline").text
    assert f"{len(all_events)} events; 1–2 shown" in first and "← earlier" not in first
    later = re.search(r'<a href="([^"]+)">later →</a>', first).group(1).replace("&amp;", "&")
    assert later == "/timeline?offset=2"
    second = client.get(later).text
    assert f"3–4 shown" in second and '<a href="/timeline">← earlier</a>' in second
    shown = list(dict.fromkeys(ids.findall(first))) + list(dict.fromkeys(ids.findall(second)))
    assert shown == [e["id"] for e in all_events[:4]]
    meetings = client.get("/timeline", params={"type": "meeting"}).text
    assert re.search(r'href="/timeline\?offset=2&amp;type=meeting"', meetings)


def test_documents_page_comes_in_pages(client, monkeypatch):
    from communique.web import pages_documents

    monkeypatch.setattr(pages_documents, "PER_PAGE", 2)
    first = client.get("/documents").text
    assert '<a href="/documents?offset=2">older →</a>' in first and "newer" not in first
    second = client.get("/documents", params={"offset": 2}).text
    assert '<a href="/documents">← newer</a>' in second


def test_document_page_marks_entities_events_and_languages(client):
    docs = client.get("/api/documents").json()["items"]
    doc = max((client.get(f"/api/documents/{d['id']}").json() for d in docs),
              key=lambda d: len(d["events"]))
    page = client.get(f"/documents/{doc['id']}").text
    assert 'class="ent ent-' in page and 'class="ev ev-' in page
    assert re.search(r'<section class="segment" lang="(nl|en|fr)">', page)
    linked = [e for e in doc["events"] if e["id"]]
    assert f'href="/events/{linked[0]["id"]}"' in page


def test_document_page_focuses_the_evidence(client, all_events):
    src = client.get(f"/api/events/{all_events[0]['id']}").json()["sources"][0]
    page = client.get(f"/documents/{src['doc']}", params={"hl": f"{src['start']}-{src['end']}"})
    focus = re.search(r'<mark class="evidence focus" id="hl">(.*?)</mark>', page.text, re.S)
    assert focus
    assert re.sub(r"<[^>]+>", "", focus.group(1)).startswith(src["evidence"][:20].replace("&", "&amp;"))


def test_event_page_shows_each_source_with_evidence(client, all_events):
    event = max(all_events, key=lambda e: e["n_sources"])
    page = client.get(f"/events/{event['id']}").text
    assert page.count('<article class="source">') == event["n_sources"]
    assert page.count('<mark class="evidence">') == event["n_sources"]


def test_event_page_quotes_its_first_sources_and_says_how_many(client, all_events, monkeypatch):
    """A fact that thousands of releases repeat: its page quotes the first sources, in the API's
    order, and says how many there are."""
    from communique.web import pages_events

    event = max(all_events, key=lambda e: e["n_sources"])
    sources = client.get(f"/api/events/{event['id']}").json()["sources"]
    assert len(sources) >= 2
    monkeypatch.setattr(pages_events, "SOURCES_SHOWN", 1)
    page = client.get(f"/events/{event['id']}").text
    assert page.count('<article class="source">') == 1
    assert f"the first 1 of {len(sources)}" in page
    first = re.search(r'<a class="doc-link" href="/documents/([^"?]+)', page).group(1)
    assert first == sources[0]["doc"]


def test_event_sources_are_in_publication_order(client, all_events):
    for event in all_events[:30]:
        sources = client.get(f"/api/events/{event['id']}").json()["sources"]
        days = [dates.lo(s["published"]) or "" for s in sources]
        assert days == sorted(days), event["id"]


def test_dossier_and_map_pages_draw_svg(client):
    page = client.get("/countries/BE").text
    assert '<svg class="chart ledger"' in page and '<rect class="bar' in page
    assert "Belgium" in page
    world = client.get("/map").text
    assert world.count('<path class="country') > 150
    assert 'class="country area"' in world or 'class="country actor"' in world


# -- writes ---------------------------------------------------------------------------------
def test_read_only_server_refuses_writes(client):
    r = client.post("/api/documents", data={"text": "x"},
                    headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 403


def test_writes_need_the_right_token(writable):
    assert writable.post("/api/documents", data={"text": "Hello"}).status_code == 401
    r = writable.post("/api/documents", data={"text": "Hello"},
                      headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert writable.post("/api/documents", data={"text": "Hello", "token": "no"}).status_code == 401
    assert writable.get("/api/documents").json()["total"] == 0


def test_upload_ingests_and_escapes_text(writable):
    r = writable.post("/api/documents", data={"text": SCRIPT_DOC, "title": "A <b>bold</b> title",
                                              "published": "2021-03-03", "name": "xss.txt"},
                      headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 201, r.text
    (result,) = r.json()["documents"]
    assert result["status"] == "added" and result["doc"] == "xss.txt"
    doc = writable.get("/api/documents/xss.txt").json()
    assert doc["title"] == "A <b>bold</b> title" and doc["published"] == "2021-03-03"
    page = writable.get("/documents/xss.txt").text
    assert "<script>window.__pwned" not in page and "<img src=x" not in page
    assert "&lt;script&gt;window.__pwned = 1; alert(1)&lt;/script&gt;" in page
    assert "A &lt;b&gt;bold&lt;/b&gt; title" in page
    again = writable.post("/api/documents", data={"text": SCRIPT_DOC, "token": TOKEN,
                                                  "name": "xss.txt"})
    assert again.json()["documents"][0]["status"] == "unchanged"


def test_upload_a_file_with_the_form(writable):
    r = writable.post("/upload", data={"token": TOKEN},
                      files={"file": ("note.html", b"<html><body><h1>Note</h1><p>Belgium sends "
                                      b"four F-16s to Jordan.</p></body></html>", "text/html")},
                      follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/documents/note.html"
    assert writable.get("/api/documents").json()["total"] == 1


def test_upload_rejects_bad_input(writable):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert writable.post("/api/documents", data={}, headers=auth).status_code == 422
    assert writable.post("/api/documents", data={"text": "x", "published": "June"},
                         headers=auth).status_code == 422


# -- building blocks ------------------------------------------------------------------------
def test_highlight_escapes_every_piece_and_nests():
    text = "Belgium <sent> F-16s & more"
    html = render(text, [Span(0, 20, "span", {"class": "ev"}, after='<a href="/e">e</a>'),
                         Span(0, 7, "a", {"href": "/c?a=1&b=2"}), Span(15, 25, "a", {"href": "/x"})])
    assert html == ('<span class="ev"><a href="/c?a=1&amp;b=2">Belgium</a> &lt;sent&gt; '
                    '<a href="/x">F-16s</a></span><a href="/e">e</a><a href="/x"> &amp; mo</a>re')
    assert render("a<b", [], 1, 3) == "&lt;b"


def test_search_snippets_keep_only_marks():
    assert safe_snippet("x <mark>y</mark> <script>") == "x <mark>y</mark> &lt;script&gt;"
    assert safe_snippet("a &amp; <mark>b</mark>") == "a &amp; <mark>b</mark>"
    assert safe_snippet("<mark>open") == "open"


def test_world_geometry_and_projection():
    world = countries()
    iq = world["IQ"]["centroid"]
    assert 29 < iq[0] < 38 and 38 < iq[1] < 49
    assert -180 <= world["RU"]["centroid"][1] <= 180 and "AQ" not in world
    x, y = project(0, 0)
    assert x == 500 and y > 0
    assert view_box([]) .startswith("0 0 1000")


def test_ledger_and_funding_shapes():
    rows = ledger_rows([{"asset": "F-16", "quantity": 4, "periods": [
        {"status": "ended", "start": "2014-10", "end": "2015-06"},
        {"status": "active", "start": "2020-10", "date": "2020-10-01"}]}])
    (row,) = rows
    assert row["label"] == "4 × F-16"
    first, second = row["bars"]
    assert first["x0"] == year_fraction("2014-10") and not first["open"]
    assert second["open"] and second["x1"] is None
    totals = funding_by_year([{"amount": 10, "currency": "EUR", "year": 2019},
                              {"amount": 5, "currency": "EUR", "year": "2019"},
                              {"amount": 7, "currency": "USD", "year": 2019}])
    assert totals == {"EUR": {"2019": 15.0}, "USD": {"2019": 7.0}}


def test_serve_command_reads_the_token_from_the_environment(cli, monkeypatch, tmp_path):
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    monkeypatch.setenv("COMMUNIQUE_TOKEN", "from-env")
    result = cli("serve", "--db", tmp_path / "s.db", "--port", "8123")
    assert result.exit_code == 0
    assert seen["app"].state.token == "from-env" and seen["port"] == 8123
    monkeypatch.delenv("COMMUNIQUE_TOKEN")
    cli("serve", "--db", tmp_path / "s.db")
    assert seen["app"].state.token is None and seen["host"] == "127.0.0.1"
