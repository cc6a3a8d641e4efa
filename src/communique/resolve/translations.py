"""Translations between documents: the same release written in another language.

Without embeddings, what survives translation is language-neutral: the entities (their ids are the
same in every language), the numbers and the dates. Two documents in different languages whose
features mostly coincide, published at compatible dates and of comparable length, are translations;
they count as one source. (The two language parts of one document are one source already: they are
one document.)
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from ..model import Extraction
from . import dates

MIN_SIMILARITY = 0.6
MIN_FEATURES = 4


@lru_cache(maxsize=1)
def _number() -> re.Pattern:
    return re.compile(r"\d+(?:[.,]\d+)*")


def features(extraction: Extraction) -> list[str]:
    """Sorted language-neutral features: entity ids, numbers (digits only), event key values."""
    out: set[str] = set()
    for ent in extraction.entities:
        out.add("e:" + ent.id)
    for match in _number().finditer(extraction.document.text):
        digits = match.group().replace(".", "").replace(",", "").lstrip("0")
        if digits:
            out.add("n:" + digits)
    for ev in extraction.events:
        out.add("t:" + ev.type)
    return sorted(out)


class Profile(NamedTuple):
    """What a document is judged on as a translation (made once, compared with many)."""
    languages: frozenset[str]
    published: str | None   # a partial ISO date, or None
    length: int
    features: frozenset[str]


def profile(languages, published, length: int, features) -> Profile:
    return Profile(frozenset(languages or ()), dates.clean(published), length or 0,
                   frozenset(features or ()))


def is_translation(a: Profile, b: Profile) -> float | None:
    """Score when documents a and b are translations: in no common language, published at
    compatible dates, of comparable length, sharing enough features."""
    if not a.languages or not b.languages or not a.languages.isdisjoint(b.languages):
        return None
    if a.published and b.published and not dates.compatible(a.published, b.published):
        return None
    length_a, length_b = a.length, b.length
    if not length_a or not length_b or max(length_a, length_b) > 1.6 * min(length_a, length_b):
        return None
    shared = len(a.features & b.features)
    if shared < MIN_FEATURES:
        return None
    score = shared / (len(a.features) + len(b.features) - shared)   # Jaccard
    return score if score >= MIN_SIMILARITY else None
