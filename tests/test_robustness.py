"""Robustness: parsers and ingestion under arbitrary input (hypothesis), kill -9 during an ingest,
readers during an ingest, malformed inputs, and injection through search, filters and upload."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communique import resources
from communique.errors import CommuniqueError, InputError
from communique.extract.dates import find_dates, parse_date
from communique.extract.money import find_money
from communique.extract.numbers import find_numbers, parse_number
from communique.extract.pipeline import extract
from communique.ingest import prepare, read_sources
from communique.ingest.decode import decode
from communique.language import segment
from communique.model import Document
from communique.store import Store, queries

FIXTURES = Path(__file__).parent / "fixtures"
LANGS = ("nl", "en", "fr", "de")

# Words and marks the parsers react to, so that hypothesis reaches their inner branches.
TOKENS = [
    "27", "1", "31", "0", "00", "2019", "1999", "2100", "9999", "99999999999999999999", "1e308",
    "juni", "June", "juin", "Juni", "mei", "mars", "1er", "tot", "until", "au", "van", "from",
    "vanaf", "depuis", "since", "sinds", "bis", "-", "–", "/", ".", ",", "(", ")", ":", "'",
    "€", "$", "US$", "£", "EUR", "USD", "670", "miljoen", "million", "millions", "milliard",
    "d'euros", "euro", "dollars", "110.000", "1,5", "1.5", "1.000.000", "zes", "six",
    "thirty-two", "tweeëndertig", "vingt-et-un", "zo'n", "about", "environ", "ongeveer", "ca.",
    "F-16's", "maandag", "Monday", "lundi", "vorig", "jaar", "last", "year", "next", "week",
    "l'an", "dernier", "Q3", "31/12/2020", "2020-10", "12.03.2021", "2014-2016", "\n", " ",
]
text_like = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join),
    st.lists(st.sampled_from(TOKENS), max_size=30).map("".join),
)
reference = st.one_of(st.none(), st.sampled_from(["2019-06-27", "2020-09", "2014", ""]),
                      st.text(max_size=12))
FAST = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _spans_ok(found, text: str) -> None:
    for m in found:
        assert 0 <= m.start <= m.end <= len(text)
        assert text[m.start:m.end] == m.text


# -- parsers: nothing but the project's own errors ----------------------------------------------
@FAST
@given(text=text_like, lang=st.sampled_from(LANGS), ref=reference)
def test_find_dates_never_raises(text, lang, ref):
    try:
        found = find_dates(text, lang, ref)
        parse_date(text, lang, ref)
    except CommuniqueError:
        return
    _spans_ok(found, text)
    for m in found:
        assert m.precision in ("day", "month", "year")


@FAST
@given(text=text_like, lang=st.sampled_from(LANGS))
def test_numbers_and_money_never_raise(text, lang):
    try:
        numbers = find_numbers(text, lang)
        money = find_money(text, lang)
        parse_number(text, lang)
    except CommuniqueError:
        return
    _spans_ok(numbers, text)
    _spans_ok(money, text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=text_like, declared=st.sampled_from([None, *LANGS]))
def test_extraction_of_any_text_never_raises(text, declared):
    doc = Document(id="x", text=text, declared_language=declared)
    try:
        extraction = extract(segment(doc))
    except CommuniqueError:
        return
    for ev in extraction.events:
        assert 0 <= ev.start <= ev.end <= len(text)
    json.dumps(extraction.to_dict())  # always serialisable


@FAST
@given(data=st.binary(max_size=400))
def test_decode_of_any_bytes_is_text_or_input_error(data):
    try:
        text = decode(data, "x.txt")
    except InputError as err:
        assert "x.txt" in str(err)
        return
    assert isinstance(text, str) and "\r" not in text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".txt", ".html", ".jsonl", ".bin"]))
def test_ingesting_any_bytes_yields_documents_or_input_errors(data, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        for item in read_sources([str(path)]):
            assert isinstance(item, (Document, InputError))
            if isinstance(item, InputError):
                assert str(path) in str(item)
            else:
                prepare(item)


# -- malformed inputs: a clear error naming the file (and line), nothing else lost -------------
def test_malformed_inputs_are_rejected_and_nothing_else_is_lost(tmp_path, cli, sample_seeds):
    good = (sample_seeds / sorted(os.listdir(sample_seeds))[3]).read_text(encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_good.txt").write_text(good, encoding="utf-8")
    (folder / "b_huge.txt").write_text("word " * 300_000, encoding="utf-8")       # 1.5 MB
    (folder / "c_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(500))
    (folder / "d_latin1.txt").write_bytes(
        "Le ministre belge des Affaires étrangères a annoncé à Bruxelles le 3 mars 2021 "
        "une contribution supplémentaire de 5 millions d'euros.\n".encode("cp1252"))
    (folder / "e_nested.html").write_text(
        "<html><body>" + "<div>" * 5000 + "<p>The minister met his counterpart in Brussels.</p>"
        + "</div>" * 5000 + "</body></html>", encoding="utf-8")
    (folder / "f_lines.jsonl").write_text(
        '{"id": "j1", "text": "The Coalition met in Rome on 4 December 2018."}\n'
        '{"id": "j2", "text": \n'
        'not json at all\n'
        '["a", "list"]\n'
        '{"id": "j5", "text": "Belgium deployed six F-16s to Jordan in 2017."}\n', encoding="utf-8")
    (folder / "g_empty.txt").write_bytes(b"")
    db = tmp_path / "kb.db"
    result = cli("ingest", folder, "--db", db, "--max-bytes", 1_000_000, "-q")
    assert result.exit_code == 1
    err = result.stderr
    assert "b_huge.txt" in err and "too large" in err
    assert "c_binary.txt" in err and "binary" in err
    assert "g_empty.txt" in err
    for line in (2, 3, 4):
        assert f"f_lines.jsonl:{line}" in err
    with Store(db, readonly=True) as store:
        docs = {x.document.id: x.document for x in store.extractions()}
    assert {"a_good.txt", "d_latin1.txt", "j1", "j5"} <= set(docs)
    assert "étrangères" in docs["d_latin1.txt"].text
    assert not {"b_huge.txt", "c_binary.txt", "g_empty.txt"} & set(docs)
    nested = [line for line in err.splitlines() if "e_nested.html" in line]
    assert ("e_nested.html" in docs) != bool(nested)  # stored, or rejected with its name


# -- faults: kill -9 during an ingest, then a re-run --------------------------------------------
def _corpus_jsonl(path: Path) -> Path:
    """The sample releases and the three test corpora as one JSON Lines file (41 documents)."""
    files = sorted((resources.sample_dir() / "seeds").glob("*.txt"))
    files += sorted((FIXTURES / "corpus").glob("*/*.txt"))
    with open(path, "w", encoding="utf-8") as fh:
        for f in files:
            fh.write(json.dumps({"id": f.name, "text": f.read_text(encoding="utf-8")}) + "\n")
    return path


def _ingest_cmd(corpus: Path, db: Path) -> list[str]:
    # two documents a commit: a small corpus still has many commits to be killed between
    return [sys.executable, "-c", "from communique.cli import main; main()", "ingest",
            str(corpus), "--db", str(db), "-q", "--commit-every", "2"]


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute("SELECT count(*) FROM documents").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def _state(db: Path) -> dict:
    """Everything a user can see: documents with their facts, merged events, the timeline."""
    with Store(db, readonly=True) as store:
        docs, total = queries.list_documents(store, limit=1000)
        per_doc = {}
        for d in docs:
            full = queries.get_document(store, d["id"])
            per_doc[d["id"]] = (full["text"], len(full["mentions"]), len(full["events"]))
        extractions = {x.document.id: len(x.events) for x in store.extractions()}
        timeline = [(e["id"], e["type"], e["date"], e["n_sources"], json.dumps(e["fields"],
                                                                               sort_keys=True))
                    for e in queries.timeline(store)]
    return {"total": total, "docs": per_doc, "extractions": extractions, "timeline": timeline}


def _uninterrupted(corpus: Path, db: Path) -> dict:
    subprocess.run(_ingest_cmd(corpus, db), check=True, capture_output=True)
    return _state(db)


def test_kill_9_during_ingest_then_rerun_gives_the_same_store(tmp_path):
    corpus = _corpus_jsonl(tmp_path / "corpus.jsonl")
    # the reference is built in the same test, so that both runs use the same extractor
    expected = _uninterrupted(corpus, tmp_path / "reference.db")
    db = tmp_path / "kb.db"
    proc = subprocess.Popen(_ingest_cmd(corpus, db), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _count(db) < 5 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    killed = proc.poll() is None
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert killed, "the ingest ended before it could be killed"
    partial = _count(db)
    assert 5 <= partial < expected["total"]
    # no partial document: every stored document has all of its facts
    state = _state(db)
    for doc_id, (_, _, n_events) in state["docs"].items():
        assert n_events == state["extractions"][doc_id]
    rerun = subprocess.run(_ingest_cmd(corpus, db), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{partial} unchanged" in rerun.stdout
    assert _state(db) == expected


def test_readers_during_an_ingest_see_consistent_data(tmp_path):
    from fastapi.testclient import TestClient

    from communique.web import create_app

    corpus = _corpus_jsonl(tmp_path / "corpus.jsonl")
    db = tmp_path / "kb.db"
    client = TestClient(create_app(db))
    log = open(tmp_path / "ingest.log", "w+")
    proc = subprocess.Popen(_ingest_cmd(corpus, db), stdout=log, stderr=subprocess.STDOUT)
    seen_totals, checks, seen_events = [], 0, {}
    try:
        while proc.poll() is None or checks == 0:
            page = client.get("/api/documents?limit=500")
            assert page.status_code == 200
            body = page.json()
            seen_totals.append(body["total"])
            assert len(body["items"]) == body["total"]
            for item in body["items"][-3:]:
                doc = client.get(f"/api/documents/{item['id']}")
                assert doc.status_code == 200
                seen_events[item["id"]] = len(doc.json()["events"])
            timeline = client.get("/api/timeline")
            assert timeline.status_code == 200
            for event in timeline.json()["items"]:
                assert event["n_sources"] >= 1
            checks += 1
    finally:
        proc.wait(120)
        log.seek(0)
        output = log.read()
        log.close()
    assert proc.returncode == 0, output
    assert seen_totals == sorted(seen_totals)  # documents only ever appear
    final = _state(db)
    assert final["total"] == 41, output
    # every document a reader saw already had all of the facts it has at the end: whole
    assert seen_events and all(final["docs"][d][2] == n for d, n in seen_events.items())


# -- injection through search, filters and upload -----------------------------------------------
TOKEN = "robustness-token"
ATTACKS = [
    "'; DROP TABLE documents; --", "\" OR 1=1 --", "' OR '1'='1", "Brussels' UNION SELECT * "
    "FROM documents --", "\"", "*", "NEAR(", "title:x", "F-16\" OR \"x", "a AND", "(((",
    "<script>alert(1)</script>", "\x00", "%", "_", "\\", "Daesh^", "-", "{}[]", "Coalition*",
]


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    from fastapi.testclient import TestClient

    from communique.web import create_app

    db = tmp_path_factory.mktemp("web") / "kb.db"
    with Store(db) as store:
        for item in read_sources([str(resources.sample_dir() / "seeds")]):
            store.add(extract(prepare(item)))
    return TestClient(create_app(db, token=TOKEN)), db


def _documents(client) -> int:
    return client.get("/api/documents").json()["total"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_search_injection_has_no_effect(web, attack):
    client, db = web
    before = _documents(client)
    for url in ("/api/search", "/search"):
        r = client.get(url, params={"q": attack})
        assert r.status_code in (200, 404, 422), (url, attack, r.status_code)
    html = client.get("/search", params={"q": attack}).text  # the page echoes the query
    assert "<script>alert(1)</script>" not in html
    assert _documents(client) == before == 5


@FAST
@given(q=st.text(min_size=1, max_size=40))
def test_search_of_any_query_never_fails(web, q):
    _, db = web
    with Store(db, readonly=True) as store:
        try:
            results = queries.search(store, q)
        except CommuniqueError:
            return
    for r in results:
        body = r["snippet"].replace("<mark>", "").replace("</mark>", "")
        assert "<" not in body


@pytest.mark.parametrize("attack", ATTACKS)
def test_filter_injection_has_no_effect(web, attack):
    client, _ = web
    for url, params in (("/api/events", {"type": attack}), ("/api/events", {"actor": attack}),
                        ("/api/events", {"from": attack}), ("/api/timeline", {"actor": attack}),
                        ("/api/timeline", {"type": attack}), ("/api/entities", {"q": attack}),
                        ("/api/entities", {"type": attack})):
        r = client.get(url, params=params)
        assert r.status_code in (200, 404, 422), (url, params, r.status_code)
        if r.status_code == 200 and "type" in params:
            assert r.json()["total"] == 0  # no type is named like an attack: nothing matches
    quoted = quote(attack, safe="")
    for path in (f"/api/dossier/{quoted}", f"/api/events/{quoted}", f"/api/entities/{quoted}"):
        r = client.get(path)
        assert r.status_code in (200, 404, 422), (path, r.status_code)
    assert _documents(client) == 5


def test_upload_injection_is_stored_as_text_and_rendered_escaped(web):
    client, _ = web
    payload = ("Statement'); DROP TABLE documents; --\n\n"
               "The minister said <script>alert('xss')</script> and <img src=x onerror=alert(2)>"
               " in Brussels on 3 March 2021 that Belgium keeps four F-16s in Jordan.\n")
    r = client.post("/api/documents", headers={"Authorization": f"Bearer {TOKEN}"},
                    files={"file": ("../../x'; DROP TABLE documents;--<script>.txt",
                                    payload.encode(), "text/plain")},
                    data={"title": "<script>alert('title')</script>"})
    assert r.status_code == 201, r.text
    doc = r.json()["documents"][0]
    assert "/" not in doc["doc"] and "<" not in doc["doc"]
    assert _documents(client) == 6
    stored = client.get(f"/api/documents/{doc['doc']}").json()
    assert "<script>alert('xss')</script>" in stored["text"]  # kept as text, verbatim
    page = client.get(doc["url"])
    assert page.status_code == 200
    assert "<script>alert(" not in page.text and "<img src=x" not in page.text
    found = client.get("/search", params={"q": "minister"})
    assert "<script>alert(" not in found.text
    # without the token, nothing is written
    denied = client.post("/api/documents", files={"file": ("y.txt", b"text", "text/plain")})
    assert denied.status_code in (401, 403) and _documents(client) == 6
