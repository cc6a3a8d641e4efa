"""The knowledge-base commands as a user runs them: timeline, dossier, search, export."""
from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "kb"))
from kbfixtures import sample_extractions, synthetic_extractions  # noqa: E402

from communique.store import Store  # noqa: E402


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "kb.db"
    with Store(path) as store:
        for ex in sample_extractions() + list(synthetic_extractions().values()):
            store.add(ex)
    return path


def test_timeline_json_filters(cli, db):
    result = cli("timeline", "--db", db, "--actor", "BE", "--type", "deployment",
                 "--from", "2019", "--to", "2021", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert rows and all(r["type"] == "deployment" and r["fields"]["actor"] == "BE" for r in rows)
    assert max(r["n_sources"] for r in rows) == 3


def test_timeline_table(cli, db):
    result = cli("timeline", "--db", db, "--type", "meeting")
    assert result.exit_code == 0
    assert "Marrakesh" in result.stdout and "2021-03-30" in result.stdout


def test_dossier_country_and_person(cli, db):
    data = json.loads(cli("dossier", "BE", "--db", db, "--json").stdout)
    assert data["country"]["code"] == "BE"
    assert {d["asset"] for d in data["deployments"]} >= {"F-16"}
    table = cli("dossier", "BE", "--db", db).stdout
    assert "Deployments" in table and "F-16" in table
    person = json.loads(cli("dossier", "Sophie Wilmès", "--db", db, "--json").stdout)
    assert person["person"]["name"] == "Sophie Wilmès" and person["quotes"]
    missing = cli("dossier", "Nobody Atall", "--db", db)
    assert missing.exit_code != 0 and "Nobody Atall" in missing.output


def test_search_json_and_table(cli, db):
    hits = json.loads(cli("search", "F-16 Irak", "--db", db, "--json").stdout)
    assert hits and all("<mark>" in h["snippet"] for h in hits)
    table = cli("search", "Marrakesh", "--db", db)
    assert table.exit_code == 0 and "Marrakech" in table.stdout  # the French spelling is found
    assert cli("search", '" OR NEAR(', "--db", db).exit_code == 0


def test_export_facts_round_trip(cli, db):
    lines = cli("export", "--db", db, "--format", "facts").stdout.splitlines()
    facts = [json.loads(line) for line in lines]
    assert facts[0] == sample_extractions()[0].to_facts()
    assert len(facts) == 5 + len(synthetic_extractions())


def test_export_events_jsonl_csv_parquet(cli, db, tmp_path):
    events = [json.loads(l) for l in cli("export", "--db", db, "--format", "events-jsonl").stdout
              .splitlines()]
    [virtual] = [e for e in events if e["type"] == "meeting" and e["date"] == "2021-03-30"]
    assert {s["doc"] for s in virtual["sources"]} == {"001_1739d8c617f1ed81.txt",
                                                     "003_2849f0fcd9c9416d.txt"}
    assert set(virtual["sources"][0]) >= {"doc", "start", "end", "evidence"}
    rows = list(csv.DictReader(io.StringIO(cli("export", "--db", db, "--format", "csv").stdout)))
    assert len(rows) == len(events) and json.loads(rows[0]["sources"])
    out = tmp_path / "events.parquet"
    assert cli("export", "--db", db, "--format", "parquet", "--out", out).exit_code == 0
    import pyarrow.parquet as pq
    table = pq.read_table(out)
    assert table.num_rows == len(events)
    assert table.column("sources")[0].as_py()[0]["evidence"]


def test_exports_are_written_as_read_in_pages(cli, db, tmp_path, monkeypatch):
    """Read a few events and documents at a time (a store of any size), the exports hold the
    same as read whole: every event in timeline order, every document once."""
    from communique.store import Store, queries

    whole = [json.loads(line) for line in cli("export", "--db", db, "--format",
                                                  "events-jsonl").stdout.splitlines()]
    facts = cli("export", "--db", db, "--format", "facts").stdout.splitlines()
    monkeypatch.setattr(queries, "EXPORT_PAGE", 2)
    monkeypatch.setattr("communique.web.exports.ROW_GROUP", 3)
    paged = [json.loads(line) for line in cli("export", "--db", db, "--format",
                                                  "events-jsonl").stdout.splitlines()]
    assert paged == whole
    with Store(db, readonly=True) as store:
        assert [e["id"] for e in paged] == [e["id"] for e in queries.timeline(store)]
        texts = [ex.document.text for ex in store.extractions(batch=2)]
        assert len(texts) == len(facts) == len(set(texts))
    out = tmp_path / "events.parquet"
    assert cli("export", "--db", db, "--format", "parquet", "--out", out).exit_code == 0
    import pyarrow.parquet as pq
    table = pq.read_table(out)
    assert table.column("id").to_pylist() == [e["id"] for e in whole]
    assert pq.ParquetFile(out).num_row_groups == -(-len(whole) // 3)


def test_missing_database_is_a_clear_error(cli, tmp_path):
    result = cli("timeline", "--db", tmp_path / "none.db")
    assert result.exit_code != 0 and "none.db" in result.output
