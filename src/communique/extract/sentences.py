"""Paragraphs and sentences with character spans.

A small splitter of our own: spaCy's sentencizer would do, but it needs a pipeline per language and
knows nothing of the abbreviations of official releases ("vlnr.", "o.a.", "M.", "Mme"), which live in
`data/lang/<xx>/events.yaml` under `sentences.abbreviations`. Closing quotation marks after a full
stop stay with the sentence they end.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..resources import lang_data

_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")
_END = re.compile(r"[.!?…]+[\"”»’']*(?=\s+|$)|[:;](?=\s*\n)")


@lru_cache(maxsize=None)
def _abbreviations(lang: str) -> frozenset[str]:
    data = lang_data(lang, "events").get("sentences", {})
    return frozenset(a.lower() for a in data.get("abbreviations", []))


@lru_cache(maxsize=None)
def _ordinal_dot(lang: str) -> bool:
    return bool(lang_data(lang, "events").get("sentences", {}).get("ordinal_dot"))


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Each non-empty line (a release puts one paragraph on a line) as (start, end)."""
    spans = []
    for m in re.finditer(r"[^\n]+", text):
        start, end = m.start(), m.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def _is_abbreviation(text: str, dot: int, lang: str | None) -> bool:
    word_start = dot
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:dot + 1].lower().lstrip("(\"“„«'")
    if not word:
        return False
    if lang and word in _abbreviations(lang):
        return True
    # "am 12. Februar": a day written as an ordinal with a full stop (German)
    if lang and _ordinal_dot(lang) and re.fullmatch(r"\d{1,2}\.", word):
        return True
    core = word[:-1]
    # Initials ("J.", "A.F.") and single letters are not sentence ends.
    return len(core) == 1 and core.isalpha() or bool(re.fullmatch(r"(?:\w\.)+\w?", core))


_MARKS = re.compile(r'[“„«”»".!?…]')


def split_sentences(text: str, start: int, end: int, lang: str | None) -> list[tuple[int, int]]:
    """Sentences of text[start:end] as absolute (start, end) spans."""
    out = []
    cursor = start
    depth = 0
    i = start
    while i < end:
        mark = _MARKS.search(text, i, end)   # only quotation marks and stops matter
        if mark is None:
            break
        i = mark.start()
        ch = text[i]
        if ch in "“„«":
            depth += 1
        elif ch in "”»":
            depth = max(0, depth - 1)
        elif ch == '"':
            depth = 0 if depth else 1
        if ch in ".!?…":
            j = i
            while j + 1 < end and text[j + 1] in ".!?…\"”»’'":
                if text[j + 1] in "”»":
                    depth = max(0, depth - 1)
                elif text[j + 1] == '"':
                    depth = 0
                j += 1
            nxt = j + 1
            boundary = nxt >= end or text[nxt].isspace()
            # a sentence may end inside a quotation: frames work on sentences, quotations on
            # paragraphs (frames/quotes.py)
            if boundary and not (ch == "." and _is_abbreviation(text, i, lang)):
                # The next sentence must start with a capital, a digit or a quotation mark.
                k = nxt
                while k < end and text[k].isspace():
                    k += 1
                if k >= end or text[k].isupper() or text[k].isdigit() or text[k] in "\"“„«‘(":
                    out.append((cursor, nxt))
                    cursor = k
                    i = k
                    continue
            i = nxt
            continue
        i += 1
    if cursor < end:
        out.append((cursor, end))
    return [(s, e) for s, e in out if text[s:e].strip()]
