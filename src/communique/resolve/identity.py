"""Entity identity across documents: name normalisation and person-name matching.

Entity ids from the extractor are already canonical where the gazetteer knows the entity
(`country:BE`, `person:sophie-wilmes`); what is left here is the person the gazetteer does not know,
named by surname only in one release (`person:kadhimi`) and in full in another
(`person:mustafa-al-kadhimi`): the short name is merged into the full one when exactly one known
person fits.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


@lru_cache(maxsize=1)
def _non_word() -> re.Pattern:
    return re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """Case-, accent- and punctuation-blind form of a name (`Wilmès` -> `wilmes`; `F-16` -> `f 16`),
    remembered: names recur in every document."""
    return fold(text)


def fold(text: str) -> str:
    """`norm` of any text, not remembered (a whole document is seen once)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _non_word().sub(" ", stripped.casefold()).strip()


def tokens(text: str) -> list[str]:
    return norm(text).split()


def is_subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(tok in it for tok in short)


def same_person(a: str, b: str) -> bool:
    """Names that can denote the same person: one's tokens are a subsequence of the other's."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return False
    short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return is_subsequence(short, long)


def canonical_person(name: str, country: str | None,
                     known: list[tuple[str, str, str | None]]) -> str | None:
    """The id among `known` (id, name, country) that a person named `name` is, when unambiguous.

    Only a strictly longer name is a target (the full name is canonical); a country that
    disagrees rules a candidate out.
    """
    mine = tokens(name)
    if not mine:
        return None
    fits = []
    for pid, other, other_country in known:
        theirs = tokens(other)
        if len(theirs) <= len(mine):
            continue
        if country and other_country and country != other_country:
            continue
        if is_subsequence(mine, theirs):
            fits.append(pid)
    return fits[0] if len(fits) == 1 else None


def speaker_entity(speaker: str, persons: list[tuple[str, str]]) -> str | None:
    """The id of the person (id, name) a quote's `speaker` names: exact, else unambiguous fit."""
    target = norm(speaker)
    for pid, name in persons:
        if norm(name) == target:
            return pid
    fits = [pid for pid, name in persons if same_person(speaker, name)]
    return fits[0] if len(set(fits)) == 1 else None


def slug(text: str, limit: int = 48) -> str:
    """URL-safe lower-case words joined by '-'."""
    return "-".join(norm(text).split())[:limit].strip("-") or "x"
