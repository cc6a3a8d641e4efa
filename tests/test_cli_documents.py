"""The document commands as a user runs them: extract, ingest (into a store), eval --sample."""
from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES

BAD = FIXTURES / "ingest"
# every input under fixtures/ingest that must be refused, and what its message names
REFUSED = [
    f"{BAD / 'binary.txt'}: binary file",
    f"{BAD / 'empty.txt'}: empty file",
    f"{BAD / 'corpus.jsonl'}:2: not valid JSON",
    f"{BAD / 'corpus.jsonl'}:4: missing 'id'",
    f"{BAD / 'huge.txt'}: file too large",
]
READABLE = {"jl-1", "jl-3", "latin1.txt", "page.html"}


def lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_extract_sample_facts_match_gold_metadata(cli, sample_seeds, sample_gold):
    result = cli("extract", sample_seeds, "--format", "facts")
    assert result.exit_code == 0, result.stderr
    facts = {f["doc"]: f for f in lines(result.stdout)}
    assert sorted(facts) == sorted(sample_gold)
    for doc, gold in sample_gold.items():
        got = {k: facts[doc][k] for k in ("languages", "published", "title")}
        assert got == {k: gold[k] for k in ("languages", "published", "title")}, doc
        assert isinstance(facts[doc]["entities"], list) and isinstance(facts[doc]["events"], list)


def test_extract_jsonl_is_the_full_extraction(cli, sample_seeds):
    path = sample_seeds / "000_8fb598d2019c378c.txt"
    result = cli("extract", path, "--format", "jsonl")
    (record,) = lines(result.stdout)
    doc = record["document"]
    assert doc["id"] == "000_8fb598d2019c378c.txt" and doc["text"] == path.read_text("utf-8")
    assert [s["language"] for s in doc["segments"]] == ["nl", "en"]
    assert len(doc["content_hash"]) == 64


def test_extract_bad_inputs_named_others_extracted(cli):
    result = cli("extract", BAD, "--max-bytes", "10000")
    assert result.exit_code == 1
    assert {f["doc"] for f in lines(result.stdout)} == READABLE
    errors = result.stderr.strip().splitlines()
    assert len(errors) == len(REFUSED)
    for expected in REFUSED:
        assert sum(line.startswith(expected) for line in errors) == 1, expected


def test_extract_size_limit_zero_means_none(cli):
    result = cli("extract", BAD / "huge.txt", "--max-bytes", "0")
    assert result.exit_code == 0 and lines(result.stdout)[0]["title"] == "Huge release"


def test_extract_reads_stdin(cli):
    result = cli("extract", "-", input="Persbericht\n\nEen titel\n\nDe coalitie tegen Daesh "
                                      "kwam vandaag bijeen in Brussel om de strijd te bespreken.\n")
    assert result.exit_code == 0
    (fact,) = lines(result.stdout)
    assert (fact["doc"], fact["title"], fact["languages"]) == ("stdin", "Een titel", ["nl"])


def test_extract_without_paths_is_a_usage_error(cli):
    result = cli("extract")
    assert result.exit_code == 2 and "--sample" in result.stderr


def test_extract_console_script_on_sample():
    """The installed entry point, in a fresh process, as the README shows it."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    script = Path(sys.executable).parent / "communique"
    command = [str(script)] if script.exists() else [
        sys.executable, "-c", "from communique.cli import main; main()"]
    proc = subprocess.run(command + ["extract", "--sample"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert len(lines(proc.stdout)) == 5
    assert all(f["languages"] for f in lines(proc.stdout))


# ---------------------------------------------------------------- ingest (needs the store)

pytestmark_store = pytest.mark.skipif(
    not hasattr(importlib.import_module("communique.store"), "Store"), reason="no Store yet")


def summary(stdout: str) -> str:
    return stdout.strip().splitlines()[-1]


@pytestmark_store
def test_ingest_sample_then_again_changes_nothing(cli, tmp_path):
    db = tmp_path / "c.db"
    first = cli("ingest", "--db", db, "--sample", "--quiet")
    assert first.exit_code == 0, first.stderr
    assert summary(first.stdout) == (f"5 documents into {db}: 5 added, 0 unchanged, "
                                     "0 new versions, 0 skipped with errors")
    again = cli("ingest", "--db", db, "--sample")
    assert again.exit_code == 0
    assert "0 added, 5 unchanged" in summary(again.stdout)


@pytestmark_store
def test_ingest_bad_inputs_named_others_stored(cli, tmp_path):
    from communique.ingest import read_sources
    from communique.store import Store

    db = tmp_path / "c.db"
    result = cli("ingest", BAD, "--db", db, "--max-bytes", "10000")
    assert result.exit_code == 1
    for expected in REFUSED:
        assert sum(line.startswith(expected) for line in result.stderr.splitlines()) == 1
    assert summary(result.stdout).endswith(f"{len(READABLE)} added, 0 unchanged, 0 new versions, "
                                           f"{len(REFUSED)} skipped with errors")
    docs = [d for d in read_sources([str(BAD)]) if hasattr(d, "text") and d.id in READABLE]
    with Store(str(db)) as opened:
        assert all(opened.has_document(d.content_hash) for d in docs)


@pytestmark_store
def test_ingest_changed_file_is_a_new_version(cli, tmp_path):
    db, path = tmp_path / "c.db", tmp_path / "release.txt"
    body = ("De coalitie tegen Daesh kwam bijeen in Brussel om de strijd tegen de terreurgroep in "
            "Irak en Syrië te bespreken.")
    path.write_text(f"Titel\n\n{body}\n", "utf-8")
    assert cli("ingest", path, "--db", db).exit_code == 0
    path.write_text(f"Titel\n\n{body} Er waren dertig landen aanwezig.\n", "utf-8")
    result = cli("ingest", path, "--db", db)
    assert result.exit_code == 0
    assert "0 added, 0 unchanged, 1 new versions" in summary(result.stdout)


def test_progress_bar_counts_documents(capsys):
    from communique.cli.documents import _progress

    with _progress(True, 2) as advance:
        advance("a.txt")
        advance("b.txt")
        assert advance.bar.tasks[0].completed == 2
    with _progress(False, 2) as advance:
        advance("a.txt")  # hidden: nothing to draw, nothing fails
        assert advance.bar is None
