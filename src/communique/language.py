"""Language segments: lingua per paragraph, short paragraphs inherit a neighbour's language,
consecutive paragraphs in one language merged into a Segment; the document's languages in order
of appearance, counting only those with a substantial share of its words.

The detector knows only the languages that have a data folder (resources.languages()).
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import resources
from .ingest.text import is_trailer
from .model import Document, Segment

# A paragraph with fewer words than this is too short to judge ("Source: …", "naar boven").
MIN_WORDS = 5
# A language counts for the document when it holds at least this many words, or this share.
MIN_LANGUAGE_WORDS = 20
MIN_LANGUAGE_SHARE = 0.10
# lingua reads a paragraph's first characters only (whole words): its answer settles within a few
# dozen words for these languages, and its cost grows with the length.
SAMPLE_CHARS = 240

_PARAGRAPH = re.compile(r"[^\n]+")
_WORD = re.compile(r"[^\W\d_]{2,}")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


@lru_cache(maxsize=1)
def detector():
    """One lingua detector per process (about 100 MB once its models are loaded)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = []
    for code in resources.languages():
        try:
            codes.append(getattr(IsoCode639_1, code.upper()))
        except AttributeError:
            continue  # a data folder for a language lingua does not know
    if len(codes) < 2:
        return None
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def words(text: str) -> list[str]:
    """The words of a paragraph, without URLs and numbers."""
    return _WORD.findall(_URL.sub(" ", text))


def detect(text: str) -> str | None:
    """The language of one paragraph (ISO 639-1), or None when it is too short to tell."""
    if len(words(text)) < MIN_WORDS:
        return None
    det = detector()
    if det is None:
        langs = resources.languages()
        return langs[0] if langs else None
    if len(text) > SAMPLE_CHARS:
        cut = text.rfind(" ", 0, SAMPLE_CHARS)
        text = text[:cut if cut > 0 else SAMPLE_CHARS]
    found = det.detect_language_of(text)
    return found.iso_code_639_1.name.lower() if found is not None else None


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line: releases use a line per paragraph."""
    return [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text) if m.group().strip()]


def segment(document: Document) -> Document:
    """Fill `segments` (covering the whole text) and `languages` (in order of appearance)."""
    text = document.text
    spans = paragraphs(text)
    labels = [detect(text[s:e]) for s, e in spans]
    _inherit(labels, [is_trailer(text[s:e]) for s, e in spans], document.declared_language)
    segments: list[Segment] = []
    counts: dict[str, int] = {}
    for (start, end), lang in zip(spans, labels):
        if lang is None:
            continue
        counts[lang] = counts.get(lang, 0) + len(words(text[start:end]))
        if segments and segments[-1].language == lang:
            segments[-1].end = end
        else:
            if segments:
                segments[-1].end = start  # a segment runs up to the next one
            segments.append(Segment(start=0 if not segments else start, end=end, language=lang))
    if segments:
        segments[-1].end = len(text)
    document.segments = segments
    total = sum(counts.values())
    document.languages = [
        seg.language for i, seg in enumerate(segments)
        if seg.language not in {s.language for s in segments[:i]}
        and (counts[seg.language] >= MIN_LANGUAGE_WORDS
             or (total and counts[seg.language] / total >= MIN_LANGUAGE_SHARE))
    ]
    if not document.languages and document.declared_language:
        document.languages = [document.declared_language]
    return document


def _inherit(labels: list[str | None], trailers: list[bool], declared: str | None) -> None:
    """Short paragraphs take a neighbour's language: a heading or marker ("ENGLISH TEXT") the
    next paragraph's, a trailer ("Source: …", "naar boven") or the tail the previous one's; a
    text with no paragraph long enough to judge takes the declared language."""
    judged = list(labels)
    following: list[str | None] = [None] * len(labels)
    nxt = None
    for i in range(len(labels) - 1, -1, -1):
        following[i] = nxt
        if judged[i] is not None:
            nxt = judged[i]
    previous = None
    for i, lang in enumerate(judged):
        if lang is not None:
            previous = lang
            continue
        if trailers[i] or following[i] is None:
            labels[i] = previous or following[i] or declared
        else:
            labels[i] = following[i]
