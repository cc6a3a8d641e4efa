"""Cue patterns of `data/lang/<xx>/events.yaml`, compiled once per language and looked up by path.

A list of fragments becomes one case-insensitive alternation bounded by word edges; a mapping
(fragment -> English value) becomes a list of (pattern, value). Compilation is cached, so a frame
asks for `cue(lang, "deployment", "cues")` as often as it likes.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from ..resources import lang_data


def _node(lang: str, path: tuple[str, ...]) -> Any:
    node: Any = lang_data(lang, "events")
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _wrap(fragment: str) -> str:
    return rf"(?<![\w-])(?:{fragment})(?![\w])"


@lru_cache(maxsize=None)
def cue(lang: str, *path: str) -> re.Pattern | None:
    """The alternation of the fragments listed at `path` (None when the language has none)."""
    node = _node(lang, path)
    if not node:
        return None
    fragments = list(node.keys()) if isinstance(node, dict) else list(node)
    fragments.sort(key=len, reverse=True)
    return re.compile("|".join(_wrap(f) for f in fragments), re.IGNORECASE)


@lru_cache(maxsize=None)
def mapping(lang: str, *path: str) -> tuple[tuple[re.Pattern, Any], ...]:
    """(pattern, value) for every entry of the mapping at `path`, longest fragment first."""
    node = _node(lang, path)
    if not isinstance(node, dict):
        return ()
    items = sorted(node.items(), key=lambda kv: -len(kv[0]))
    return tuple((re.compile(_wrap(k), re.IGNORECASE), v) for k, v in items)


def value(lang: str, *path: str, default: Any = None) -> Any:
    node = _node(lang, path)
    return default if node is None else node


def search(lang: str | None, text: str, *path: str, pos: int = 0, endpos: int | None = None):
    """The first match of the cue at `path` in text[pos:endpos], or None."""
    if not lang:
        return None
    regex = cue(lang, *path)
    if regex is None:
        return None
    return regex.search(text, pos, len(text) if endpos is None else endpos)


def finditer(lang: str | None, text: str, *path: str, pos: int = 0, endpos: int | None = None):
    if not lang:
        return iter(())
    regex = cue(lang, *path)
    if regex is None:
        return iter(())
    return regex.finditer(text, pos, len(text) if endpos is None else endpos)


def labels(lang: str | None, text: str, *path: str, pos: int = 0, endpos: int | None = None
           ) -> list[tuple[int, int, Any]]:
    """Every (start, end, value) of the mapping at `path` found in text[pos:endpos]."""
    if not lang:
        return []
    out = []
    end = len(text) if endpos is None else endpos
    for regex, val in mapping(lang, *path):
        for m in regex.finditer(text, pos, end):
            out.append((m.start(), m.end(), val))
    out.sort()
    return out
