"""Access to the knowledge that lives in data files (src/communique/data/).

Everything is loaded lazily and cached per process (never at import time), so that a Spark worker
or a web request pays for a file once, and a test can point `COMMUNIQUE_DATA` at another folder.

Layout (see docs/DATA.md):
    data/lang/<code>/<kind>.yaml   language knowledge: dates, numbers, money, entities, events, ingest
    data/gazetteer/<type>.yaml     entities with canonical English names, QIDs, aliases per language
    data/sample/                   the bundled sample corpus and its gold facts
"""
from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any

import yaml

from .errors import DataError


def data_dir() -> Path:
    return _data_dir(os.environ.get("COMMUNIQUE_DATA"))


@lru_cache(maxsize=4)
def _data_dir(override: str | None) -> Path:
    if override:
        return Path(override)
    return Path(str(importlib_resources.files("communique") / "data"))


@lru_cache(maxsize=None)
def _load_yaml(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as err:
        raise DataError(f"{path}: not valid YAML: {err}") from err


def languages() -> list[str]:
    """The languages that have a data folder, e.g. ['de', 'en', 'fr', 'nl'] (listed once per data
    folder: every document asks)."""
    return list(_languages(str(data_dir())))


@lru_cache(maxsize=4)
def _languages(root: str) -> tuple[str, ...]:
    return tuple(sorted(p.name for p in (Path(root) / "lang").iterdir()
                        if p.is_dir() and not p.name.startswith("_")))


def lang_data(lang: str, kind: str) -> dict:
    """data/lang/<lang>/<kind>.yaml as a dict ({} when the language has no such file)."""
    return _lang_data(str(data_dir()), lang, kind)


@lru_cache(maxsize=None)
def _lang_data(root: str, lang: str, kind: str) -> dict:
    path = Path(root) / "lang" / lang / f"{kind}.yaml"
    if not path.exists():
        return {}
    loaded = _load_yaml(str(path))
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise DataError(f"{path}: the top level must be a mapping")
    return loaded


def gazetteer_files() -> list[Path]:
    return sorted((data_dir() / "gazetteer").glob("*.yaml"))


def gazetteer_records() -> list[dict]:
    """Every record of every data/gazetteer/*.yaml file (each file holds a list of records)."""
    records: list[dict] = []
    for path in gazetteer_files():
        loaded = _load_yaml(str(path)) or []
        if not isinstance(loaded, list):
            raise DataError(f"{path}: the top level must be a list of entities")
        records.extend(loaded)
    return records


def sample_dir() -> Path:
    return data_dir() / "sample"


def data_word(word: Any, source: str) -> str:
    """A word from a data file, folded for lookups (lower case, one space, one apostrophe).

    YAML reads some unquoted words as other types (`on`, `no` become booleans): name the file.
    """
    if not isinstance(word, str):
        raise DataError(f"{source}: expected a word, found {word!r} (quote it)")
    return " ".join(word.replace("’", "'").split()).lower()


def clear_caches() -> None:
    _load_yaml.cache_clear()
    _lang_data.cache_clear()
    _data_dir.cache_clear()
    _languages.cache_clear()
