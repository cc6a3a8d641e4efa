"""Every language's data files follow one schema (spaCy's lang/ and dateparser's YAML as models):
adding a language is adding files, and a broken file fails here, naming itself."""
from __future__ import annotations

import re

import pytest

from communique import resources
from communique.extract import cues

LANGS = resources.languages()
SECTIONS = ("sentences", "persons", "meeting", "deployment", "funding", "quote", "since",
            "milestone", "membership")
REQUIRED = [
    ("meeting", "triggers"), ("meeting", "levels"), ("meeting", "hosts"),
    ("deployment", "assets"), ("deployment", "status"),
    ("funding", "cues"), ("funding", "giving"), ("milestone", "triggers"),
    ("membership", "nouns"), ("membership", "count_cues"), ("persons", "speech"),
]


def test_the_four_languages_have_data():
    assert {"nl", "en", "fr", "de"} <= set(LANGS)


@pytest.mark.parametrize("lang", LANGS)
def test_events_file_has_every_section(lang):
    data = resources.lang_data(lang, "events")
    missing = [s for s in SECTIONS if s not in data]
    assert not missing, f"data/lang/{lang}/events.yaml lacks {missing}"
    for path in REQUIRED:
        assert cues.value(lang, *path), f"data/lang/{lang}/events.yaml lacks {'.'.join(path)}"


def _fragments(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (list, dict)):
                yield from _fragments(value, path + (key,))
            if isinstance(node, dict) and isinstance(value, (str, type(None))) and \
                    path and path[-1] in ("levels", "triggers", "purpose_terms"):
                yield path, key
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, str):
                yield path, item


@pytest.mark.parametrize("lang", LANGS)
def test_every_cue_is_a_valid_pattern_of_text(lang):
    for path, fragment in _fragments(resources.lang_data(lang, "events")):
        assert isinstance(fragment, str) and fragment.strip(), (lang, path, fragment)
        try:
            re.compile(fragment)
        except re.error as err:  # pragma: no cover - the assertion names the culprit
            pytest.fail(f"data/lang/{lang}/events.yaml {'.'.join(path)}: {fragment!r}: {err}")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", ["dates", "numbers", "money", "demonyms", "offices", "ingest"])
def test_every_kind_of_file_exists(lang, kind):
    assert resources.lang_data(lang, kind), f"data/lang/{lang}/{kind}.yaml is missing or empty"
