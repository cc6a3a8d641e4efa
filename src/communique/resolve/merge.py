"""Event matching and merging across documents and languages (no SQL: the store calls these).

A *source* is one extracted event with where it came from:
`{xevent, doc, group, published, seq, idx, fields, start, end, evidence, language, extractor}`;
`group` names the set of documents that are one source (translations and near-duplicates).
A merged event is the fold of its sources.

Matching rules (key fields of docs/SCHEMA.md; a less precise date is compatible with a finer one):
- meeting: compatible dates and the same place (or both virtual)
- deployment: same actor and asset, and a period that all sources can share (see ledger.py)
- funding: same currency, amounts within 1%, donors equal or one unknown
- quote: the same speaker and half of the shorter quote's word pairs in the other (never two
  quotes of one document in one language); or its translation (see `_translated_quote`)
- milestone: compatible dates, overlapping `what`, places equal when both known
- membership: same count (or both `new_members`), dates compatible when both known
"""
from __future__ import annotations

import math
from typing import Any

from . import dates, ledger
from .identity import norm, same_person, slug, tokens

FREE_TEXT = {"text", "what", "purpose", "language", "evidence"}
LIST_FIELDS = {"hosts", "invited", "area", "new_members"}
DATE_FIELDS = {"date", "start", "end", "since", "year"}


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


AMOUNT_BAND = math.log(1.02)   # funding amounts in bands 2% wide: within 1% means the same or next


def block_key(type_: str, fields: dict) -> str:
    """Candidates for a match are found by this key (cheap pre-selection in the store): a merged
    event is stored under the key of its fields, a source looks under `block_keys`."""
    if type_ == "deployment":
        return f"{fields.get('actor') or ''}|{norm(str(fields.get('asset') or ''))}"
    if type_ == "funding":
        amount = _amount(fields.get("amount"))
        band = math.floor(math.log(amount) / AMOUNT_BAND) if amount and amount > 0 else ""
        return f"{fields.get('currency') or ''}|{band}"
    if type_ == "quote":
        toks = tokens(str(fields.get("speaker") or ""))
        return toks[-1] if toks else ""   # surname: `Wilmès` and `Sophie Wilmès` block together
    if type_ == "membership":
        count = fields.get("count")
        return f"{_amount(count):g}" if _amount(count) is not None else "new"
    if type_ in ("meeting", "milestone"):
        date = dates.clean(fields.get("date"))
        month = date[:7] if date else ""   # its month (or year when that is all it says)
        return f"{month}|{_meeting_facet(fields)}" if type_ == "meeting" else month
    return ""


VIRTUAL = "~virtual"


def _meeting_facet(fields: dict) -> str:
    """Where a merged meeting is stored within its month: virtual, its place, or nowhere said."""
    if fields.get("virtual"):
        return VIRTUAL
    places = sorted(_places(fields))
    return places[0] if places else ""


def _meeting_facets(fields: dict) -> list[str]:
    """Where the meetings a source can match are stored (see `_meeting`): under one of its places
    or as virtual ones, and, for a meeting of a known day named nowhere, those named nowhere
    either. (A merged meeting of several places is stored under the first.)"""
    places = sorted(_places(fields))
    facets = [*places, VIRTUAL]
    if not places and dates.precision(fields.get("date")) == "day":
        facets.append("")
    elif not places and not fields.get("virtual"):
        return []   # no place, no day: nothing to match
    return facets


def _months(key: str) -> list[str]:
    """The date keys of the dates compatible with this month's or year's ('' when undated)."""
    if not key:
        return [""]
    year = key[:4]
    if len(key) == 4:   # a year alone can be any month of it
        return [year, *(f"{year}-{month:02d}" for month in range(1, 13))]
    return [year, key]


def block_keys(type_: str, fields: dict) -> list[str]:
    """The keys under which the events a source can match are stored: every event it can match
    is under one of them (compatible dates share the year and, when both say it, the month;
    amounts within 1% are in the same or the next band)."""
    key = block_key(type_, fields)
    if type_ == "meeting":
        month = key.partition("|")[0]
        return [f"{m}|{facet}" for m in _months(month) for facet in _meeting_facets(fields)]
    if type_ == "milestone" and key:
        return _months(key)
    if type_ == "funding":
        currency, _, band = key.rpartition("|")
        if band:
            return [f"{currency}|{int(band) + step}" for step in (-1, 0, 1)]
    return [key]


def overlap(a: str, b: str) -> float:
    """Share of the shorter text's distinct words found in the other."""
    ta, tb = set(tokens(a)), set(tokens(b))
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / min(len(ta), len(tb))


def _places(fields: dict) -> set[str]:
    return {norm(str(p)) for p in _as_list(fields.get("place")) if p}


def _dates_match(a: Any, b: Any, *, both_needed: bool) -> bool:
    if dates.clean(a) and dates.clean(b):
        return dates.compatible(a, b)
    if both_needed:
        return not dates.clean(a) and not dates.clean(b)
    return True


def _meeting(a: dict, b: dict) -> bool:
    if not _dates_match(a.get("date"), b.get("date"), both_needed=True):
        return False
    if a.get("virtual") and b.get("virtual"):
        return True
    pa, pb = _places(a), _places(b)
    if pa and pb:
        return bool(pa & pb)
    if a.get("virtual") or b.get("virtual"):
        # one says virtual, the other names no place: the same day is enough
        return not (pa or pb) and dates.precision(a.get("date")) == "day"
    # neither names a place: only a meeting on the very same day
    return (not pa and not pb and dates.precision(a.get("date")) == "day"
            and dates.precision(b.get("date")) == "day")


def _amount(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _funding(a: dict, b: dict) -> bool:
    if (a.get("currency") or None) != (b.get("currency") or None):
        return False
    x, y = _amount(a.get("amount")), _amount(b.get("amount"))
    if x is None or y is None or abs(x - y) > 0.01 * max(abs(x), abs(y)):
        return False
    da, db = a.get("donor"), b.get("donor")
    if da and db and norm(str(da)) != norm(str(db)):
        return False
    return True


def bigram_overlap(a: str, b: str) -> float:
    """Share of the shorter text's word pairs found in the other (function words alone don't count)."""
    def pairs(text: str) -> set[tuple[str, str]]:
        toks = tokens(text)
        return set(zip(toks, toks[1:])) or {(t, "") for t in toks}

    pa, pb = pairs(a), pairs(b)
    if not pa or not pb:
        return 0.0
    return len(pa & pb) / min(len(pa), len(pb))


def _quote(a: dict, b: dict) -> bool:
    sa, sb = str(a.get("speaker") or ""), str(b.get("speaker") or "")
    if not (sa and sb and same_person(sa, sb)):
        return False
    return bigram_overlap(str(a.get("text") or ""), str(b.get("text") or "")) >= 0.5


def _milestone(a: dict, b: dict) -> bool:
    if not _dates_match(a.get("date"), b.get("date"), both_needed=True):
        return False
    pa, pb = _places(a), _places(b)
    if pa and pb and not pa & pb:
        return False
    return overlap(str(a.get("what") or ""), str(b.get("what") or "")) >= 0.5


def _membership(a: dict, b: dict) -> bool:
    if a.get("count") is not None or b.get("count") is not None:
        if _amount(a.get("count")) != _amount(b.get("count")):
            return False
    elif not (a.get("new_members") and b.get("new_members")):
        return False
    return _dates_match(a.get("date"), b.get("date"), both_needed=False)


_MATCHERS = {"meeting": _meeting, "funding": _funding, "quote": _quote,
             "milestone": _milestone, "membership": _membership}


def matches(source: dict, event_fields: dict, event_sources: list[dict], type_: str,
            event_bounds: ledger.Bounds | None = None) -> bool:
    """Whether `source` (an extracted event) is the same fact as the merged event.

    `event_sources` may be limited to those that can matter: a deployment is judged on the
    `event_bounds` of all its sources when given; a quote needs only the sources from documents of
    the source's own group (one release, its translations and copies)."""
    if type_ == "deployment":
        f, g = source.get("fields") or {}, event_fields
        if f.get("actor") != g.get("actor") or norm(str(f.get("asset"))) != norm(str(g.get("asset"))):
            return False
        period = event_bounds if event_bounds is not None else ledger.bounds(event_sources)
        return ledger.possible(ledger.bounds([source], period))
    matcher = _MATCHERS.get(type_)
    if matcher is None:
        return False
    if type_ == "quote" and any(
            o.get("doc") == source.get("doc") and o.get("language") == source.get("language")
            for o in event_sources):
        return False  # one release, one language: two quotes there are two things said
    if matcher(source.get("fields") or {}, event_fields):
        return True
    if type_ == "quote":
        return _translated_quote(source, event_fields, event_sources)
    return False


def _position(src: dict) -> float | None:
    length = src.get("doclen")
    return src["start"] / length if length and src.get("start") is not None else None


def _translated_quote(source: dict, event_fields: dict, event_sources: list[dict]) -> bool:
    """The same quote in the translation of a release: same speaker, another language, a document
    of the same source group, and at about the same place in it (words cannot be compared)."""
    speaker = str((source.get("fields") or {}).get("speaker") or "")
    if not speaker or not same_person(speaker, str(event_fields.get("speaker") or "")):
        return False
    here = _position(source)
    for other in event_sources:
        if (other.get("group") == source.get("group") and other.get("doc") != source.get("doc")
                and other.get("language") and source.get("language")
                and other.get("language") != source.get("language")):
            there = _position(other)
            if here is not None and there is not None and abs(here - there) <= 0.15:
                return True
    return False


def _order(sources: list[dict]) -> list[dict]:
    return ledger.order(sources)


def _fold_fields(sources: list[dict]) -> tuple[dict, list[dict]]:
    """Merged fields of a non-deployment event, and the conflicts between independent sources."""
    values: dict[str, list[tuple[Any, dict]]] = {}
    for src in _order(sources):
        for key, value in (src.get("fields") or {}).items():
            if value is not None:
                values.setdefault(key, []).append((value, src))
    merged: dict[str, Any] = {}
    conflicts: list[dict] = []
    for key, pairs in values.items():
        if key in LIST_FIELDS and any(isinstance(v, list) for v, _ in pairs):
            out: list = []
            for value, _ in pairs:
                for item in _as_list(value):
                    if item not in out:
                        out.append(item)
            merged[key] = out
        elif key in DATE_FIELDS:
            best = None
            for value, _ in pairs:
                if best is None or dates.compatible(best, value):
                    best = dates.finer(best, value) if dates.clean(value) else (best or value)
            merged[key] = best
            distinct = _distinct(pairs, compatible=True)
            if len(distinct) > 1:
                conflicts.append(_conflict(key, distinct))
        elif key == "text":
            # the quote as first reported, at its longest in that language; other languages aside
            first_lang = pairs[0][1].get("language")
            same = [v for v, src in pairs if src.get("language") == first_lang]
            merged[key] = max(same, key=lambda v: len(str(v)))
            others = {src.get("language"): v for v, src in pairs
                      if src.get("language") and src.get("language") != first_lang}
            if others:
                merged["translations"] = others
        elif key in FREE_TEXT:
            merged[key] = pairs[0][0]
        else:
            distinct = _distinct(pairs)
            # the value most independent sources give; ties go to the earliest
            seen: dict[Any, set] = {}
            for value, src in pairs:
                seen.setdefault(_key(value), set()).add(src.get("group"))
            best_key = max(seen, key=lambda k: len(seen[k]))
            merged[key] = next(v for v, _ in pairs if _key(v) == best_key)
            if len(distinct) > 1:
                conflicts.append(_conflict(key, distinct))
    return merged, conflicts


def _key(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(sorted(map(str, value)))
    if isinstance(value, str):
        return norm(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _distinct(pairs: list[tuple[Any, dict]], compatible: bool = False) -> list[tuple[Any, dict]]:
    """One (value, source) per value that independent sources disagree on."""
    out: list[tuple[Any, dict]] = []
    for value, src in pairs:
        clash = True
        for other, osrc in out:
            same = (dates.compatible(value, other) if compatible and dates.clean(value)
                    else _key(value) == _key(other))
            if same or osrc.get("group") == src.get("group"):
                clash = False
                break
        if clash:
            out.append((value, src))
    return out


def _conflict(key: str, distinct: list[tuple[Any, dict]]) -> dict:
    return {"field": key, "values": [
        {"value": v, "doc": s.get("doc"), "xevent": s.get("xevent"), "published": s.get("published")}
        for v, s in distinct]}


def fold(type_: str, sources: list[dict]) -> dict:
    """{fields, date, date_end, status, title, history, conflicts} of a merged event."""
    if type_ == "deployment":
        out = ledger.fold(sources)
        fields = out["fields"]
        out["date"] = ledger.timeline_date(fields, sources)
        out["date_end"] = dates.clean(fields.get("end"))
        out["status"] = fields.get("status")
    else:
        fields, conflicts = _fold_fields(sources)
        out = {"fields": fields, "history": [], "conflicts": conflicts,
               "date": _event_date(type_, fields, sources), "date_end": None,
               "status": fields.get("status")}
    out["title"] = title(type_, out["fields"])
    return out


def _event_date(type_: str, fields: dict, sources: list[dict]) -> str | None:
    for key in ("date", "year", "since"):
        if dates.clean(fields.get(key)):
            return dates.clean(fields.get(key))
    if type_ in ("quote", "funding", "membership"):
        published = [s.get("published") for s in _order(sources) if dates.clean(s.get("published"))]
        return published[0] if published else None
    return None


def title(type_: str, f: dict) -> str:
    """A one-line summary for tables and the timeline."""
    def names(value: Any) -> str:
        return ", ".join(map(str, _as_list(value)))

    if type_ == "meeting":
        where = "virtual" if f.get("virtual") else (f"in {names(f.get('place'))}" if f.get("place") else "")
        level = f.get("level") or ""
        host = f" hosted by {names(f.get('hosts'))}" if f.get("hosts") else ""
        return " ".join(x for x in (f"{level} meeting".strip().capitalize(), where) if x) + host
    if type_ == "deployment":
        qty = f"{f['quantity']:g} " if isinstance(f.get("quantity"), (int, float)) else ""
        span = ""
        if f.get("start") or f.get("end"):
            span = f" {f.get('start') or '…'} – {f.get('end') or '…'}"
        return f"{f.get('actor') or '?'}: {qty}{f.get('asset') or '?'} ({f.get('status') or '?'}){span}"
    if type_ == "funding":
        amount = _amount(f.get("amount"))
        shown = f"{amount:,.0f}" if amount is not None else "?"
        donor = f" from {f['donor']}" if f.get("donor") else ""
        purpose = f" for {f['purpose']}" if f.get("purpose") else ""
        return f"{shown} {f.get('currency') or ''}{donor}{purpose}".strip()
    if type_ == "quote":
        text = str(f.get("text") or "")
        short = text if len(text) <= 90 else text[:87].rstrip() + "…"
        return f"{f.get('speaker') or '?'}: “{short}”"
    if type_ == "milestone":
        return str(f.get("what") or "Milestone")
    if type_ == "membership":
        if f.get("count") is not None:
            return f"The coalition counts {f['count']} members"
        return "New members join the coalition"
    return type_


def event_slug(type_: str, f: dict) -> str:
    """A readable id stem for a merged event (the store makes it unique)."""
    if type_ == "meeting":
        where = "virtual" if f.get("virtual") else slug(" ".join(map(str, _as_list(f.get("place")))) or "x", 24)
        return f"meeting-{f.get('date') or 'undated'}-{where}"
    if type_ == "deployment":
        return f"deployment-{slug(str(f.get('actor') or 'x'))}-{slug(str(f.get('asset') or 'x'), 24)}"
    if type_ == "funding":
        amount = _amount(f.get("amount"))
        return f"funding-{slug(str(f.get('currency') or 'x'))}-{int(amount) if amount else 'x'}"
    if type_ == "quote":
        return f"quote-{slug(str(f.get('speaker') or 'x'), 24)}-{slug(str(f.get('text') or ''), 24)}"
    if type_ == "milestone":
        return f"milestone-{f.get('date') or 'undated'}-{slug(str(f.get('what') or ''), 32)}"
    if type_ == "membership":
        return f"membership-{f.get('date') or 'undated'}-{f.get('count') or 'new'}"
    return slug(type_)


def roles(type_: str, f: dict) -> list[tuple[str, str]]:
    """(role, value) pairs naming who/where an event involves; values are codes or names."""
    out: list[tuple[str, str]] = []

    def add(role: str, value: Any) -> None:
        for item in _as_list(value):
            if isinstance(item, str) and item:
                out.append((role, item))

    if type_ == "deployment":
        add("actor", f.get("actor"))
        add("base", f.get("base"))
        add("area", f.get("area"))
    elif type_ == "meeting":
        add("host", f.get("hosts"))
        add("invited", f.get("invited"))
        add("place", f.get("place"))
        add("country", f.get("country"))
    elif type_ == "funding":
        add("donor", f.get("donor"))
    elif type_ == "quote":
        add("speaker", f.get("speaker"))
    elif type_ == "milestone":
        add("place", f.get("place"))
    elif type_ == "membership":
        if isinstance(f.get("new_members"), list):
            add("member", f.get("new_members"))
    return out
