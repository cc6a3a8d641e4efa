"""Scoring with the rules of docs/SCHEMA.md: the same numbers as the referee on crafted predictions.

The expected outputs under fixtures/eval/*.expected.txt were printed once by the referee
(score.py) for these files; the project must print the same (the list of misses aside).
"""
from __future__ import annotations

import json

import pytest

from communique import eval as ev
from communique import resources

from conftest import FIXTURES

EVAL = FIXTURES / "eval"


def sample_gold_path() -> str:
    return str(resources.sample_dir() / "seeds.gold.jsonl")


@pytest.mark.parametrize("gold, pred, expected", [
    (sample_gold_path(), EVAL / "crafted.pred.jsonl", EVAL / "crafted.expected.txt"),
    (EVAL / "edge.gold.jsonl", EVAL / "edge.pred.jsonl", EVAL / "edge.expected.txt"),
])
def test_same_report_as_the_referee(cli, gold, pred, expected):
    result = cli("eval", gold, pred)
    assert result.exit_code == 0
    assert result.stdout == expected.read_text("utf-8")


def test_crafted_numbers():
    result = ev.score(ev.load(sample_gold_path()), ev.load(str(EVAL / "crafted.pred.jsonl")))
    assert result["documents_missing"] == ["004_c11e894cdb806e99.txt"]
    assert (result["events_micro"]["tp"], result["events_micro"]["fp"],
            result["events_micro"]["fn"]) == (21, 8, 22)
    assert result["events_micro"]["f1"] == 0.5833
    assert result["entities_micro"]["f1"] == 0.6491
    assert result["slot_accuracy"] == 0.8571
    assert (result["languages_accuracy"], result["published_accuracy"]) == (0.6, 0.5)


@pytest.mark.parametrize("field, gold, pred, same", [
    ("date", "2019-06", "2019-06-27", True),
    ("date", "2019-06-2", "2019-06-27", False),
    ("amount", 670000000, 675000000, True),
    ("amount", 670000000, 680000000, False),
    ("quantity", 4, 4.0, True),
    ("quantity", 4, "four", False),
    ("speaker", "Ank Bijleveld-Schouten", "ank bijleveld", True),
    ("speaker", "Ank Bijleveld-Schouten", "Bijleveld", False),
    ("asset", "F-16", "F16", True),
    ("place", "Wilmès", "Wilmes", True),
    ("area", ["IQ", "SY"], ["SY", "IQ"], True),
    ("area", ["IQ", "SY"], ["IQ"], False),
    ("level", "ministerial small group", "small group", True),
    ("text", "we must remain cautious", "we must remain very cautious", True),
])
def test_values_match(field, gold, pred, same):
    assert ev.values_match(field, gold, pred) is same


def test_aliases_count_for_their_document_only():
    gold = {"a": {"doc": "a", "entities": [{"type": "person", "name": "Stef Blok",
                                             "aliases": ["Blok"]}]},
            "b": {"doc": "b", "entities": [{"type": "person", "name": "Stef Blok"}]}}
    pred = {"a": {"doc": "a", "entities": [{"type": "person", "name": "Blok"}]},
            "b": {"doc": "b", "entities": [{"type": "person", "name": "Blok"}]}}
    assert ev.score(gold, pred)["entities_micro"]["tp"] == 1


def test_json_output_and_misses(cli):
    result = cli("eval", EVAL / "edge.gold.jsonl", EVAL / "edge.pred.jsonl", "--json", "--misses")
    data = json.loads(result.stdout)
    assert data["events_micro"]["f1"] == 0.625
    assert {"doc": "b", "what": "missed entity",
            "item": {"type": "organization", "name": "NATO"}} in data["misses"]
    assert "misses" not in json.loads(
        cli("eval", EVAL / "edge.gold.jsonl", EVAL / "edge.pred.jsonl", "--json").stdout)


def test_bad_prediction_line_is_named(cli, tmp_path):
    bad = tmp_path / "pred.jsonl"
    bad.write_text('{"doc": "a"}\n{oops\n', "utf-8")
    result = cli("eval", EVAL / "edge.gold.jsonl", bad)
    assert result.exit_code != 0
    assert f"{bad}:2: not JSON" in result.stderr


def test_eval_sample_scores_the_bundled_corpus(cli):
    result = cli("eval", "--sample")
    assert result.exit_code == 0
    assert "documents: 5  missing from predictions: 0" in result.stdout
    assert "languages accuracy: 1.0  published accuracy: 1.0" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("events F1 ")
