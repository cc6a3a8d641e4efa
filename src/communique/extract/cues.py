"""Cue patterns of `data/lang/<xx>/events.yaml`, compiled once per language and looked up by path.

A list of fragments becomes one case-insensitive alternation bounded by word edges; a mapping
(fragment -> English value) becomes a list of (cue, value). Compilation is cached, so a frame
asks for `search(lang, text, "funding", "cues")` as often as it likes.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterator

from ..resources import lang_data
from .caseless import lower_pattern, lowered, word_edge_before


def _node(lang: str, path: tuple[str, ...]) -> Any:
    node: Any = lang_data(lang, "events")
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _wrap(fragment: str, tail: str = r"(?![\w])") -> str:
    return rf"(?<![\w-])(?:{fragment}){tail}"


class Cue:
    """A case-insensitive alternation bounded by word edges, searched fast.

    The fragments lower-cased, without the case flag and without the look-behind, on lower-cased
    text (see caseless.py), 5-15x faster on the cue lists of events.yaml; the left word edge is
    checked on each match; text whose length changes when lowered uses the plain pattern.
    Matches are the same either way; on the fast path their groups are lower-cased.
    """

    def __init__(self, fragments: list[str], tail: str = r"(?![\w])"):
        """`tail` is the right edge: no word character after a match (nor a hyphen, with
        the tail `(?![\\w-])`)."""
        self.pattern = re.compile(_wrap("|".join(fragments), tail), re.IGNORECASE)
        self._fast = re.compile(rf"(?:{'|'.join(map(lower_pattern, fragments))}){tail}")

    def search(self, text: str, pos: int = 0, endpos: int | None = None):
        end = len(text) if endpos is None else endpos
        low = lowered(text)
        if low is None:
            return self.pattern.search(text, pos, end)
        while True:
            m = self._fast.search(low, pos, end)
            if m is None or word_edge_before(low, m.start(), hyphen=True):
                return m
            pos = m.start() + 1

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match]:
        end = len(text) if endpos is None else endpos
        low = lowered(text)
        if low is None:
            yield from self.pattern.finditer(text, pos, end)
            return
        while True:
            m = self._fast.search(low, pos, end)
            if m is None:
                return
            if word_edge_before(low, m.start(), hyphen=True):
                yield m
                pos = max(m.end(), m.start() + 1)
            else:
                pos = m.start() + 1


@lru_cache(maxsize=None)
def matcher(lang: str, *path: str) -> Cue | None:
    """The cue at `path` (None when the language has none)."""
    node = _node(lang, path)
    if not node:
        return None
    fragments = list(node.keys()) if isinstance(node, dict) else list(node)
    fragments.sort(key=len, reverse=True)
    return Cue(fragments)


@lru_cache(maxsize=None)
def union(lang: str, *path: str) -> Cue | None:
    """One cue of every fragment listed under the mapping at `path` (label -> fragments): where it
    finds nothing, none of the labels is there."""
    node = _node(lang, path)
    if not isinstance(node, dict):
        return None
    fragments = sorted({f for frs in node.values() for f in (frs or [])}, key=len, reverse=True)
    return Cue(fragments) if fragments else None


def cue(lang: str, *path: str) -> re.Pattern | None:
    """The cue at `path` as a pattern, for callers that match it themselves."""
    found = matcher(lang, *path)
    return None if found is None else found.pattern


@lru_cache(maxsize=None)
def mapping(lang: str, *path: str) -> tuple[tuple[Cue, Any], ...]:
    """(cue, value) for every entry of the mapping at `path`, longest fragment first."""
    node = _node(lang, path)
    if not isinstance(node, dict):
        return ()
    items = sorted(node.items(), key=lambda kv: -len(kv[0]))
    return tuple((Cue([k]), v) for k, v in items)


def value(lang: str, *path: str, default: Any = None) -> Any:
    node = _node(lang, path)
    return default if node is None else node


def search(lang: str | None, text: str, *path: str, pos: int = 0, endpos: int | None = None):
    """The first match of the cue at `path` in text[pos:endpos], or None."""
    found = matcher(lang, *path) if lang else None
    return None if found is None else found.search(text, pos, endpos)


def finditer(lang: str | None, text: str, *path: str, pos: int = 0, endpos: int | None = None):
    found = matcher(lang, *path) if lang else None
    return iter(()) if found is None else found.finditer(text, pos, endpos)


def labels(lang: str | None, text: str, *path: str, pos: int = 0, endpos: int | None = None
           ) -> list[tuple[int, int, Any]]:
    """Every (start, end, value) of the mapping at `path` found in text[pos:endpos]."""
    first = search(lang, text, *path, pos=pos, endpos=endpos)
    if first is None:  # one pass of the whole alternation rules out every entry
        return []
    out = []
    for found, val in mapping(lang, *path):
        for m in found.finditer(text, first.start(), endpos):
            out.append((m.start(), m.end(), val))
    out.sort()
    return out
