"""Numbers in text -> values with spans, approximation and qualifier.

Why by hand: quantulum3 and number-parser read English only (quantulum3 takes "110.000" for
110.0). So digits are read by a small language-neutral grammar whose separators, scale words,
approximating nouns ("dertigtal", "trentaine") and qualifiers ("zo'n", "some", "plus de") are data
(data/lang/<xx>/numbers.yaml, schema: docs/DATA-values.md); number words go through text2num.

Choices (tested in tests/test_numbers.py):
- A number glued to letters or to a hyphen after a letter is not a quantity ("F-16", "G7", "1er").
- A single separator followed by exactly three digits groups thousands in every language
  ("110.000", "110,000"); otherwise the separator is a decimal mark ("1,5 miljoen", "2.5 million").
- The indefinite article ("een", "a", "one", "un") is 1 only inside a longer number or before a
  scale ("een miljoen"); plurals such as "tientallen", "dozens", "des dizaines" are not numbers.
- `find_numbers` leaves out numbers inside the date expressions that `find_dates` finds (years,
  day numbers) unless `exclude` is given: then exactly the spans in `exclude` are left out
  (pass `()` to keep every number).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from text_to_num import text2num

from ..errors import DataError
from ..resources import data_word, lang_data
from .caseless import finditer, lower_pattern, lowered
from .dates import alternation, find_dates


@dataclass(frozen=True)
class NumberMention:
    start: int
    end: int
    text: str
    value: float
    approximate: bool
    qualifier: str | None = None


@dataclass(frozen=True)
class _Raw:
    start: int          # the qualifier's start when there is one
    num_start: int      # where the number itself starts
    end: int
    value: float
    approximate: bool
    qualifier: str | None



def _fold(word) -> str:
    return data_word(word, "numbers.yaml")


@dataclass(frozen=True)
class _Grammar:
    digits: re.Pattern
    nouns: re.Pattern
    noun_starts: re.Pattern   # what a match of `nouns` begins with, in lower-cased text
    qualifier_before: re.Pattern
    qualifier_tails: tuple    # the last word of every qualifier, lower-cased
    word_token: re.Pattern
    scales: dict
    glued: dict
    approx: dict
    qualifiers: dict
    articles: frozenset
    not_numbers: frozenset
    connectors: frozenset


def _number_map(data: dict, key: str) -> dict:
    table = data.get(key) or {}
    if not isinstance(table, dict):
        raise DataError(f"numbers.yaml: `{key}` must be a mapping of word to number")
    return {_fold(k): float(v) for k, v in table.items()}


@lru_cache(maxsize=None)
def _grammar(lang: str) -> _Grammar:
    data = lang_data(lang, "numbers")
    spaces = "".join(re.escape(s) for s in data.get("thousands_separators") or [] if s.isspace())
    marks = "".join(re.escape(s) for s in {*(data.get("thousands_separators") or []),
                                           *(data.get("decimal_separators") or []), ".", ","}
                    if not s.isspace())
    scales, glued, approx = (_number_map(data, k) for k in ("scales", "glued_scales", "approx_nouns"))
    space_grouped = rf"\d{{1,3}}(?:[{spaces}]\d{{3}}(?!\d))+(?:[{marks}]\d+)?|" if spaces else ""
    glued_alt = alternation(glued).replace(r"(?<!\w)", "")
    digits = (rf"(?<!\d)(?P<num>{space_grouped}\d+(?:[{marks}]\d+)*)"
              rf"(?:(?P<glued>{glued_alt})(?!\w))?"
              rf"(?:\s+(?P<scale>{alternation(scales)}))?")
    follow = data.get("approx_noun_follow") or ""
    articles = [_fold(a) for a in data.get("article_words") or []]
    nouns = (rf"(?:(?P<art>{alternation(articles)})\s+)?(?P<noun>{alternation(approx)})"
             + (f"(?={follow})" if follow else ""))
    qualifiers = {_fold(p): kind for kind, ps in (data.get("qualifiers") or {}).items() for p in ps}
    return _Grammar(
        digits=re.compile(digits, re.IGNORECASE),
        nouns=re.compile(nouns, re.IGNORECASE),
        noun_starts=re.compile(lower_pattern(alternation([*articles, *approx], head=False))),
        qualifier_before=re.compile(rf"(?P<q>{alternation(qualifiers)})\s*$", re.IGNORECASE),
        qualifier_tails=tuple({t for q in qualifiers for t in (q.split()[-1], q.split()[-1].replace("'", "’"))}),
        word_token=re.compile(r"[^\W\d_]+(?:[-‐][^\W\d_]+)*"),
        scales=scales, glued=glued, approx=approx, qualifiers=qualifiers,
        articles=frozenset(articles),
        not_numbers=frozenset(_fold(w) for w in data.get("not_numbers") or []),
        connectors=frozenset(_fold(w) for w in data.get("word_connectors") or []),
    )


def read_digits(token: str) -> float | None:
    """'110.000' / '110 000' / '110,000' -> 110000; '1,5' / '2.5' -> 1.5 / 2.5; None if unclear."""
    token = re.sub(r"\s", " ", token)
    seps = re.findall(r"[^\d]", token)
    if not seps:
        return float(token)
    groups = re.split(r"[^\d]", token)
    if len(set(seps)) == 1:
        if all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3 and groups[0] != "0":
            return float("".join(groups))
        if len(seps) == 1 and seps[0] != " ":
            return float(f"{groups[0]}.{groups[1]}")
        return None
    if len(set(seps)) == 2 and seps[-1] not in seps[:-1] and seps[-1] != " ":
        head = groups[:-1]
        if all(len(g) == 3 for g in head[1:]) and 1 <= len(head[0]) <= 3:
            return float("".join(head) + "." + groups[-1])
    return None


def _glued(text: str, start: int, end: int) -> bool:
    """True when the number at text[start:end] is part of a word or code ("F-16", "G7", "1er")."""
    before = text[start - 1] if start > 0 else ""
    before2 = text[start - 2] if start > 1 else ""
    after = text[end] if end < len(text) else ""
    after2 = text[end + 1] if end + 1 < len(text) else ""
    if before.isalnum() or before == "_" or after.isalpha() or after == "_":
        return True
    if before in "-‐‑/:" and before2.isalnum():
        return True
    if after in "-‐‑/:" and after2.isalnum():
        return True
    return False


@lru_cache(maxsize=65536)
def _word_value(word: str, lang: str) -> float | None:
    try:
        return float(text2num(word, lang))
    except (ValueError, KeyError, IndexError, TypeError, NotImplementedError):
        return None


_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=65536)
def _is_number_word(word: str, lang: str) -> bool:
    g = _grammar(lang)
    return word not in g.not_numbers and (word in g.articles or _word_value(word, lang) is not None)


@lru_cache(maxsize=4)  # money and quantities both read the same text
def _words(text: str, lang: str) -> tuple[_Raw, ...]:
    """Runs of number words ("vijfendertig", "achttien miljoen", "twenty-one", "vingt et un"):
    tokens separated by spaces only, each a number word, or a connector inside a run."""
    g = _grammar(lang)
    # tokens of the text are single words: lower case is all their folding
    low = lowered(text)
    tokens = ((m.start(), m.end(), m.group()) for m in g.word_token.finditer(low)) if low is not None \
        else ((m.start(), m.end(), m.group().lower()) for m in g.word_token.finditer(text))
    out: list[_Raw] = []
    run: list[tuple[int, int, str]] = []
    for tok in tokens:
        s, _, w = tok
        if run and text[run[-1][1]:s].strip():
            out.extend(_read_run(run, lang, g))
            run = []
        if _is_number_word(w, lang) or (run and w in g.connectors):
            run.append(tok)
        elif run:
            out.extend(_read_run(run, lang, g))
            run = []
    if run:
        out.extend(_read_run(run, lang, g))
    return tuple(out)


def _read_run(run, lang: str, g: _Grammar) -> list[_Raw]:
    """Greedy longest readings of a run of number-word tokens."""
    found: list[_Raw] = []
    k = 0
    while k < len(run):
        for end in range(len(run), k, -1):
            part = run[k:end]
            words = [w for _, _, w in part]
            if words[-1] in g.connectors or words[0] in g.connectors:
                continue
            value = _word_value(" ".join(words), lang)
            if value is None and len(words) == 2 and words[0] in g.articles and words[1] in g.scales:
                value = g.scales[words[1]]
            if value is None:
                continue
            alone = len(words) == 1
            if alone and (words[0] in g.articles or words[0] in g.scales):
                continue            # "een" and a bare "miljoen" are not quantities
            found.append(_Raw(part[0][0], part[0][0], part[-1][1], value, False, None))
            k = end
            break
        else:
            k += 1
    return found


def _scan(text: str, lang: str, glued_scales: bool = False) -> list[_Raw]:
    """Every number (digits, words, approximating nouns) with qualifiers, before date filtering."""
    g = _grammar(lang)
    raws: list[_Raw] = []
    for m in finditer(g.digits, _DIGIT, text):
        if m.group("glued") and not glued_scales:
            continue                      # "670m" is a distance, unless money says otherwise
        value = read_digits(m.group("num"))
        if value is None or _glued(text, m.start(), m.end()):
            continue
        if m.group("glued"):
            value *= g.glued[_fold(m.group("glued"))]
        if m.group("scale"):
            value *= g.scales[_fold(m.group("scale"))]
        raws.append(_Raw(m.start(), m.start(), m.end(), value, False, None))
    taken = [(r.start, r.end) for r in raws]
    for r in _words(text, lang):
        if not any(s < r.end and r.start < e for s, e in taken):
            raws.append(r)
    for m in finditer(g.nouns, g.noun_starts, text):
        value = g.approx[_fold(m.group("noun"))]
        prev = [r for r in raws if r.end <= m.start("noun") and not text[r.end:m.start("noun")].strip()]
        start = m.start()
        if prev and not m.group("art"):          # "twee dozijn", "two dozen"
            raws.remove(prev[-1])
            value *= prev[-1].value
            start = prev[-1].start
        raws.append(_Raw(start, start, m.end(), value, True, "about"))
    raws.sort(key=lambda r: (r.start, -r.end))
    return [_qualify(text, r, g) for r in _drop_overlaps(raws)]


def _drop_overlaps(raws: list[_Raw]) -> list[_Raw]:
    kept: list[_Raw] = []
    for r in raws:
        if kept and r.start < kept[-1].end:
            continue
        kept.append(r)
    return kept


def _qualify(text: str, r: _Raw, g: _Grammar) -> _Raw:
    m = _qualifier(text, r.start, g)
    if not m:
        return r
    kind = g.qualifiers[_fold(m.group("q"))]
    return _Raw(m.start(), r.num_start, r.end, r.value, True, kind)


def _qualifier(text: str, pos: int, g: _Grammar) -> re.Match | None:
    """The qualifier ending right before `pos` (spaces between), tried only when the text there
    ends with the last word of one."""
    j = pos
    while j > 0 and text[j - 1].isspace():
        j -= 1
    low = lowered(text)
    if low is not None and not low.endswith(g.qualifier_tails, max(0, j - 40), j):
        return None
    return g.qualifier_before.search(text, max(0, pos - 40), pos)


def qualifier_before(text: str, pos: int, lang: str) -> tuple[int, str] | None:
    """(start, kind) of a qualifier ("more than", "plus de") ending right before `pos`."""
    g = _grammar(lang)
    m = _qualifier(text, pos, g)
    return (m.start(), g.qualifiers[_fold(m.group("q"))]) if m else None


def find_numbers(text: str, lang: str, offset: int = 0, *,
                 exclude: Iterable[tuple[int, int]] | None = None) -> list[NumberMention]:
    """Every quantity in `text`, in order. Numbers inside dates are left out (see module doc);
    `exclude` spans are in the same coordinates as the result (i.e. including `offset`)."""
    if exclude is None:
        spans = [(d.start, d.end) for d in find_dates(text, lang)]
    else:
        spans = [(s - offset, e - offset) for s, e in exclude]
    out = []
    for r in _scan(text, lang):
        if any(s < r.end and r.num_start < e for s, e in spans):
            continue
        out.append(NumberMention(r.start + offset, r.end + offset, text[r.start:r.end],
                                 r.value, r.approximate, r.qualifier))
    return out


def parse_number(text: str, lang: str) -> float | None:
    """`text` read as one number ("110.000", "1,5 miljoen", "vijfendertig"), else None."""
    stripped = text.strip()
    found = _scan(stripped, lang)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(stripped):
        return found[0].value
    return None
