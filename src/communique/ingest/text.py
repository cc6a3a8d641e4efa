"""Conventions of real releases: the title line, a ` date 2020-09` header, "gepubliceerd op …"
markers and a lead dateline. The words come from data/lang/<xx>/ingest.yaml (all languages merged);
this module only knows the layout.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .. import resources
from ..model import Document
from . import datebridge

# A title is a headline, not a paragraph: longer than this many words it is body text.
MAX_TITLE_WORDS = 25
# How far after a publication marker its date may start (characters).
MARKER_REACH = 60

_TAG = re.compile(r"\s*\[[a-z]{2,3}(?:[-_][a-z]{2})?\]\s*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
_WORD = re.compile(r"\w+")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_SPACES = re.compile(r"\s{2,}")


@dataclass(frozen=True)
class Conventions:
    skip_lines: frozenset[str]          # genre labels, translation markers, trailers (normalised)
    trailers: frozenset[str]            # boilerplate line labels ("Source: …"), normalised
    marker_re: re.Pattern | None        # a publication marker; group "rest" follows it
    marker_langs: dict[str, tuple[str, ...]]
    header_re: re.Pattern | None        # "date 2020-09 Title"
    today: dict[str, tuple[str, ...]]   # lower-cased "today" word -> its languages


def _key(line: str) -> str:
    """A line as compared with the lists: case-blind, without surrounding punctuation."""
    return _EDGE_PUNCT.sub("", line).casefold()


def _alternation(words) -> str:
    # Longest first, so that "gepubliceerd op" wins over "gepubliceerd".
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def conventions() -> Conventions:
    skip: set[str] = set()
    trailers: set[str] = set()
    markers: dict[str, list[str]] = {}
    today: dict[str, list[str]] = {}
    headers: set[str] = set()
    for lang in resources.languages():
        data = resources.lang_data(lang, "ingest")
        for kind in ("genre_labels", "translation_markers", "trailers"):
            skip.update(_key(w) for w in data.get(kind) or [])
        trailers.update(_key(w) for w in data.get("trailers") or [])
        for word in data.get("published_markers") or []:
            markers.setdefault(word.casefold(), []).append(lang)
        for word in data.get("today") or []:
            today.setdefault(word.casefold(), []).append(lang)
        headers.update(w for w in data.get("date_headers") or [])
    marker_re = None
    if markers:
        marker_re = re.compile(
            rf"(?<!\w)(?P<marker>{_alternation(markers)})\s*:?\s*(?P<rest>[^\n]{{0,{MARKER_REACH}}})",
            re.IGNORECASE)
    header_re = None
    if headers:
        header_re = re.compile(
            rf"^[ \t]*(?:{_alternation(headers)})[ \t]*:?[ \t]+(?P<date>\d{{4}}(?:-\d{{2}}(?:-\d{{2}})?)?)"
            rf"\b[ \t]*(?P<rest>[^\n]*)", re.IGNORECASE)
    return Conventions(
        skip_lines=frozenset(skip),
        trailers=frozenset(trailers),
        marker_re=marker_re,
        marker_langs={k: tuple(v) for k, v in markers.items()},
        header_re=header_re,
        today={k: tuple(v) for k, v in today.items()},
    )


def strip_tags(line: str) -> str:
    """'Title [fr]' -> 'Title'."""
    return _SPACES.sub(" ", _TAG.sub(" ", line)).strip()


def is_boilerplate(line: str) -> bool:
    """A genre label, translation marker or trailer ("naar boven", "Source: …")."""
    conv = conventions()
    key = _key(line)
    if not key or key in conv.skip_lines:
        return True
    return ":" in line and _key(line.split(":", 1)[0]) in conv.trailers


def is_trailer(line: str) -> bool:
    """A line that closes what comes before it ("Source: …", "naar boven")."""
    trailers = conventions().trailers
    key = _key(line)
    return key in trailers or (":" in line and _key(line.split(":", 1)[0]) in trailers)


def is_paragraph(line: str) -> bool:
    """Body text rather than a headline: too long, or more than one sentence."""
    words = len(_WORD.findall(line))
    if words > MAX_TITLE_WORDS:
        return True
    return len(_SENTENCE_END.findall(line.rstrip())) >= 2


def _lines(text: str):
    """(start offset, line) for every line of text."""
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def read_header(text: str) -> tuple[str | None, str | None, int]:
    """A first line ' date 2020-09 Title' -> ('2020-09', 'Title' or None, end of that line)."""
    conv = conventions()
    if conv.header_re is None:
        return None, None, 0
    first = text.lstrip("\n")
    skipped = len(text) - len(first)
    match = conv.header_re.match(first)
    if not match:
        return None, None, 0
    rest = strip_tags(match.group("rest"))
    return match.group("date"), rest or None, skipped + match.end()


def read_title(text: str, start: int = 0) -> tuple[str | None, int]:
    """The first non-empty line from `start` that is not a genre label, without tags; and the
    offset where the body begins. A first line that is a paragraph is body text: no title."""
    for offset, line in _lines(text[start:]):
        if not line.strip():
            continue
        if is_boilerplate(line) or is_boilerplate(strip_tags(line)):
            continue
        if read_marker_date(line) and len(_WORD.findall(line)) <= 8:
            continue
        title = strip_tags(line)
        if not title or is_paragraph(title):
            return None, start + offset
        return title, start + offset + len(line)
    return None, len(text)


def read_marker_date(text: str) -> str | None:
    """The date after a publication marker ("gepubliceerd op 27/06/2019" -> '2019-06-27')."""
    conv = conventions()
    if conv.marker_re is None:
        return None
    for match in conv.marker_re.finditer(text):
        langs = conv.marker_langs.get(match.group("marker").casefold(), ())
        for lang in langs:
            value = datebridge.date_at_start(match.group("rest"), lang)
            if value:
                return value
    return None


def first_sentence(text: str, start: int) -> str:
    """The first sentence of the first body paragraph at or after `start`."""
    for _offset, line in _lines(text[start:]):
        if not line.strip() or is_boilerplate(line):
            continue
        end = _SENTENCE_END.search(line)
        return line[: end.end()] if end else line
    return ""


def read_dateline(text: str, body_start: int) -> str | None:
    """A lead sentence that dates the release: "On March 30, 2021, …" (a full date with a year) or
    "Vandaag, maandag 28 juni, …" (today + weekday + day + month: the year follows from the
    weekday, near the latest year the text mentions)."""
    sentence = first_sentence(text, body_start)
    if not sentence:
        return None
    conv = conventions()
    head = _key(sentence.split(",", 1)[0].split(" ", 1)[0]) if sentence else ""
    today_langs = conv.today.get(head, ())
    if not today_langs:
        # multi-word "today" phrases ("This morning")
        lowered = sentence.casefold()
        for word, langs in conv.today.items():
            if lowered.startswith(word):
                today_langs = langs
                break
    for lang in today_langs:
        value = datebridge.today_date(sentence, lang, text)
        if value:
            return value
    for lang in resources.languages():
        value = datebridge.full_date_in(sentence, lang)
        if value:
            return value
    return None


def apply_conventions(doc: Document) -> Document:
    """Fill `title` and `published` from the text where the source did not give them."""
    text = doc.text
    header_date, header_title, after_header = read_header(text)
    published = doc.published or header_date
    if header_date:
        title, body_start = header_title, after_header
        if title is None:
            title, body_start = read_title(text, after_header)
    else:
        title, body_start = read_title(text)
    if doc.title is None:
        doc.title = title
    if published is None:
        published = read_marker_date(text)
    if published is None:
        published = read_dateline(text, body_start)
    doc.published = published
    return doc
