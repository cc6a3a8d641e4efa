"""The size or growth of the coalition: "80 landen … aangesloten", "brings together the 32 States",
"bringing the total number of members to 86", "nieuwe leden", "X joined the coalition".

A count is a number next to a member noun (before it: "80 landen"; or after a member word:
"membership to 86", "compte désormais 86") in a sentence with a membership cue, never below
`membership.min_count` (the coalition is counted in dozens; "two countries that have joined" are
new members, not a size). In a sentence that names a meeting, the bare noun is not enough: a
meeting "of 21 members" counts participants. A count and the new members of one document with the
same date are one fact. Dated by the publication date, else by the sentence.
"""
from __future__ import annotations

import re

from ...model import Event
from .. import cues
from ..context import Context, Sentence
from .deployments import _locative

COALITION = "organization:global_coalition"


def _about_the_coalition(ctx: Context, s: Sentence) -> bool:
    """The sentence or the one before it names the coalition ("… most involved in its action")."""
    start = ctx.sentences[s.index - 1].start if s.index > 0 else s.start
    if any(m.entity == COALITION for m in ctx.mentions_in(start, s.end, "organization")):
        return True
    return cues.search(s.lang, ctx.text, "membership", "coalition", pos=start, endpos=s.end) is not None


def _count(ctx: Context, s: Sentence) -> int | None:
    text, lang = ctx.text, s.lang
    cue = cues.search(lang, text, "membership", "count_cues", pos=s.start, endpos=s.end)
    if cue is None or not _about_the_coalition(ctx, s):
        return None
    nouns = cues.cue(lang, "membership", "nouns")
    minimum = cues.value(lang, "membership", "min_count", default=10)
    ordinal = cues.search(lang, text, "membership", "ordinal", pos=s.start, endpos=s.end)
    if ordinal is not None:  # "le Togo, qui devient le 87e membre"
        return int(re.search(r"\d+", ordinal.group()).group())
    meeting = cues.search(lang, text, "meeting", "triggers", pos=s.start, endpos=s.end)
    strong = cues.search(lang, text, "membership", "strong_cues", pos=s.start, endpos=s.end)
    for n in ctx.numbers_in(s.start, s.end):
        if n.value < minimum or not float(n.value).is_integer():
            continue
        after = " ".join(text[n.end:min(s.end, n.end + 40)].split()[:3])
        before = " ".join(text[max(s.start, n.start - 45):n.start].split()[-5:])
        # in a meeting, "the 79 members" are all of them, "21 members" only those present
        if meeting is not None and strong is None and \
                not cues.search(lang, before.split()[-1] if before else "", "membership", "definite"):
            continue
        # "830 membres des Forces armées canadiennes" are members of something else; "80 leden,
        # waaronder de NAVO" are not
        others = [m for m in ctx.mentions_in(n.end, min(s.end, n.end + 50), "organization")
                  if m.entity != COALITION]
        if others and not any(m.entity == COALITION
                              for m in ctx.mentions_in(n.end, others[0].start, "organization")) \
                and not any(c in text[n.end:others[0].start] for c in ",;:("):
            continue
        if nouns is not None and (nouns.search(after) or nouns.search(before)):
            return int(n.value)
        if cues.search(lang, before, "membership", "count_before"):
            return int(n.value)
    return None


def extract(ctx: Context) -> list[Event]:
    events: list[Event] = []
    counts: set[int] = set()
    new_event: Event | None = None
    for s in ctx.sentences:
        text, lang = ctx.text, s.lang
        dates = [d for d in ctx.dates_in(s.start, s.end) if d.value and d.role == "point"]
        date = ctx.reference or (dates[0].value if dates else None)
        count = _count(ctx, s)
        event = None
        if count is not None and count not in counts:
            counts.add(count)
            event = ctx.event("membership", {"count": count, "date": date}, s.start, s.end, lang)
            events.append(event)
        new = cues.search(lang, text, "membership", "new_cues", pos=s.start, endpos=s.end)
        if new is None or (new_event is not None and event is None):
            continue
        joined = [m for m in ctx.mentions_in(s.start, s.end, "country")
                  if not _locative(ctx, s, m)]
        members = [ctx.code_of(m) for m in joined] if joined else True
        if event is not None:
            event.fields["new_members"] = members
        else:
            new_event = ctx.event("membership", {"new_members": members, "date": date},
                                  s.start, s.end, lang)
            events.append(new_event)
    return _one_per_date(events)


def _one_per_date(events: list[Event]) -> list[Event]:
    """A count and the new members of the same date are one fact."""
    counted = [e for e in events if "count" in e.fields]
    out = []
    for e in events:
        if "count" not in e.fields:
            twin = next((c for c in counted if c.fields.get("date") == e.fields.get("date")), None)
            if twin is not None:
                twin.fields.setdefault("new_members", e.fields["new_members"])
                continue
        out.append(e)
    return out
