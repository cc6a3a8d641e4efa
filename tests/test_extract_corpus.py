"""Extraction scored against gold, as the project's own gate: the bundled sample corpus and the
held-out corpora per language under tests/fixtures/corpus/ (written apart from the extractor).

The floors are pinned a little under what the extractor reaches, so a regression fails the suite.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from communique.eval import score
from communique.extract.pipeline import extract
from communique.ingest import read_sources
from communique.ingest import prepare
from communique.resources import sample_dir

CORPORA = Path(__file__).parent / "fixtures" / "corpus"


@lru_cache(maxsize=None)
def _extract_dir(folder: str):
    return tuple(extract(prepare(doc)) for doc in read_sources([folder]))


def _load_gold(path: Path) -> dict:
    return {json.loads(line)["doc"]: json.loads(line) for line in path.read_text().splitlines()
            if line.strip()}


def _score(folder: Path, gold: Path) -> dict:
    predicted = {x.document.id: x.to_facts() for x in _extract_dir(str(folder))}
    return score(_load_gold(gold), predicted)


def test_seeds_meet_the_bar():
    result = _score(sample_dir() / "seeds", sample_dir() / "seeds.gold.jsonl")
    assert result["documents_missing"] == []
    assert result["events_micro"]["f1"] >= 0.90
    assert result["entities_micro"]["f1"] >= 0.95
    assert result["languages_accuracy"] == 1.0
    assert result["published_accuracy"] == 1.0


# (language, events F1 floor, entities F1 floor)
FLOORS = [("nl", 0.72, 0.89), ("en", 0.71, 0.85), ("fr", 0.72, 0.86)]


@pytest.mark.parametrize("lang,events_floor,entities_floor", FLOORS)
def test_held_out_corpus(lang, events_floor, entities_floor):
    result = _score(CORPORA / lang, CORPORA / f"{lang}.gold.jsonl")
    assert result["documents"] == 12
    assert result["events_micro"]["f1"] >= events_floor, result["events"]
    assert result["entities_micro"]["f1"] >= entities_floor, result["entities"]


@pytest.mark.parametrize("folder", ["seeds", "nl", "en", "fr"])
def test_every_fact_points_at_its_evidence(folder):
    path = sample_dir() / "seeds" if folder == "seeds" else CORPORA / folder
    for x in _extract_dir(str(path)):
        text = x.document.text
        for event in x.events:
            assert text[event.start:event.end] == event.evidence
            assert event.extractor.startswith("communique ")
        for entity in x.entities:
            for m in entity.mentions:
                assert text[m.start:m.end] == m.text
