"""Date expressions -> partial ISO dates with precision, role and resolution against a reference.

Why a grammar of our own and not dateparser: on this genre dateparser breaks on mixed-language
text (Dutch months missed, "fr" read as Friday, "may depend" as May), turns "Vandaag de dag" into
a day, loses range words ("vanaf oktober 2020") and ignores seasons (see shared notes,
dependencies.md). So this module is a small grammar whose words are data: month and weekday names
from CLDR (Babel), the rest from data/lang/<xx>/dates.yaml (schema: docs/DATA-values.md).
The regex is built once per language (lru_cache) and never per call.

Rules worth knowing (tested in tests/test_dates.py):
- Numeric dates are day first (27/06/2019 -> 2019-06-27) unless only month-first is possible.
- A month name on its own ("in januari") or a year on its own ("in 2014", "the 2016 attacks")
  counts only after a cue word (data `cues`), a role word or a modifier, so "may depend" and
  "2000 militairen" are not dates.
- A day or month without a year resolves to its occurrence nearest the reference; after a
  future-looking word (data `future_cues`, e.g. "stopt in januari") to the next occurrence at or
  after the reference month. A weekday with day and month picks the year via `infer_year`.
- Relative expressions are intervals computed for the earliest and latest possible reference day;
  the value is as precise as that interval allows, capped by the expression ("vorige week" is at
  most a month, "vandaag de dag" a year). Without a reference the value is None.
- The span of a mention includes its role word ("vanaf oktober 2020") and modifiers
  ("afgelopen februari"), not plain prepositions ("op", "in").
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from babel.dates import get_day_names, get_month_names

from ..resources import data_word, lang_data
from .caseless import finditer, lower_pattern

_YEAR = r"(?:19|20)\d\d(?![\d]|[.,]\d)"
_PRECISIONS = ("day", "month", "year")


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    value: str | None
    precision: str
    role: str
    relative: bool


# ---------------------------------------------------------------- grammar (built once per lang)

def phrase_pattern(phrase: str, head: bool = True) -> str:
    """A data phrase as a regex: any run of spaces matches any whitespace, ' matches ’ too,
    and word boundaries hold at word-character ends (at the start only with `head`)."""
    body = r"\s+".join(
        "".join("['’]" if ch in "'’" else re.escape(ch) for ch in part) for part in phrase.split()
    )
    head = r"(?<!\w)" if head and phrase[:1].isalnum() else ""
    tail = r"(?!\w)" if phrase[-1:].isalnum() else ""
    return head + body + tail


def alternation(phrases, head: bool = True) -> str:
    items = sorted({p for p in phrases if p}, key=lambda p: (-len(p), p))
    if not items:
        return r"(?!x)x"
    return "(?:" + "|".join(phrase_pattern(p, head) for p in items) + ")"



def _fold(word) -> str:
    return data_word(word, "dates.yaml")


@dataclass(frozen=True)
class _Grammar:
    regex: re.Pattern
    starts: re.Pattern    # where a match of `regex` can start, in lower-cased text (no edges)
    months: dict          # folded name -> month number
    full_months: frozenset
    weekdays: dict        # folded name -> 0 (Monday) .. 6
    roles: dict           # folded phrase -> role
    relative: dict        # folded phrase -> (unit, shift)
    past: frozenset
    next: frozenset
    cues: frozenset
    future_cues: frozenset
    month_first_numeric: bool


@lru_cache(maxsize=None)
def _grammar(lang: str) -> _Grammar:
    data = lang_data(lang, "dates")
    months: dict[str, int] = {}
    full: set[str] = set()
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for num, name in get_month_names(width, context=context, locale=lang).items():
                months[_fold(name)] = num
                if width == "wide":
                    full.add(_fold(name))
    for num, names in (data.get("months_extra") or {}).items():
        for name in names:
            months[_fold(name)] = int(num)
            if len(name) >= 4 and not name.endswith("."):
                full.add(_fold(name))
    weekdays = {_fold(n): d for d, n in get_day_names("wide", locale=lang).items()}
    for num, names in (data.get("weekdays_extra") or {}).items():
        weekdays.update({_fold(n): int(num) for n in names})
    roles = {_fold(p): role for role, ps in (data.get("roles") or {}).items() for p in ps}
    relative = {_fold(r["phrase"]): (r["unit"], int(r["shift"])) for r in data.get("relative") or []}
    mods = data.get("modifiers") or {}
    past, nxt = mods.get("past") or {}, mods.get("next") or {}
    before = alternation([*past.get("before", []), *nxt.get("before", [])])
    after = alternation([*past.get("after", []), *nxt.get("after", [])])

    month = alternation(months)
    month_full = alternation(full)
    weekday = alternation(weekdays)
    suffix = "(?:" + alternation(data.get("ordinal_suffixes") or []).replace(r"(?<!\w)", "") + ")?"
    conn = alternation(data.get("day_month_connectors") or [])
    season = alternation(data.get("seasons") or [])
    sconn = alternation(data.get("season_connectors") or [])
    day = r"(?<!\d)(?P<{0}>[0-3]?\d)" + suffix
    alts = [
        r"(?P<iso>(?<!\d)(?P<iso_y>(?:19|20)\d\d)-(?P<iso_m>[01]\d)(?:-(?P<iso_d>[0-3]\d))?(?![\d]|-\d))",
        r"(?P<num>(?<![\d/.])(?P<n_a>\d{1,2})(?P<n_s>[/.\-])(?P<n_b>\d{1,2})(?P=n_s)"
        r"(?P<n_y>\d{4}|\d{2})(?![\d/]|\.\d))",
        rf"(?P<dmy>(?:(?P<a_wd>{weekday}),?\s+)?" + day.format("a_d")
        + rf"\s+(?:{conn}\s+)?(?P<a_m>{month})(?:,?\s+(?P<a_y>{_YEAR}))?)",
    ]
    if data.get("month_first"):
        alts.append(rf"(?P<mdy>(?:(?P<b_wd>{weekday}),?\s+)?(?P<b_m>{month})\s+" + day.format("b_d")
                    + rf"(?!\d)(?:,?\s+(?P<b_y>{_YEAR}))?)")
    alts += [
        rf"(?P<season>{season}(?:\s+{sconn})?\s+(?P<s_y>{_YEAR}))",
        rf"(?P<my>(?P<c_m>{month}),?\s+(?P<c_y>{_YEAR}))",
        rf"(?P<yr>(?<![\d.,])(?P<r_a>{_YEAR})\s*[-–]\s*(?P<r_b>{_YEAR}))",
        rf"(?P<rel>{alternation(relative)})",
        rf"(?P<bm>(?:(?P<e_pre>{before})\s+)?(?P<e_m>{month_full})(?:\s+(?P<e_post>{after}))?)",
        rf"(?P<wd>(?:(?P<w_pre>{before})\s+)?(?P<w_wd>{weekday})(?:\s+(?P<w_post>{after}))?)",
        rf"(?P<year>(?<![\d.,])(?P<y_y>{_YEAR}))",
    ]
    role = alternation(roles)
    # every branch of the master starts with a digit or one of these words
    openers = [*roles, *months, *weekdays, *relative, *(data.get("seasons") or []),
               *past.get("before", []), *nxt.get("before", [])]
    starts = re.compile(r"\d|" + lower_pattern(alternation(openers, head=False)))
    master = rf"(?<!\w)(?:(?P<role>{role})(?:\s+|(?<=['’])))?(?:" + "|".join(alts) + ")"
    return _Grammar(
        regex=re.compile(master, re.IGNORECASE), starts=starts,
        months=months, full_months=frozenset(full), weekdays=weekdays, roles=roles,
        relative=relative,
        past=frozenset(_fold(w) for w in [*past.get("before", []), *past.get("after", [])]),
        next=frozenset(_fold(w) for w in [*nxt.get("before", []), *nxt.get("after", [])]),
        cues=frozenset(_fold(w) for w in data.get("cues") or []),
        future_cues=frozenset(_fold(w) for w in data.get("future_cues") or []),
        month_first_numeric=data.get("numeric_order", "dmy") == "mdy",
    )


# ---------------------------------------------------------------- reference and intervals

def _parse_reference(reference: str | None) -> tuple[date, date] | None:
    """'2021-06-28' / '2020-09' / '2020' -> the first and last day it may be; None if unusable."""
    if not reference:
        return None
    m = re.match(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", reference)
    if not m:
        return None
    try:
        y = int(m.group(1))
        if m.group(3):
            d = date(y, int(m.group(2)), int(m.group(3)))
            return d, d
        if m.group(2):
            mo = int(m.group(2))
            return date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1])
        return date(y, 1, 1), date(y, 12, 31)
    except ValueError:
        return None


def _month_span(y: int, m: int) -> tuple[date, date]:
    return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])


def _add_months(d: date, k: int) -> tuple[int, int]:
    idx = d.year * 12 + d.month - 1 + k
    return idx // 12, idx % 12 + 1


def _value(a: date, b: date, cap: str) -> tuple[str | None, str]:
    """The most precise partial ISO date that covers [a, b], no finer than `cap`."""
    if a == b and cap == "day":
        return a.isoformat(), "day"
    if (a.year, a.month) == (b.year, b.month) and cap in ("day", "month"):
        return f"{a.year:04d}-{a.month:02d}", "month"
    if a.year == b.year:
        return f"{a.year:04d}", "year"
    return None, cap


def _relative_interval(d: date, unit: str, shift: int) -> tuple[date, date]:
    if unit == "day":
        x = d + timedelta(days=shift)
        return x, x
    if unit == "week":
        monday = d - timedelta(days=d.weekday()) + timedelta(weeks=shift)
        return monday, monday + timedelta(days=6)
    if unit == "month":
        return _month_span(*_add_months(d, shift))
    return date(d.year + shift, 1, 1), date(d.year + shift, 12, 31)


def _over_reference(ref, fn, cap: str) -> tuple[str | None, str]:
    """Apply a monotone day -> interval function at both ends of the reference."""
    try:
        a, _ = fn(ref[0])
        _, b = fn(ref[1])
    except (ValueError, OverflowError):
        return None, cap
    return _value(a, b, cap)


def _nearest(ref, candidates, future: bool) -> tuple[date, date] | None:
    """The candidate interval nearest the reference; with `future`, the first not before it."""
    lo, hi = ref
    best, best_key = None, None
    for a, b in candidates:
        if future:
            if b < lo:
                continue
            key = (max((a - hi).days, 0), 0)
        else:
            gap = 0 if (a <= hi and b >= lo) else min(abs((a - hi).days), abs((lo - b).days))
            key = (gap, -a.toordinal())          # ties: the later one
        if best_key is None or key < best_key:
            best, best_key = (a, b), key
    return best


def infer_year(day: int, month: int, weekday: int, near_year: int | None) -> int | None:
    """The year in which day/month falls on `weekday` (0 = Monday), nearest `near_year`
    (at equal distance the later year); None without `near_year` or when none is within 28 years."""
    if near_year is None:
        return None
    for k in range(0, 29):
        for y in ((near_year,) if k == 0 else (near_year + k, near_year - k)):
            try:
                if date(y, month, day).weekday() == weekday:
                    return y
            except ValueError:
                continue
    return None


# ---------------------------------------------------------------- context checks

_PREV_TOKEN = re.compile(r"([\w'’\-]+|\()\s*$")
_SENTENCE_END = re.compile(r"[.!?;:\n]")


def _previous_token(text: str, start: int) -> str:
    m = _PREV_TOKEN.search(text, max(0, start - 40), start)
    return _fold(m.group(1)) if m else ""


def _after_future_cue(text: str, start: int, g: _Grammar) -> bool:
    """A future word among the last words of the clause before the date ("will take place in
    Berlin in September")."""
    window = text[max(0, start - 80):start]
    stop = None
    for stop in _SENTENCE_END.finditer(window):
        pass
    if stop:
        window = window[stop.end():]
    words = [_fold(w) for w in re.findall(r"[\w'’]+", window)][-8:]
    return any(w in g.future_cues for w in words)


def _cued(text: str, start: int, g: _Grammar) -> bool:
    tok = _previous_token(text, start)
    return tok in g.cues or tok in g.roles or tok in g.past or tok in g.next


# ---------------------------------------------------------------- resolution

def _day_month(ref, d: int, m: int, wd: int | None, future: bool):
    """A day and month without a year -> (value, precision)."""
    if ref is None:
        return None, "day"
    if wd is not None:
        y = infer_year(d, m, wd, ref[0].year)
        if y is not None and abs(y - ref[0].year) <= 1:
            return date(y, m, d).isoformat(), "day"
    cands = []
    for y in range(ref[0].year - 1, ref[1].year + 2):
        try:
            x = date(y, m, d)
        except ValueError:
            continue
        cands.append((x, x))
    best = _nearest(ref, cands, future)
    return (best[0].isoformat(), "day") if best else (None, "day")


def _month_only(ref, m: int, mode: str | None, future: bool):
    if ref is None:
        return None, "month"
    if mode == "past":      # the last such month before the reference month
        fn = lambda x: _month_span(x.year if m < x.month else x.year - 1, m)  # noqa: E731
        return _over_reference(ref, fn, "month")
    if mode == "next":
        fn = lambda x: _month_span(x.year if m > x.month else x.year + 1, m)  # noqa: E731
        return _over_reference(ref, fn, "month")
    cands = [_month_span(y, m) for y in range(ref[0].year - 1, ref[1].year + 2)]
    best = _nearest(ref, cands, future)
    return (f"{best[0].year:04d}-{m:02d}", "month") if best else (None, "month")


def _weekday_only(ref, wd: int, mode: str | None):
    if ref is None:
        return None, "day"
    if mode == "next":
        fn = lambda x: (x + timedelta(days=(wd - x.weekday() - 1) % 7 + 1),) * 2  # noqa: E731
    elif mode == "past":
        fn = lambda x: (x - timedelta(days=(x.weekday() - wd - 1) % 7 + 1),) * 2  # noqa: E731
    else:                   # news reports: the most recent such day, today included
        fn = lambda x: (x - timedelta(days=(x.weekday() - wd) % 7),) * 2  # noqa: E731
    return _over_reference(ref, fn, "day")


def _safe_date(y: int, m: int, d: int | None) -> bool:
    try:
        date(y, m, d or 1)
        return True
    except ValueError:
        return False


def _day_fits(d: int, m: int) -> bool:
    return 1 <= m <= 12 and 1 <= d <= (29 if m == 2 else calendar.monthrange(2001, m)[1])


def _interpret(mt: re.Match, text: str, g: _Grammar, ref, cue_ok: bool):
    """One regex match -> [(start, end, value, precision, relative)] (empty when rejected)."""
    s, e = mt.start(), mt.end()
    fold = lambda k: _fold(mt.group(k))  # noqa: E731
    future = _after_future_cue(text, s, g)
    if mt.group("iso"):
        y, m, d = int(mt.group("iso_y")), int(mt.group("iso_m")), mt.group("iso_d")
        if not _safe_date(y, m, int(d) if d else None):
            return []
        return [(s, e, f"{y:04d}-{m:02d}" + (f"-{int(d):02d}" if d else ""), "day" if d else "month", False)]
    if mt.group("num"):
        a, b, y = int(mt.group("n_a")), int(mt.group("n_b")), mt.group("n_y")
        if mt.group("n_s") == "-" and len(y) == 2:
            return []
        yy = int(y) if len(y) == 4 else 2000 + int(y) if int(y) < 70 else 1900 + int(y)
        d, m = (b, a) if (g.month_first_numeric and a <= 12) or b > 12 else (a, b)
        if not _safe_date(yy, m, d):
            return []
        return [(s, e, date(yy, m, d).isoformat(), "day", False)]
    for key in ("dmy", "mdy"):
        if key in mt.re.groupindex and mt.group(key):
            p = "a" if key == "dmy" else "b"
            d, m = int(mt.group(f"{p}_d")), g.months[fold(f"{p}_m")]
            y = mt.group(f"{p}_y")
            wd = g.weekdays[fold(f"{p}_wd")] if mt.group(f"{p}_wd") else None
            if y:
                if not _safe_date(int(y), m, d):
                    return []
                return [(s, e, date(int(y), m, d).isoformat(), "day", False)]
            if not _day_fits(d, m):
                return []
            value, prec = _day_month(ref, d, m, wd, future)
            return [(s, e, value, prec, True)]
    if mt.group("season"):
        return [(s, e, mt.group("s_y"), "year", False)]
    if mt.group("my"):
        return [(s, e, f"{mt.group('c_y')}-{g.months[fold('c_m')]:02d}", "month", False)]
    if mt.group("yr"):
        a, b = mt.group("r_a"), mt.group("r_b")
        if int(b) < int(a):
            return []
        return [(s, mt.start("r_a") + 4, a, "year", False), (mt.start("r_b"), e, b, "year", False)]
    if mt.group("rel"):
        unit, shift = g.relative[fold("rel")]
        cap = {"day": "day", "week": "month", "month": "month", "year": "year"}[unit]
        if ref is None:
            return [(s, e, None, cap, True)]
        value, prec = _over_reference(ref, lambda x: _relative_interval(x, unit, shift), cap)
        return [(s, e, value, prec, True)]
    if mt.group("bm"):
        mods = [fold(k) for k in ("e_pre", "e_post") if mt.group(k)]
        mode = "past" if any(x in g.past for x in mods) else "next" if any(x in g.next for x in mods) else None
        if mode is None and not cue_ok:
            return []
        value, prec = _month_only(ref, g.months[fold("e_m")], mode, future)
        return [(s, e, value, prec, True)]
    if mt.group("wd"):
        mods = [fold(k) for k in ("w_pre", "w_post") if mt.group(k)]
        mode = "past" if any(x in g.past for x in mods) else "next" if any(x in g.next for x in mods) else None
        value, prec = _weekday_only(ref, g.weekdays[fold("w_wd")], mode)
        return [(s, e, value, prec, True)]
    if mt.group("year"):
        if not cue_ok:
            return []
        return [(s, e, mt.group("y_y"), "year", False)]
    return []


def find_dates(text: str, lang: str, reference: str | None = None, offset: int = 0) -> list[DateMention]:
    """Every date expression in `text` (written in `lang`), in order, resolved against `reference`
    (the publication date as partial ISO, or None). Offsets are into `text` plus `offset`."""
    g = _grammar(lang)
    ref = _parse_reference(reference)
    out: list[DateMention] = []
    for mt in finditer(g.regex, g.starts, text):
        role = g.roles.get(_fold(mt.group("role")), "point") if mt.group("role") else "point"
        body_start = mt.start("role") if mt.group("role") else mt.start()
        cue_ok = bool(mt.group("role")) or _cued(text, body_start, g) or _opens_parenthesis(text, body_start)
        for i, (s, e, value, prec, rel) in enumerate(_interpret(mt, text, g, ref, cue_ok)):
            r = role
            if mt.group("yr"):      # "2014-2016": the first year starts the range, the second ends it
                r = role if (i == 0 and role != "point") else ("start" if i == 0 else "end")
            out.append(DateMention(s + offset, e + offset, text[s:e], value, prec, r, rel))
    return out


def _opens_parenthesis(text: str, start: int) -> bool:
    return text[max(0, start - 1):start] == "("


def parse_date(text: str, lang: str, reference: str | None = None) -> DateMention | None:
    """`text` read as one date (surrounding spaces and punctuation allowed), else None."""
    stripped = text.strip().strip(".,;:()[]")
    if not stripped:
        return None
    lead = text.index(stripped)
    found = find_dates(stripped, lang, reference, offset=lead)
    if len(found) == 1 and found[0].text == stripped:
        return found[0]
    if not found and re.fullmatch(_YEAR, stripped):     # a bare year given on its own
        return DateMention(lead, lead + 4, stripped, stripped, "year", "point", False)
    return None
