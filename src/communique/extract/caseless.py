"""Case-insensitive matching made fast: the text lowered once, patterns written in lower case.

Python's `re` with IGNORECASE folds the case of every character it compares and cannot skip ahead
to the characters a pattern may start with; the same pattern in lower case, without the flag, on
lower-cased text can. Lower-casing keeps offsets only when it keeps the length (it does for the
scripts of releases; "İ" is the exception), so `lowered` returns None otherwise and callers fall
back to their case-insensitive pattern.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

_PATTERN_TOKEN = re.compile(r"\\.|\(\?P<\w+>|\(\?P=\w+\)|[^\\(]+|\(", re.DOTALL)


def lower_pattern(pattern: str) -> str:
    """`pattern` for lower-cased text: literals lowered; escapes (\\W, \\S, \\D...) and group names
    kept."""
    return _PATTERN_TOKEN.sub(
        lambda m: m.group() if m.group().startswith(("\\", "(?P")) else m.group().lower(), pattern)


@lru_cache(maxsize=16)
def lowered(text: str) -> str | None:
    """`text` lower-cased, or None when lowering changes its length (offsets would shift)."""
    low = text.lower()
    return low if len(low) == len(text) else None


def word_edge_before(text: str, at: int, hyphen: bool = False) -> bool:
    """No word character (nor, with `hyphen`, a hyphen) right before `at`: (?<![\\w-])."""
    if at == 0:
        return True
    c = text[at - 1]
    return not (c == "_" or c.isalnum() or (hyphen and c == "-"))


def finditer(regex: re.Pattern, starts: re.Pattern, text: str) -> Iterator[re.Match]:
    """`regex.finditer(text)`, trying `regex` only where `starts` (a lower-case pattern of what
    every match begins with, searched in the lowered text) finds an opener: most positions of a
    text cannot start a match, and the openers are found fast."""
    low = lowered(text)
    if low is None:
        yield from regex.finditer(text)
        return
    pos, size = 0, len(text)
    while pos < size:
        opener = starts.search(low, pos)
        if opener is None:
            return
        m = regex.match(text, opener.start())
        if m is None:
            pos = opener.start() + 1
        else:
            yield m
            pos = max(m.end(), opener.start() + 1)
