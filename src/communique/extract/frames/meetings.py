"""Meetings, conferences and summits: when, where (or virtual), level, hosts, participants, invited.

A sentence with a meeting trigger yields a frame; a frame with a date, a place or "virtual" is an
anchor. Frames that only refer back ("deze vergadering", "this meeting") or that name neither date
nor place add their level, hosts and participants to the nearest anchor. Anchors whose dates and
places agree are one meeting (a release and its own translation state it twice).
"""
from __future__ import annotations

import re
from functools import lru_cache

from ...model import Event
from .. import cues
from ..context import Context, Sentence
from .common import MEETING_KINDS, blocked, blockers, codes, dates_compatible, merge_fields, place_kind, unique


def _frame(ctx: Context, s: Sentence) -> tuple[Event, bool] | None:
    text, lang = ctx.text, s.lang
    triggers = list(cues.finditer(lang, text, "meeting", "triggers", pos=s.start, endpos=s.end))
    if not triggers:
        return None
    anaphora = [(m.start(), m.end()) for m in
                cues.finditer(lang, text, "meeting", "anaphora", pos=s.start, endpos=s.end)]
    own = [t for t in triggers if not any(a <= t.start() < b + 5 for a, b in anaphora)]
    refers_back = not own
    trigger = own[0] if own else triggers[0]
    blocks = blockers(ctx, s)
    at = trigger.start()
    fields: dict = {}
    involved: list[str] = []

    if not refers_back:
        # what follows the trigger belongs to the meeting only nearby ("At the meeting, Norway
        # announced … in Mosul" is no meeting in Mosul)
        reach = at + cues.value(lang, "meeting", "reach", default=160)
        # a fronted "At the meeting, …" / "Tijdens de bijeenkomst, …" ends at its comma
        comma = text.find(",", at, at + 40)
        fronted = cues.search(lang, text, "meeting", "fronted", pos=s.start, endpos=at)
        if comma > 0 and fronted is not None and fronted.start() == s.start:
            reach = comma
        dates = [d for d in ctx.dates_in(s.start, s.end)
                 if d.value and d.role == "point" and not blocked(at, d.start, blocks)
                 and d.start <= reach]
        if dates:
            best = min(dates, key=lambda d: (abs(d.start - at), -len(d.value)))
            fields["date"] = best.value
        places = [m for m in ctx.mentions_in(s.start, s.end, "place")
                  if place_kind(m.entity) in MEETING_KINDS and not blocked(at, m.start, blocks)
                  and m.start <= reach]
        if places:
            place = min(places, key=lambda m: abs(m.start - at))
            fields["place"] = ctx.name_of(place)
            fields["country"] = ctx.code_of(place)
            involved.append(place.entity)
    if cues.search(lang, text, "meeting", "virtual", pos=s.start, endpos=s.end):
        fields["virtual"] = True
    levels = unique(v for _, _, v in cues.labels(lang, text, "meeting", "levels",
                                                   pos=s.start, endpos=s.end))
    if levels:
        fields["level"] = " ".join(levels)

    invited_at = cues.search(lang, text, "meeting", "invited", pos=s.start, endpos=s.end)
    invited: list[str] = []
    if invited_at is not None:
        invited = [c for c in codes(ctx, ctx.mentions_in(invited_at.start(), s.end, "country"))]
        if invited:
            fields["invited"] = invited

    host_cue = cues.search(lang, text, "meeting", "hosts", pos=s.start, endpos=s.end)
    if host_cue is not None:
        fields["hosts"] = _hosts(ctx, s, host_cue, trigger, invited)

    participants = _participants(ctx, s, invited_at.start() if invited_at else None)
    if participants:
        fields["participants"] = participants

    anchor = bool(fields.get("date") or fields.get("place") or fields.get("virtual"))
    event = ctx.event("meeting", fields, s.start, s.end, lang, involved)
    return event, anchor


def _hosts(ctx: Context, s: Sentence, host_cue, trigger, invited: list[str]) -> list[str]:
    """Countries (and countries of persons) that hold the chair: the subject before the host verb,
    those joined to it ("samen met", "with"), else the first country after it; after a passive
    ("co-chaired by", "voorgezeten door", "coprésidée par") every one named in that clause."""
    # the agent may follow a place ("coprésidée à Paris par …")
    by = cues.search(s.lang, ctx.text, "meeting", "agent", pos=host_cue.end(),
                     endpos=min(s.end, host_cue.end() + 30))
    if by is not None:
        gap = ctx.text[host_cue.end():by.start()]
        if "," in gap or len(gap.split()) > 3 or \
                ctx.mentions_in(host_cue.end(), by.start(), "person", "country", "organization"):
            by = None
    if by is not None:
        clause_end = _clause_end(ctx.text, by.end(), s.end, s.lang)
        found = ctx.mentions_in(by.end(), clause_end, "country", "person", "organization")
        hosts = []
        for m in found:
            if ctx.type_of(m) == "organization":
                if ctx.entities.entity(m.entity).country:
                    continue  # a force or a ministry speaks for its country, named anyway
                hosts.append(ctx.name_of(m))
            else:
                hosts.append(ctx.code_of(m))
        hosts = [h for h in unique(hosts) if h not in invited]
        if hosts:
            return hosts
    end = max(host_cue.end(), trigger.start()) if trigger.start() > host_cue.start() else host_cue.end()
    found = ctx.mentions_in(s.start, end, "country", "person")
    hosts = [c for c in codes(ctx, found) if c not in invited]
    if not hosts:
        after = ctx.mentions_in(host_cue.end(), s.end, "country")
        hosts = [c for c in codes(ctx, after[:1]) if c not in invited]
    return hosts


def _clause_end(text: str, start: int, end: int, lang: str) -> int:
    """Where the clause that starts at `start` ends: a semicolon, a full stop, or a comma before a
    relative word (`meeting.clause_breaks`: ", where", ", waar", ", où")."""
    m = _clause_break(lang).search(text, start, end)
    return m.start() if m else end


@lru_cache(maxsize=None)
def _clause_break(lang: str) -> re.Pattern:
    words = cues.value(lang, "meeting", "clause_breaks", default=[]) or []
    relative = rf"|,\s+(?:{'|'.join(map(re.escape, words))})\b" if words else ""
    return re.compile(r"[;.]\s" + relative)


def _participants(ctx: Context, s: Sentence, invited_at: int | None) -> int | None:
    text, lang = ctx.text, s.lang
    nouns = cues.cue(lang, "meeting", "participants")
    colleagues = cues.cue(lang, "meeting", "colleagues")
    for n in ctx.numbers_in(s.start, s.end):
        if invited_at is not None and n.start > invited_at:
            continue
        after = text[n.end:min(s.end, n.end + 40)]
        words = after.split()[:3]
        window = " ".join(words)
        if colleagues is not None and colleagues.search(window):
            return int(n.value) + 1
        if nouns is not None and nouns.search(window):
            if invited_at is None and cues.search(lang, window, "meeting", "invited"):
                continue
            return int(n.value)
    return None


def extract(ctx: Context) -> list[Event]:
    frames: list[tuple[Event, bool]] = []
    for s in ctx.sentences:
        frame = _frame(ctx, s)
        if frame is not None:
            frames.append(frame)
    anchors: list[Event] = []
    for event, is_anchor in frames:
        if not is_anchor:
            continue
        for other in anchors:
            if _same(other, event):
                merge_fields(other, event)
                break
        else:
            anchors.append(event)
    for event, is_anchor in frames:
        if is_anchor or not anchors:
            continue
        before = [a for a in anchors if a.start <= event.start]
        target = before[-1] if before else anchors[0]
        for key in ("level", "hosts", "participants", "invited"):
            if key in event.fields:
                merge_fields(target, _only(event, key))
    return anchors


def _only(event: Event, key: str) -> Event:
    return Event(event.type, {key: event.fields[key]}, event.start, event.end, event.evidence)


def _same(a: Event, b: Event) -> bool:
    fa, fb = a.fields, b.fields
    if fa.get("virtual") != fb.get("virtual") and fa.get("place") and fb.get("place"):
        return False
    if fa.get("place") and fb.get("place") and fa["place"] != fb["place"]:
        return False
    if bool(fa.get("virtual")) != bool(fb.get("virtual")) and (fa.get("place") or fb.get("place")):
        return False
    if not fa.get("date") and not fb.get("date"):
        return bool(fa.get("place") and fa.get("place") == fb.get("place"))
    return dates_compatible(fa.get("date"), fb.get("date"))
