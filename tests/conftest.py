"""Shared fixtures: the bundled sample corpus and its gold, and a way to run the CLI."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from communique import resources
from communique.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def sample_seeds() -> Path:
    """The folder of the five bundled sample releases."""
    return resources.sample_dir() / "seeds"


@pytest.fixture(scope="session")
def sample_gold() -> dict[str, dict]:
    """The gold facts of the sample releases, by document id."""
    path = resources.sample_dir() / "seeds.gold.jsonl"
    with open(path, encoding="utf-8") as fh:
        return {r["doc"]: r for r in map(json.loads, filter(str.strip, fh))}


@pytest.fixture
def cli():
    """cli(*args, input=None) -> click Result (stdout and stderr apart), as a user would run it."""
    runner = CliRunner()

    def run(*args: str, input: str | bytes | None = None):
        return runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    return run


def build_sample_store(path) -> str:
    """A store built from the bundled sample through the real ingest path; returns its path."""
    from communique.errors import InputError
    from communique.extract.pipeline import extract
    from communique.ingest import prepare, read_sources
    from communique.store import Store

    with Store(path) as store:
        for doc in read_sources([str(resources.sample_dir() / "seeds")]):
            assert not isinstance(doc, InputError), doc
            store.add(extract(prepare(doc)))
    return str(path)

