"""The size or growth of the coalition: "80 landen … aangesloten", "brings together the 32 States",
"nieuwe leden", "X joined the coalition". Dated by the sentence, else by the publication date."""
from __future__ import annotations

from ...model import Event
from .. import cues
from ..context import Context
from .deployments import _locative


def extract(ctx: Context) -> list[Event]:
    events: list[Event] = []
    counts: set[int] = set()
    new_seen = False
    for s in ctx.sentences:
        text, lang = ctx.text, s.lang
        nouns = cues.cue(lang, "membership", "nouns")
        dates = [d for d in ctx.dates_in(s.start, s.end) if d.value and d.role == "point"]
        date = dates[0].value if dates else ctx.reference
        if cues.search(lang, text, "membership", "count_cues", pos=s.start, endpos=s.end):
            for n in ctx.numbers_in(s.start, s.end):
                window = " ".join(text[n.end:min(s.end, n.end + 40)].split()[:3])
                if nouns is None or not nouns.search(window) or n.value < 2:
                    continue
                if int(n.value) in counts:
                    break
                counts.add(int(n.value))
                fields = {"count": int(n.value), "date": date}
                events.append(ctx.event("membership", fields, s.start, s.end, lang))
                break
        new = cues.search(lang, text, "membership", "new_cues", pos=s.start, endpos=s.end)
        if new is not None and not new_seen:
            joined = [m for m in ctx.mentions_in(s.start, s.end, "country")
                      if not _locative(ctx, s, m) and m.start < new.end() + 60]
            members = [ctx.code_of(m) for m in joined] if joined and new.start() > joined[0].start \
                else True
            fields = {"new_members": members, "date": date}
            events.append(ctx.event("membership", fields, s.start, s.end, lang))
            new_seen = True
    return events
