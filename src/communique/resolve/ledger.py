"""The deployment ledger: one record per (actor, asset, period), updated by every later source.

A source is one extracted deployment (its fields) with the published date of its document. Whether
it belongs to an existing period is decided by what the sources imply about the period's start `s`
and end `e`, never by the values that may legitimately change (quantity, a postponed end):

- reported `active` in a release published at P:  s <= P <= e
- reported `planned` at P (or with a start X):      s >= P (s >= X)
- reported `ended` at P (or with an end X):         e <= P (e <= X)

A source joins a period when the constraints of both together can still hold; otherwise it opens
another period. Sample 004 (published 2020-09) plans Belgium's F-16s from 2020-10 *and* says an
earlier BE F-16 deployment ended: `e <= 2020-09` and `s >= 2020-10` cannot both hold, so the ended
one is kept as an earlier period of the same (actor, asset), its own ledger record.

Folding a period's sources in order of publication gives its current state and its history; a later
source that changes status, start, end or quantity updates the state (the change is recorded); two
independent sources published at the same time (compatible dates) that disagree are a conflict:
both values are kept and flagged; the value stated first (earliest ingested) stays current.
"""
from __future__ import annotations

from typing import Any

from . import dates

LEDGER_FIELDS = ("status", "start", "end", "quantity", "base")
STATUS_ORDER = {"planned": 0, "active": 1, "ended": 2}


def _bounds(source: dict) -> dict[str, list[str]]:
    f = source.get("fields") or {}
    pub = source.get("published")
    status = f.get("status")
    b: dict[str, list[str]] = {"s_lo": [], "s_hi": [], "e_lo": [], "e_hi": []}
    start, end = dates.clean(f.get("start")), dates.clean(f.get("end"))
    if start:
        b["s_lo"].append(dates.lo(start))
        if status in ("active", "ended"):
            b["s_hi"].append(dates.hi(start))
    if end and status == "ended":
        b["e_hi"].append(dates.hi(end))
    if dates.clean(pub):
        if status == "active":
            b["s_hi"].append(dates.hi(pub))
            b["e_lo"].append(dates.lo(pub))
        elif status == "planned":
            b["s_lo"].append(dates.lo(pub))
        elif status == "ended":
            b["e_hi"].append(dates.hi(pub))
    return b


Bounds = tuple[str, str, str, str]   # (latest start floor, earliest start ceiling, end floor, end ceiling)
OPEN: Bounds = ("", "9999", "", "9999")


def bounds(sources: list[dict], start: Bounds = OPEN) -> Bounds:
    """What these sources (and `start`, the bounds of others) imply together about the period:
    a summary as small as one source's, so a period of thousands of sources is judged at once."""
    s_lo, s_hi, e_lo, e_hi = start
    for src in sources:
        b = _bounds(src)
        s_lo = max([s_lo, *b["s_lo"]])
        s_hi = min([s_hi, *b["s_hi"]])
        e_lo = max([e_lo, *b["e_lo"]])
        e_hi = min([e_hi, *b["e_hi"]])
    return s_lo, s_hi, e_lo, e_hi


def combined(a: Bounds, b: Bounds) -> Bounds:
    """The bounds of two sets of sources together."""
    return max(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), min(a[3], b[3])


def possible(b: Bounds) -> bool:
    """Whether one period can satisfy these bounds."""
    s_lo, s_hi, e_lo, e_hi = b
    return s_lo <= s_hi and max(e_lo, s_lo) <= e_hi and s_lo <= e_hi


def feasible(sources: list[dict]) -> bool:
    """Whether one period can satisfy what all these sources say about it."""
    return possible(bounds(sources))


def _norm(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(sorted(str(v) for v in value))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _same_time(a: dict, b: dict) -> bool:
    pa, pb = a.get("published"), b.get("published")
    if pa is None and pb is None:
        return True
    return dates.compatible(pa, pb)


def order(sources: list[dict]) -> list[dict]:
    return sorted(sources, key=lambda s: (dates.sort_key(s.get("published")),
                                          s.get("seq", 0), s.get("idx", 0)))


def fold(sources: list[dict]) -> dict:
    """The period's state, history and conflicts from its sources (any order)."""
    state: dict[str, Any] = {}
    stated: dict[str, list[tuple[dict, Any]]] = {}   # field -> every (source, value) so far
    history: list[dict] = []
    conflicts: dict[str, list[dict]] = {}
    area: list = []
    other: dict[str, Any] = {}
    for src in order(sources):
        f = src.get("fields") or {}
        changes: dict[str, list] = {}
        for name in LEDGER_FIELDS:
            new = f.get(name)
            if new is None:
                continue
            before = stated.setdefault(name, [])
            before.append((src, new))
            old = state.get(name)
            if old is None:
                state[name] = new
                changes[name] = [None, new]
                continue
            if name in ("start", "end") and dates.compatible(old, new):
                state[name] = dates.finer(old, new)   # the same date, told more precisely
                continue
            if _norm(old) == _norm(new):
                continue
            # an independent source of the same time that said otherwise: a conflict, not a change
            rivals = [(s, v) for s, v in before[:-1]
                      if _same_time(s, src) and s.get("group") != src.get("group")
                      and _norm(v) != _norm(new)]
            if rivals:
                for rival, value in rivals:
                    _flag(conflicts, name, rival, value, src, new)
                continue
            if any(_same_time(s, src) and s.get("group") == src.get("group")
                   for s, _ in before[:-1]):
                continue  # a translation or duplicate of the same release: not a new fact
            state[name] = new
            changes[name] = [old, new]
        for value in f.get("area") or []:
            if value not in area:
                area.append(value)
        for key, value in f.items():
            if key not in LEDGER_FIELDS and key != "area" and value is not None:
                other.setdefault(key, value)
        history.append({
            "doc": src.get("doc"), "xevent": src.get("xevent"), "published": src.get("published"),
            "status": f.get("status"), "start": f.get("start"), "end": f.get("end"),
            "quantity": f.get("quantity"), "changes": changes,
        })
    fields = dict(other)
    fields.update({k: v for k, v in state.items() if v is not None})
    if area:
        fields["area"] = area
    return {"fields": fields, "history": history,
            "conflicts": [{"field": k, "values": v} for k, v in conflicts.items()]}


def _flag(conflicts: dict, name: str, a: dict, va: Any, b: dict, vb: Any) -> None:
    entries = conflicts.setdefault(name, [])
    for src, value in ((a, va), (b, vb)):
        entry = {"value": value, "doc": src.get("doc"), "xevent": src.get("xevent"),
                 "published": src.get("published")}
        if entry not in entries:
            entries.append(entry)


def timeline_date(fields: dict, sources: list[dict]) -> str | None:
    """When the period shows on a timeline: its start, else the first release that reports it."""
    if dates.clean(fields.get("start")):
        return fields["start"]
    published = [s.get("published") for s in order(sources) if dates.clean(s.get("published"))]
    return published[0] if published else None
