"""Batch extraction: Spark (local[2]) and one process write the same facts as `extract`; `load`
rebuilds the same store as `ingest`."""
from __future__ import annotations

import json
import os
import shutil

import pytest

from communique import spark as batch
from communique.extract.pipeline import extract
from communique.ingest import prepare, read_sources
from communique.store import Store


def _single_process(paths) -> dict[str, dict]:
    """doc id -> facts, by the single-process path of `communique extract`."""
    out = {}
    for item in read_sources([str(p) for p in paths]):
        if not hasattr(item, "text"):
            continue
        out[item.id] = extract(prepare(item)).to_facts()
    return out


def _facts(out_dir) -> dict[str, dict]:
    found = {}
    for row in batch.read_facts(str(out_dir)):
        assert row["error"] is None, row["error"]
        found[row["doc"]] = {"doc": row["doc"], "languages": row["languages"],
                             "published": row["published"], "title": row["title"],
                             "entities": json.loads(row["entities"]),
                             "events": json.loads(row["events"])}
    return found


@pytest.fixture(scope="session")
def expected(sample_seeds):
    return _single_process([sample_seeds])


@pytest.fixture(scope="session")
def spark():
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs Java (no `java` on PATH and no JAVA_HOME)")
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install '.[spark]')")
    session = batch.spark_session("local[2]", app_name="communique-tests")
    yield session
    session.stop()


@pytest.fixture
def corpus_jsonl(tmp_path, sample_seeds):
    """The seeds as a JSON Lines file, with a broken line and a blank one in the middle."""
    lines = []
    for path in sorted(sample_seeds.glob("*.txt")):
        lines.append(json.dumps({"id": path.stem, "text": path.read_text(encoding="utf-8")}))
    lines.insert(2, '{"id": "broken", "text": ')
    lines.insert(4, "")
    target = tmp_path / "corpus.jsonl"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@pytest.mark.spark
def test_spark_facts_equal_single_process(spark, sample_seeds, expected, tmp_path):
    result = batch.run_spark([str(sample_seeds)], str(tmp_path / "out"), spark=spark)
    assert result.documents == len(expected) == 5 and not result.errors
    assert _facts(tmp_path / "out") == expected
    # and the full extraction rebuilds the same Extraction objects
    for row in batch.read_facts(str(tmp_path / "out")):
        rebuilt = batch.Extraction.from_dict(json.loads(row["extraction"]))
        assert rebuilt.to_facts() == expected[row["doc"]]


@pytest.mark.spark
def test_spark_jsonl_and_parquet_inputs(spark, corpus_jsonl, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    local = batch.run_local([str(corpus_jsonl)], str(tmp_path / "local"))
    remote = batch.run_spark([str(corpus_jsonl)], str(tmp_path / "spark"), spark=spark,
                             partitions=3)
    assert local.errors == remote.errors
    assert len(remote.errors) == 1 and f"{corpus_jsonl}:3" in remote.errors[0]
    assert remote.documents == 5
    rows_local = list(batch.read_facts(str(tmp_path / "local")))
    rows_spark = list(batch.read_facts(str(tmp_path / "spark")))
    assert rows_local == rows_spark
    assert [r["part"] for r in rows_spark] == [1, 2, 3, 4, 6, 7]  # line numbers, in file order

    records = [json.loads(line) for line in corpus_jsonl.read_text().splitlines()
               if line.startswith('{"id"') and line.endswith("}")]
    pq.write_table(pa.Table.from_pylist(records), tmp_path / "in.parquet")
    from_parquet = batch.run_spark([str(tmp_path / "in.parquet")], str(tmp_path / "pq"),
                                   spark=spark)
    assert from_parquet.documents == 5 and not from_parquet.errors
    by_doc = {r["doc"]: r["events"] for r in rows_spark if not r["error"]}
    assert {r["doc"]: r["events"] for r in batch.read_facts(str(tmp_path / "pq"))} == by_doc


def test_local_engine_equals_single_process(sample_seeds, expected, tmp_path):
    result = batch.run_local([str(sample_seeds)], str(tmp_path / "out"))
    assert result.documents == 5 and not result.errors
    assert _facts(tmp_path / "out") == expected


def test_load_builds_the_same_store_as_ingest(sample_seeds, tmp_path):
    batch.run_local([str(sample_seeds)], str(tmp_path / "out"))
    with Store(tmp_path / "loaded.db") as store:
        counts = batch.load(str(tmp_path / "out"), store)
        assert counts == {"added": 5}
        assert batch.load(str(tmp_path / "out"), store) == {"unchanged": 5}
        loaded = [x.to_facts() for x in store.extractions()]
    with Store(tmp_path / "ingested.db") as store:
        for item in read_sources([str(sample_seeds)]):
            store.add(extract(prepare(item)))
        ingested = [x.to_facts() for x in store.extractions()]
    assert loaded == ingested


def test_batch_and_load_commands(cli, tmp_path, corpus_jsonl):
    out = tmp_path / "facts"
    result = cli("batch", corpus_jsonl, "--engine", "local", "--out", out)
    assert result.exit_code == 1  # the broken line
    assert f"{corpus_jsonl}:3" in result.stderr and "5 documents extracted" in result.stdout
    again = cli("batch", corpus_jsonl, "--engine", "local", "--out", out)
    assert again.exit_code != 0 and "--overwrite" in again.output
    db = tmp_path / "kb.db"
    loaded = cli("load", out, "--db", db)
    assert "5 added" in loaded.stdout and loaded.exit_code == 1
    with Store(db, readonly=True) as store:
        assert len(list(store.extractions())) == 5
