"""Small helpers shared by the frames: spans, blockers, lists of codes."""
from __future__ import annotations

import re
from functools import lru_cache

from ...model import Event, Mention
from .. import cues
from ..context import Context, Sentence
from ..gazetteer import gazetteer, name_key

# kinds of place where a meeting can be held or a unit can be based
SITE_KINDS = frozenset({"city", "town", "base", "airport", "camp", None})
MEETING_KINDS = frozenset({"city", "town", None})


_PLURAL = re.compile(r"(?:['’]s|s)$")


@lru_cache(maxsize=None)
def joiner(lang: str) -> re.Pattern:
    """A gap that only joins two names: nothing, a comma, or the language's list joiners
    (`persons.list_joiners`: "en", "and", "et")."""
    words = [w for w in cues.value(lang, "persons", "list_joiners", default=[]) or [] if w != ","]
    alternation = "".join("|" + re.escape(w) for w in words)
    return re.compile(rf"^(?:\s*(?:,|&{alternation})\s*|\s+)$", re.IGNORECASE)


@lru_cache(maxsize=None)
def clause_end(lang: str) -> re.Pattern:
    """Where a clause ends: punctuation, or a list joiner between words."""
    words = [w for w in cues.value(lang, "persons", "list_joiners", default=[]) or [] if w != ","]
    joined = "|".join(map(re.escape, words))
    return re.compile(r"[,;:.()]" + (rf"|\s(?:{joined})\s" if joined else ""))


def unique(items) -> list:
    return list(dict.fromkeys(i for i in items if i))


def place_kind(entity_id: str) -> str | None:
    entry = gazetteer().entry(entity_id)
    return entry.kind if entry is not None else None


def blockers(ctx: Context, sentence: Sentence) -> list[int]:
    """Offsets in the sentence after which dates and places belong to another fact: a "since" word
    or a milestone trigger ("sinds de val van Baghouz op 23 maart 2019")."""
    text = ctx.text
    out = [m.start() for m in cues.finditer(sentence.lang, text, "milestone", "triggers",
                                             pos=sentence.start, endpos=sentence.end)]
    out += [m.start() for m in cues.finditer(sentence.lang, text, "since",
                                              pos=sentence.start, endpos=sentence.end)]
    return sorted(out)


def blocked(anchor: int, target: int, blocks: list[int]) -> bool:
    """True when a blocker stands between the anchor (a trigger) and the target offset."""
    lo, hi = (anchor, target) if anchor <= target else (target, anchor)
    return any(lo < b < hi for b in blocks)


def codes(ctx: Context, mentions: list[Mention]) -> list[str]:
    return unique(ctx.code_of(m) for m in mentions)


def merge_fields(into: Event, other: Event, list_fields=("hosts", "invited", "area", "base")) -> None:
    """Fill `into` with what `other` knows and it does not; union list fields."""
    for key, val in other.fields.items():
        if key not in into.fields or into.fields[key] in (None, "", []):
            into.fields[key] = val
        elif key in list_fields and isinstance(val, list) and isinstance(into.fields[key], list):
            into.fields[key] = unique(into.fields[key] + val)
        elif key == "level" and val not in str(into.fields[key]):
            into.fields[key] = f"{into.fields[key]} {val}"
    into.entities = unique(into.entities + other.entities)


def dates_compatible(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return long == short or long.startswith(short + "-")


def english_form(ctx: Context, mention: Mention) -> str:
    """The name as the text writes it when that is an English form the gazetteer knows ("Taji",
    "Reaper", "F-16" for "F-16’s"); else the canonical English name ("Baghdad" for "Bagdad")."""
    entry = gazetteer().entry(mention.entity)
    if entry is None:
        return ctx.name_of(mention)
    english = {name_key(f): f for f in [entry.name, *entry.aliases.get("en", ())]}
    for form in (mention.text, _PLURAL.sub("", mention.text)):
        known = english.get(name_key(form))
        if known is not None and not _PLURAL.search(known) \
                and not any(w[:1].islower() for w in form.split()):
            return form
    return entry.name


def headline_end(ctx: Context) -> int:
    """Where the headline ends (0 when the document has none at its start)."""
    title = ctx.doc.title
    if not title or not ctx.sentences:
        return 0
    first = ctx.sentences[0]
    head = ctx.text[first.start:first.end]
    return first.end if head.strip() and title.startswith(head.strip()[:40]) else 0
