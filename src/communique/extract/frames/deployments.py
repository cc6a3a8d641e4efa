"""Deployments: who sends what, how many, from where, over where, when, and in which state.

A sentence with a deployment cue ("ingezet", "deployed", "déployés", "draagt bij", "withdrawn")
and an asset (an equipment entity, or a word of `deployment.assets`: personnel, trainers, advisers,
force protection, training mission; a generic "straaljagers" refers back to the equipment named
last) yields one frame per (actor, asset). The actor is, in this order: a country adjective or
name right before the asset ("4 Nederlandse F-16’s", "Nederlandse en Belgische F-16’s"); a
country that is the subject of the sentence (not after "in", "naar", "vanuit"…); the country of a
person acting in it; the home country when the sentence speaks of "ons land", "onze", "het
kabinet"; the actor of the previous frame. Frames of one document that describe the same
deployment are merged; a generic "militairen" merges into the specific task it is given.
"""
from __future__ import annotations

import re

from ...model import Event, Mention
from .. import cues
from ..context import Context, Sentence
from ..gazetteer import gazetteer
from .common import (SITE_KINDS, dates_compatible, english_form, headline_end, joiner,
                     merge_fields, place_kind, unique)

PERSONNEL_TASKS = ("force protection", "trainers", "advisers", "training mission")
# how far apart (characters) a generic "militairen" and a task may be told and still be one unit
NEARBY = 400
_NUMBER_GAP = re.compile(r"^[\s\d.,’'~]*$")
_NUMBER_ONLY = re.compile(r"\s*\d+\s*")


def _trainees(lang: str, text: str, end: int, limit: int) -> bool:
    """Personnel words followed by "getraind", "trained", "formés": the trained, not the trainers."""
    after = " ".join(text[end:min(limit, end + 30)].split()[:2])
    found = cues.search(lang, after, "deployment", "trainees_after")
    return found is not None and found.start() == 0


def _assets(ctx: Context, s: Sentence, last_equipment: list[str],
            absorbed: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """(start, end, asset) of every asset named in the sentence; `absorbed` receives the
    personnel words that a task took over."""
    text, lang = ctx.text, s.lang
    found: list[tuple[int, int, str]] = []
    for m in ctx.mentions_in(s.start, s.end, "equipment"):
        entry = gazetteer().entry(m.entity)
        if entry is not None and entry.kind == "munition":
            continue  # "destroyed with a Hellfire missile"
        name = english_form(ctx, m)
        found.append((m.start, m.end, name))
        last_equipment.append(name)
    any_asset = cues.union(lang, "deployment", "assets") if lang else None
    named = any_asset is not None and any_asset.search(text, s.start, s.end) is not None
    asset_table = (cues.value(lang, "deployment", "assets") or {}) if named else {}
    for asset in asset_table:
        for m in cues.finditer(lang, text, "deployment", "assets", asset, pos=s.start, endpos=s.end):
            if asset == "aircraft":
                if not last_equipment:
                    continue
                found.append((m.start(), m.end(), last_equipment[-1]))
            elif asset == "personnel" and _trainees(lang, text, m.end(), s.end):
                continue  # "10.000 Iraakse militairen getraind": those trained, not deployed
            else:
                found.append((m.start(), m.end(), asset))
    negation = cues.cue(lang, "deployment", "negation")
    if negation is not None:
        found = [f for f in found
                 if not negation.search(" ".join(text[max(s.start, f[0] - 20):f[0]].split()[-2:]))]
    found.sort()
    # overlapping words: the longer one ("militaire adviseurs" over "militair")
    out: list[tuple[int, int, str]] = []
    for item in found:
        if out and item[0] < out[-1][1]:
            if item[1] - item[0] > out[-1][1] - out[-1][0]:
                out[-1] = item
            continue
        out.append(item)
    # training named as an activity: done by the personnel of the sentence ("troops who train
    # Iraqi forces" are trainers), else a training mission ("Frankrijk … opleidt")
    people = [x for x in out if x[2] in ("personnel", "trainers")]
    if any(x[2] == "training mission" for x in out):
        out = [x for x in out if x[2] != "training"]  # the text names the mission itself
    if any(x[2] == "training" for x in out):
        if people:
            out = [(a, b, "trainers" if asset == "personnel" else asset)
                   for a, b, asset in out if asset != "training"]
        else:
            out = [(a, b, "training mission" if asset == "training" else asset) for a, b, asset in out]
    # a specific task absorbs the generic personnel named with it ("beveiligen met militairen");
    # the personnel word stays known, for its actor and number ("door zo'n 35 Nederlandse militairen")
    tasks = [x for x in out if x[2] in PERSONNEL_TASKS]
    if tasks:
        # only the personnel named close to the task is the task's ("beveiligen met militairen");
        # "… trainers at Al Asad, and Norwegian officers serve in Baghdad" are two units
        helpers = [x for x in out if x[2] == "personnel"
                   and any(abs(x[0] - t[0]) <= 120 for t in tasks)]
        out = [x for x in out if x not in helpers]
        absorbed.extend(helpers)
    return unique_assets(out)


def unique_assets(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    seen: set[str] = set()
    out = []
    for item in found:
        if item[2] not in seen:
            seen.add(item[2])
            out.append(item)
    return out


def _adjacent(ctx: Context, s: Sentence, at: int) -> tuple[list[str], float | None, bool]:
    """Countries, quantity and a possessive ("onze") right before an asset word."""
    text = ctx.text
    countries: list[str] = []
    quantity = None
    own = False
    cursor = at
    # a country, or a force of one ("RAF Tornados", "Canadian Armed Forces members")
    before = [m for m in ctx.mentions_in(s.start, at, "country", "organization") if ctx.code_of(m)]
    around = [m for m in ctx.mentions_in(max(s.start, at - 60), s.end, "organization")
              if m.start < at < m.end and ctx.code_of(m)]
    if around:  # the asset word begins inside the force's name ("… Armed Forces members")
        return [ctx.code_of(around[0])], None, False
    numbers = ctx.numbers_in(s.start, at)
    for _ in range(6):
        gap_start = cursor
        prev_mention = before[-1] if before else None
        prev_number = numbers[-1] if numbers else None
        if prev_mention is not None and _gap_ok(text[prev_mention.end:gap_start], s.lang) and \
                _names_its_owner(ctx, prev_mention):
            countries.insert(0, ctx.code_of(prev_mention))
            cursor = prev_mention.start
            before.pop()
            continue
        if prev_number is not None and _NUMBER_GAP.match(text[prev_number.end:gap_start]) is not None \
                and gap_start - prev_number.end <= 2 and not _year_like(prev_number):
            quantity = prev_number.value
            cursor = prev_number.start
            numbers.pop()
            continue
        word = re.search(r"(\w+)\s*$", text[s.start:cursor])
        if word and cues.search(s.lang, word.group(1), "deployment", "home_words") and \
                word.group(1).lower() not in ("we", "wij"):
            own = True
        if word and word.group(1).isdigit() and quantity is None:
            quantity = float(word.group(1))
        break
    return unique(countries), quantity, own


def _adjective_after(ctx: Context, s: Sentence, end: int) -> list[str]:
    """Country adjectives right after an asset word ("militaires américains", "formateurs
    français", "F-16 néerlandais"): in French the adjective follows the noun."""
    out = []
    for m in ctx.mentions_in(end, min(s.end, end + 40), "country"):
        gap = ctx.text[end:m.start]
        if len(gap.split()) > 1 or m.text[:1].isupper():
            break
        out.append(ctx.code_of(m))
        end = m.end
    return out


def _names_its_owner(ctx: Context, mention: Mention) -> bool:
    """An adjective ("Belgische", "Danish"), a force ("RAF") or a possessive ("Canada's") right
    before an asset names who sends it; a bare country name there names where it goes ("Iraq
    training mission")."""
    if ctx.type_of(mention) != "country":
        return True
    if ctx.text[mention.end:mention.end + 2] in ("'s", "’s"):
        return True
    entry = gazetteer().by_name(mention.text)
    return entry is None or entry.type != "country"


def _year_like(number) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d\d", number.text.strip()))


def _gap_ok(gap: str, lang: str) -> bool:
    return bool(joiner(lang).match(gap)) or gap == "" or bool(_NUMBER_ONLY.fullmatch(gap))


def _locative(ctx: Context, s: Sentence, m: Mention) -> bool:
    """True when a mention follows a place preposition ("in", "boven", "naar", "vanuit"), possibly
    through an article or a joiner after another such mention."""
    key = ("locative", s.start, m.start)
    if key not in ctx.memo:
        ctx.memo[key] = _is_locative(ctx, s, m)
    return ctx.memo[key]


def _is_locative(ctx: Context, s: Sentence, m: Mention) -> bool:
    head = ctx.text[max(s.start, m.start - 25):m.start]
    words = head.split()[-3:]
    joined = " ".join(words)
    for regex in (cues.cue(s.lang, "deployment", "area_before"),
                  cues.cue(s.lang, "deployment", "base_before")):
        if regex is not None and regex.search(joined):
            return not _after_a_foreign_place(ctx, s, m)
    return False


def _after_a_foreign_place(ctx: Context, s: Sentence, m: Mention) -> bool:
    """"… in London, Norway pledged": the preposition governs the city; a country after it that is
    not the city's own ("in Erbil, Iraq") starts a new clause."""
    before = ctx.mentions_in(max(s.start, m.start - 25), m.start, "place")
    if ctx.type_of(m) != "country" or not before or ctx.text[before[-1].end:m.start].strip() != ",":
        return False
    entry = gazetteer().entry(before[-1].entity)
    return entry is not None and bool(entry.country) and entry.country != ctx.code_of(m)


def _actors(ctx: Context, s: Sentence, at: int, adjacent: list[str], own: bool,
            carry: str | None) -> list[str]:
    if adjacent:
        return adjacent
    # the subject stands before the asset ("Nederland draagt bij … met adviseurs"); a country named
    # after it is where the asset goes or whom it helps
    subjects = [m for m in ctx.mentions_in(s.start, at, "country")
                if not _locative(ctx, s, m) and not _after_joiner_of_locative(ctx, s, m)]
    if subjects:
        first = subjects[0]
        # coordinated subjects: "België en Nederland voorzagen …"
        out = [ctx.code_of(first)]
        for nxt in subjects[1:]:
            if joiner(s.lang).match(ctx.text[first.end:nxt.start]):
                out.append(ctx.code_of(nxt))
                first = nxt
        return unique(out)
    if own or cues.search(s.lang, ctx.text, "deployment", "home_words", pos=s.start, endpos=at):
        return [ctx.home] if ctx.home else []
    if carry:
        return [carry]
    return [ctx.home] if ctx.home else []


def _after_joiner_of_locative(ctx: Context, s: Sentence, m: Mention) -> bool:
    earlier = [x for x in ctx.mentions_in(s.start, m.start, "country", "place")]
    if not earlier:
        return False
    prev = earlier[-1]
    return bool(joiner(s.lang).match(ctx.text[prev.end:m.start])) and _locative(ctx, s, prev)


def _places(ctx: Context, s: Sentence, actors: list[str]) -> tuple[list[str], list[str]]:
    """(base, area) of a deployment sentence."""
    base: list[str] = []
    base_places: list[Mention] = []
    area: list[str] = []
    base_cue = cues.cue(s.lang, "deployment", "base_before")
    area_joined = False
    home_cue = cues.cue(s.lang, "deployment", "return_to")
    for m in ctx.mentions_in(s.start, s.end, "country", "place"):
        head = " ".join(ctx.text[max(s.start, m.start - 30):m.start].split()[-3:])
        if home_cue is not None and home_cue.search(head):
            continue  # "returned to Volkel", "rentrés en France": home, not a base or an area
        kind = place_kind(m.entity) if ctx.type_of(m) == "place" else "country"
        code = ctx.code_of(m)
        if kind == "country" and base_places and _describes(ctx, base_places[-1], m):
            continue  # "Muwaffaq Salti Air Base in Jordan": Jordan says where the base is
        if base_cue is not None and base_cue.search(head) and kind != "region":
            base.append(code if kind == "country" else english_form(ctx, m))
            if kind != "country":
                base_places.append(m)
            area_joined = False
            continue
        if kind in ("base", "airport") or (
                kind in SITE_KINDS and kind != "country" and (_locative(ctx, s, m) or area_joined)):
            base.append(english_form(ctx, m))
            base_places.append(m)
            if code:
                area.append(code)
            area_joined = True
            continue
        if _locative(ctx, s, m) or (area_joined and _after_joiner_of_locative(ctx, s, m)):
            if code and code not in actors:
                area.append(code)
                area_joined = True
            continue
        area_joined = False
    return unique(base), unique(area)


def _describes(ctx: Context, place: Mention, country: Mention) -> bool:
    """"RAF Akrotiri in Cyprus", "Al Udeid, in Qatar": the country says where the base is."""
    gap = ctx.text[place.end:country.start]
    return len(gap.split()) <= 2 and "." not in gap


def _status(ctx: Context, s: Sentence, start: str | None, end: str | None) -> tuple[str, bool]:
    """(status, stated): stated is False when nothing in the sentence says it."""
    text, lang = ctx.text, s.lang
    if cues.search(lang, text, "deployment", "status", "ended", pos=s.start, endpos=s.end):
        return "ended", True
    # "will continue to operate", "blijft", "poursuivront": a deployment that goes on is active,
    # whatever the future tense says
    if cues.search(lang, text, "deployment", "status", "continuing", pos=s.start, endpos=s.end):
        return "active", True
    if cues.search(lang, text, "deployment", "status", "planned", pos=s.start, endpos=s.end):
        return "planned", True
    ref = ctx.reference
    if start and ref and start[:len(ref)] > ref[:len(start)]:
        return "planned", True
    if end and ref and end[:len(ref)] < ref[:len(end)]:
        return "ended", True
    if cues.search(lang, text, "deployment", "status", "active", pos=s.start, endpos=s.end):
        return "active", True
    return "active", False


def _frames(ctx: Context) -> list[tuple[Event, bool]]:
    frames: list[tuple[Event, bool]] = []
    last_equipment: list[str] = []
    carry: dict[str, str] = {}  # asset family -> last actor
    prev_subject: str | None = None
    for s in ctx.sentences:
        text, lang = ctx.text, s.lang
        absorbed: list[tuple[int, int, str]] = []
        assets = _assets(ctx, s, last_equipment, absorbed)
        if not assets:  # assets alone make a candidate: _status reads the verbs
            prev_subject = _subject(ctx, s) or prev_subject
            continue
        dates = ctx.dates_in(s.start, s.end)
        start = next((d.value for d in dates if d.role in ("start", "since") and d.value), None)
        end = next((d.value for d in dates if d.role == "end" and d.value), None)
        status, stated = _status(ctx, s, start, end)
        if status == "ended" and stated and not end:
            # "will return home in January 2018": the date of an ending is its end
            points = [d.value for d in dates if d.role == "point" and d.value]
            if len(points) == 1:
                end = points[0]
        for a_start, a_end, asset in assets:
            family = "personnel" if asset in PERSONNEL_TASKS + ("personnel",) else asset
            adjacent, quantity, own = _adjacent(ctx, s, a_start)
            adjacent = adjacent or _adjective_after(ctx, s, a_end)
            if asset in PERSONNEL_TASKS:
                for p_start, p_end, _ in absorbed:
                    more, count, mine = _adjacent(ctx, s, p_start)
                    adjacent = adjacent or more or _adjective_after(ctx, s, p_end)
                    quantity = quantity or count
                    own = own or mine
            quoted = ctx.text[s.start] in "\"“„«‘'"
            if quoted and not (adjacent or own or _named_subject(ctx, s, a_start)):
                continue  # a minister's words with no one named: no deployment of their own
            actors = _actors(ctx, s, a_start, adjacent, own, carry.get(family))
            base, area = _places(ctx, s, actors)
            for actor in actors:
                if not actor:
                    continue
                fields = {"actor": actor, "asset": asset, "status": status}
                if quantity and len(actors) == 1:
                    fields["quantity"] = int(quantity) if float(quantity).is_integer() else quantity
                if base:
                    fields["base"] = base[0] if len(base) == 1 else base
                if area:
                    fields["area"] = [c for c in area if c != actor] or area
                if start:
                    fields["start"] = start
                if end:
                    fields["end"] = end
                event = ctx.event("deployment", fields, s.start, s.end, lang,
                                  [f"country:{actor}"])
                frames.append((event, stated))
                carry[family] = actor
        prev_subject = _subject(ctx, s) or prev_subject
    return frames


def _named_subject(ctx: Context, s: Sentence, at: int) -> bool:
    """A country named (not after a place preposition) before the asset, or the home words."""
    if cues.search(s.lang, ctx.text, "deployment", "home_words", pos=s.start, endpos=at):
        return True
    return any(not _locative(ctx, s, m) for m in ctx.mentions_in(s.start, at, "country"))


def _subject(ctx: Context, s: Sentence) -> str | None:
    subjects = [m for m in ctx.mentions_in(s.start, s.end, "country") if not _locative(ctx, s, m)]
    return ctx.code_of(subjects[0]) if subjects else None


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _base_keys(value) -> set[str]:
    """Bases compared by identity: "Akrotiri" and "RAF Akrotiri" are one base."""
    keys = set()
    for name in _as_list(value):
        entry = gazetteer().by_name(name)
        keys.add(entry.id if entry is not None else name)
    return keys


def _near(a: list[int], b: list[int]) -> bool:
    """Some sentence of one is within NEARBY characters of some sentence of the other."""
    return any(abs(x - y) <= NEARBY for x in a for y in b)


def _compatible(a: Event, a_stated: bool, b: Event, b_stated: bool,
                told: dict[int, list[int]]) -> bool:
    fa, fb = a.fields, b.fields
    if fa["actor"] != fb["actor"]:
        return False
    generic = "personnel" in (fa["asset"], fb["asset"])
    if fa["asset"] != fb["asset"] and not (generic and {fa["asset"], fb["asset"]} - {"personnel"}
                                           <= set(PERSONNEL_TASKS)
                                           and _near(told[id(a)], told[id(b)])):
        return False
    if fa["status"] != fb["status"] and a_stated and b_stated:
        return False
    ba, bb = _base_keys(fa.get("base")), _base_keys(fb.get("base"))
    if ba and bb and not ba & bb:
        return False
    for key in ("start", "end"):
        if not dates_compatible(fa.get(key), fb.get(key)):
            return False
    if fa.get("quantity") and fb.get("quantity") and fa["quantity"] != fb["quantity"]:
        return False
    return True


def extract(ctx: Context) -> list[Event]:
    merged: list[tuple[Event, bool]] = []
    told: dict[int, list[int]] = {}  # id(event) -> where the sentences merged into it start
    for event, stated in _frames(ctx):
        told[id(event)] = [event.start]
        for i, (kept, kept_stated) in enumerate(merged):
            if _compatible(kept, kept_stated, event, stated, told):
                if kept.fields["asset"] == "personnel" and event.fields["asset"] != "personnel":
                    kept.fields["asset"] = event.fields["asset"]
                if stated and not kept_stated:
                    kept.fields["status"] = event.fields["status"]
                merge_fields(kept, event)
                told[id(kept)] += told[id(event)]
                merged[i] = (kept, kept_stated or stated)
                break
        else:
            merged.append((event, stated))
    # a headline alone ("Minister in Irak: bezoek aan militairen") states no deployment that the
    # body does not state too
    headline = headline_end(ctx)
    merged = [(e, st) for e, st in merged if not all(at < headline for at in told[id(e)])]
    for event, _ in merged:
        _tidy_places(event)
    return [e for e, _ in merged]


def _tidy_places(event: Event) -> None:
    """One name per base; the countries of the bases are no area beside another one (F-16s
    flying from Jordan over Iraq and Syria operate in Iraq and Syria); a unit that only guards a
    base in a country operates there (area = the base's country)."""
    fields = event.fields
    bases, seen = [], set()
    for name in _as_list(fields.get("base")):
        key = next(iter(_base_keys(name)))
        if key not in seen:
            seen.add(key)
            bases.append(name)
    if bases:
        fields["base"] = bases[0] if len(bases) == 1 else bases
    base_codes = set()
    for name in bases:
        if len(name) == 2 and name.isupper():
            base_codes.add(name)
        else:
            entry = gazetteer().by_name(name)
            if entry is not None and entry.country:
                base_codes.add(entry.country)
    area = _as_list(fields.get("area"))
    if area and set(area) - base_codes:
        fields["area"] = [c for c in area if c not in base_codes]
    elif not area and bases and all(len(b) == 2 and b.isupper() for b in bases):
        fields["area"] = list(bases)
