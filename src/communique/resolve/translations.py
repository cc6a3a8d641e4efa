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


def _set(values) -> frozenset | set:
    return values if isinstance(values, (set, frozenset)) else set(values)


def similarity(a, b) -> float:
    sa, sb = _set(a), _set(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def is_translation(a: dict, b: dict) -> float | None:
    """Score when documents a and b ({languages, published, length, features}) are translations.
    (Sets given as sets are used as they are: a caller comparing one document with many keeps
    them.)"""
    la, lb = _set(a.get("languages") or ()), _set(b.get("languages") or ())
    if not la or not lb or not la.isdisjoint(lb):
        return None
    pa, pb = a.get("published"), b.get("published")
    if dates.clean(pa) and dates.clean(pb) and not dates.compatible(pa, pb):
        return None
    length_a, length_b = a.get("length") or 0, b.get("length") or 0
    if not length_a or not length_b or max(length_a, length_b) > 1.6 * min(length_a, length_b):
        return None
    fa, fb = _set(a.get("features") or ()), _set(b.get("features") or ())
    shared = len(fa & fb)
    if shared < MIN_FEATURES:
        return None
    score = shared / (len(fa) + len(fb) - shared)   # = similarity(fa, fb)
    return score if score >= MIN_SIMILARITY else None
