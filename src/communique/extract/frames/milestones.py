"""Dated facts a timeline shows: a founding, the fall or liberation of a town, an attack, an adopted
resolution, an approval. A milestone trigger of `milestone.triggers` and a resolved date within
`milestone.window` characters of it in the same sentence; one milestone per date and document.
"""
from __future__ import annotations

from ...model import Event
from .. import cues
from ..context import Context


def extract(ctx: Context) -> list[Event]:
    events: list[Event] = []
    seen: set[str] = set()
    for s in ctx.sentences:
        lang = s.lang
        # a date that dates an amount of money ("DKK 100 million in 2016") dates the money
        money = ctx.money_in(s.start, s.end)
        # "vorige week" in a release dated to the month is known only to the year: no milestone
        dates = [d for d in ctx.dates_in(s.start, s.end) if d.value and d.role in ("point", "since")
                 and not (d.relative and d.precision == "year")
                 and not any(abs(d.start - m.end) <= 15 or abs(m.start - d.end) <= 15 for m in money)]
        if not dates:
            continue
        triggers = cues.labels(lang, ctx.text, "milestone", "triggers", pos=s.start, endpos=s.end)
        if not triggers:
            continue
        window = cues.value(lang, "milestone", "window", default=90)
        for t_start, t_end, label in triggers:
            near = [d for d in dates if abs(d.start - t_start) <= window or abs(d.end - t_end) <= window]
            if not near:
                continue
            date = min(near, key=lambda d: min(abs(d.start - t_end), abs(t_start - d.end)))
            if date.value in seen:
                continue
            lo, hi = min(t_start, date.start), max(t_end, date.end)
            things = ctx.mentions_in(max(s.start, lo - 40), min(s.end, hi + 60),
                                     "place", "organization", "armed_group")
            place = next((m for m in things if ctx.type_of(m) == "place"), None)
            subject = min(things, key=lambda m: abs(m.start - t_end)) if things else None
            what = label if subject is None else f"{label}: {ctx.name_of(subject)}"
            fields = {"date": date.value, "what": what}
            if place is not None:
                fields["place"] = ctx.name_of(place)
            seen.add(date.value)
            events.append(ctx.event("milestone", fields, s.start, s.end, lang,
                                    [m.entity for m in things]))
    return events
