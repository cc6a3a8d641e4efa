"""The few date readings ingestion needs, delegated to `communique.extract.dates` when it exists.

Until that module is present, a fallback reads only numeric dates (27/06/2019, 2019-06-27): no
month names, no language knowledge in Python.
"""
from __future__ import annotations

import importlib
import re
from datetime import date
from functools import lru_cache

_NUMERIC = re.compile(
    r"(?P<iso>(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2}))"
    r"|(?P<dmy>(?P<d2>\d{1,2})[/.\-](?P<m2>\d{1,2})[/.\-](?P<y2>\d{4}))")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_WORDS = re.compile(r"\w+")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@lru_cache(maxsize=1)
def _dates():
    """The values engineer's date module, or None while it does not exist."""
    try:
        module = importlib.import_module("communique.extract.dates")
    except ImportError:
        return None
    return module if hasattr(module, "find_dates") else None


def _numeric(text: str, *, anchored: bool) -> str | None:
    match = _NUMERIC.match(text) if anchored else _NUMERIC.search(text)
    if not match:
        return None
    if match.group("iso"):
        y, m, d = match.group("y", "m", "d")
    else:
        y, m, d = match.group("y2", "m2", "d2")
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def _mentions(text: str, lang: str, reference: str | None = None) -> list:
    dates = _dates()
    if dates is None:
        return []
    try:
        return list(dates.find_dates(text, lang, reference))
    except Exception:  # noqa: BLE001 - a date reader bug must not stop ingestion
        return []


def _is_day(value) -> bool:
    return isinstance(value, str) and _ISO_DAY.fullmatch(value) is not None


def _is_month(value) -> bool:
    return isinstance(value, str) and len(value) == 7


def date_at_start(text: str, lang: str) -> str | None:
    """A date at the very start of `text` (what follows a publication marker): a full date, or a
    month ("Mise à jour : janvier 2024"), never a bare year."""
    for mention in _mentions(text, lang):
        value = getattr(mention, "value", None)
        if getattr(mention, "start", 0) <= 2 and (_is_day(value) or _is_month(value)):
            return value
        break
    return _numeric(text.lstrip(), anchored=True)


def full_date_in(sentence: str, lang: str, *, max_words_before: int | None = None) -> str | None:
    """The first full date (day, month and year) in a sentence; with `max_words_before`, only
    one that opens the sentence."""
    for mention in _mentions(sentence, lang):
        if max_words_before is not None and len(
                _WORDS.findall(sentence[:mention.start])) > max_words_before:
            return None
        if _is_day(getattr(mention, "value", None)):
            return mention.value
    value = _numeric(sentence, anchored=False)
    if value and max_words_before is not None:
        match = _NUMERIC.search(sentence)
        if len(_WORDS.findall(sentence[:match.start()])) > max_words_before:
            return None
    return value


def whole_date(line: str, lang: str) -> str | None:
    """A line that is nothing but a full date ("February 4, 2019", "Dec. 9, 2021", "27/06/2019")."""
    dates = _dates()
    if dates is not None and hasattr(dates, "parse_date"):
        try:
            mention = dates.parse_date(line, lang)
        except Exception:  # noqa: BLE001 - a date reader bug must not stop ingestion
            mention = None
        if mention is not None and _is_day(getattr(mention, "value", None)):
            return mention.value
    stripped = line.strip().strip(".,;:()[]")
    match = _NUMERIC.fullmatch(stripped)
    return _numeric(stripped, anchored=True) if match else None


def latest_year(text: str, lang: str) -> int | None:
    """The latest year the text states as a date (any date with a year), else any 4-digit year."""
    years = [int(m.value[:4]) for m in _mentions(text, lang) if getattr(m, "value", None)]
    if not years:
        years = [int(y) for y in _YEAR.findall(text)]
    return max(years) if years else None


def today_date(sentence: str, lang: str, text: str) -> str | None:
    """"Vandaag, maandag 28 juni" -> the date whose weekday fits, near the latest year the text
    states (the date module resolves a day and month against that year, using the weekday)."""
    near = latest_year(text, lang)
    reference = str(near) if near is not None else None
    for mention in _mentions(sentence, lang, reference):
        if _is_day(getattr(mention, "value", None)):
            return mention.value
    return _numeric(sentence, anchored=False)
