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
# The body's first lines that may carry the date on their own (after labels and bylines).
MAX_LEAD_LINES = 4
# A line of at most this many words without a full stop is a label, byline or date line.
MAX_BYLINE_WORDS = 15
# A dateline head before a dash ("Den Haag, 9 januari 2020 – …") has at most this many words.
MAX_DATELINE_WORDS = 10
# A dateline opens its sentence: at most this many words before the date ("On", "Le").
MAX_WORDS_BEFORE_DATE = 1

_TAG = re.compile(r"\s*\[[a-z]{2,3}(?:[-_][a-z]{2})?\]\s*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
_WORD = re.compile(r"\w+")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_SPACES = re.compile(r"\s{2,}")
_DATELINE_DASH = re.compile(r"\s[\u2013\u2014-]\s")


@dataclass(frozen=True)
class Conventions:
    skip_lines: frozenset[str]          # genre labels, translation markers, trailers (normalised)
    trailers: frozenset[str]            # boilerplate line labels ("Source: …"), normalised
    marker_re: re.Pattern | None        # a publication marker; group "rest" follows it
    marker_langs: dict[str, tuple[str, ...]]
    header_re: re.Pattern | None        # "date 2020-09 Title"
    today: dict[str, tuple[str, ...]]   # lower-cased "today" word -> its languages
    related: frozenset[str]             # headings of link lists ("Lees ook"), normalised


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
    related: set[str] = set()
    for lang in resources.languages():
        data = resources.lang_data(lang, "ingest")
        for kind in ("genre_labels", "translation_markers", "trailers"):
            skip.update(_key(w) for w in data.get(kind) or [])
        trailers.update(_key(w) for w in data.get("trailers") or [])
        related.update(_key(w) for w in data.get("related_headings") or [])
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
        related=frozenset(related),
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


def link_lists(text: str) -> list[tuple[int, int]]:
    """(start, end) of every list of links to other pages: a heading such as "Lees ook",
    "Related content" or "Voir aussi" and the lines that follow it up to a blank line, or one line
    "Liens connexes : A | B". What they name are titles of other releases, not facts of this one."""
    related = conventions().related
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    for offset, line in _lines(text):
        if open_at is not None:
            if line.strip():
                continue
            spans.append((open_at, offset))
            open_at = None
        key = _key(line)
        if key and key in related:
            open_at = offset
        elif ":" in line and _key(line.split(":", 1)[0]) in related:
            spans.append((offset, offset + len(line)))
    if open_at is not None:
        spans.append((open_at, len(text)))
    return spans


def lead_lines(text: str, start: int):
    """The non-empty lines at or after `start` that are not genre labels or trailers."""
    for _offset, line in _lines(text[start:]):
        if line.strip() and not is_boilerplate(line):
            yield line.strip()


def is_short_line(line: str) -> bool:
    """A label, byline or date line rather than a paragraph: short and without a full stop."""
    return len(_WORD.findall(line)) <= MAX_BYLINE_WORDS and not _SENTENCE_END.search(line)


def first_sentence(line: str) -> str:
    end = _SENTENCE_END.search(line)
    return line[: end.end()] if end else line


def read_dateline(text: str, body_start: int) -> str | None:
    """The date that heads the body: a line that is only a date ("February 4, 2019") or a short
    line with a full date ("Brussel, 03/12/2014") among the first lines, a dateline before a dash ("Den Haag, 9 januari 2020 – …"), or a first paragraph that opens with a full date ("On March 30, 2021, …",
    "Le 8 juin 2023, …") or with today + weekday + day + month ("Vandaag, maandag 28 juni, …":
    the year follows from the weekday, near the latest year the text states). A date further
    into the sentence is what the release reports, not when it was published."""
    for number, line in enumerate(lead_lines(text, body_start)):
        if number >= MAX_LEAD_LINES:
            break
        head = _DATELINE_DASH.split(line, maxsplit=1)[0]
        if head != line and len(_WORD.findall(head)) <= MAX_DATELINE_WORDS:
            # "March 18, 2019 – Ottawa – …", "Den Haag, 9 januari 2020 – Een deel …"
            value = _any_language(datebridge.full_date_in, head)
            if value:
                return value
        words = len(_WORD.findall(line))
        if words <= MAX_BYLINE_WORDS:
            value = _any_language(datebridge.whole_date, line)
            if value:
                return value
        if words <= MAX_DATELINE_WORDS and is_short_line(line):
            # a label or place with the date: "Nieuwsbericht | 08-12-2017", "Paris, le 11 juillet
            # 2017", "Communiqué de presse – 29 juin 2021"
            value = _any_language(datebridge.full_date_in, line)
            if value:
                return value
        if is_short_line(line):
            continue  # a label ("Media Note") or a byline
        return _opening_date(first_sentence(line), text)
    return None


def _opening_date(sentence: str, text: str) -> str | None:
    conv = conventions()
    lowered = sentence.casefold()
    for word, langs in conv.today.items():
        if lowered.startswith(word) and not lowered[len(word):len(word) + 1].isalpha():
            for lang in langs:
                value = datebridge.today_date(sentence, lang, text)
                if value:
                    return value
    return _any_language(datebridge.full_date_in, sentence,
                         max_words_before=MAX_WORDS_BEFORE_DATE)


def title_date(title: str) -> str | None:
    """A full date in the headline ("Point de presse du 12 février 2018"), the last resort."""
    return _any_language(datebridge.full_date_in, title)


def _any_language(read, text: str, **options) -> str | None:
    """The first date `read(text, lang)` finds, trying every language with data."""
    for lang in resources.languages():
        value = read(text, lang, **options)
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
    if published is None and doc.title:
        published = title_date(doc.title)
    doc.published = published
    return doc
