"""Entities of one document: gazetteer hits, persons found by their cues, one identity per entity.

Persons need more than a list: a release names ministers the gazetteer may not know. A capitalised
name is taken as a person only next to a cue that the language data gives — an office title before
it ("minister", "US Secretary of State", "la ministre des Armées"), a speech verb ("aldus", "said",
"a déclaré"), or the "Name: “quotation”" pattern. Every other occurrence of a known person's full
name or surname in the document is then linked to that person, so `Bijleveld` and
`Ank Bijleveld-Schouten` are one entity.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..model import Document, Entity, Mention
from ..resources import lang_data
from .cues import Cue, matcher
from .gazetteer import Entry, Hit, fold, gazetteer, name_key, offices

_TOKEN = re.compile(r"[^\W\d_][\w'’\-.]*")
_QUOTE_OPEN = "\"“„«"


@dataclass
class PersonFinding:
    start: int
    end: int
    name: str
    roles: list[str] = field(default_factory=list)
    country: str | None = None
    cue_end: int | None = None        # end of an office tail after the name ("… van Defensie")


@dataclass
class Entities:
    """The entities of a document and the mentions that name them, sorted by offset."""

    entities: dict[str, Entity]
    mentions: list[Mention]

    def of_type(self, *types: str) -> list[Mention]:
        return [m for m in self.mentions if self.entities[m.entity].type in types]

    def entity(self, entity_id: str) -> Entity:
        return self.entities[entity_id]


# -------------------------------------------------------------------- language data

@lru_cache(maxsize=None)
def _person_data(lang: str) -> dict:
    return lang_data(lang, "events").get("persons", {})


@lru_cache(maxsize=None)
def _particles(lang: str) -> frozenset[str]:
    return frozenset(p.lower() for p in _person_data(lang).get("particles", []) if " " not in p)


@lru_cache(maxsize=None)
def _possessives(lang: str) -> tuple[str, ...]:
    return tuple(_person_data(lang).get("possessives", []))


@lru_cache(maxsize=None)
def _office_regex(lang: str) -> Cue | None:
    titles = sorted(offices(lang), key=len, reverse=True)
    if not titles:
        return None
    return Cue([re.escape(t) for t in titles], tail=r"(?![\w-])")


@lru_cache(maxsize=None)
def _office_tails(lang: str) -> dict[str, list[tuple[str, str | None]]]:
    """bare title -> [(rest of a longer title, role)]: "minister" -> [("van Defensie", ...)]."""
    table = offices(lang)
    tails: dict[str, list[tuple[str, str | None]]] = {}
    for title in table:
        for other, role in table.items():
            if other.lower().startswith(title.lower() + " ") and other != title:
                tails.setdefault(title.lower(), []).append((other[len(title) + 1:], role))
    for rest in tails.values():
        rest.sort(key=lambda tr: -len(tr[0]))
    return tails


@lru_cache(maxsize=None)
def _office_words(lang: str) -> frozenset[str]:
    """Words of titles ("minister", "secretary", "foreign") and articles: never the first word of a
    name ("Secretary Pompeo", "The Foreign Secretary")."""
    words = {w.lower() for t in offices(lang) for w in re.findall(r"[^\W\d_]+", t)}
    words |= {a.lower() for a in _person_data(lang).get("articles", [])}
    return frozenset(words - _particles(lang))


@lru_cache(maxsize=None)
def _honorifics(lang: str) -> frozenset[str]:
    return frozenset(h.lower().rstrip(".") for h in _person_data(lang).get("honorifics", []))


@lru_cache(maxsize=None)
def _list_separator(lang: str) -> re.Pattern:
    """What stands between two names of a list: a comma or a joiner ("en", "and", "et")."""
    joiners = [j for j in _person_data(lang).get("list_joiners", []) if j != ","]
    if not joiners:
        return re.compile(r",\s*")
    return re.compile(r",\s*|\s+(?:%s)\s+" % "|".join(map(re.escape, joiners)))


def _whole_words(haystack: str, needle: str, right_hyphen: bool = True):
    """Start offsets of `needle` in `haystack` as a whole word (a hyphen counts as part of a word
    on the left, and on the right too unless `right_hyphen` is False). Plain string search: the
    names are the document's own, so no pattern is compiled for them."""
    i = haystack.find(needle)
    while i >= 0:
        before = haystack[i - 1] if i > 0 else " "
        j = i + len(needle)
        after = haystack[j] if j < len(haystack) else " "
        if not (before.isalnum() or before in "_-") and \
                not (after.isalnum() or after == "_" or (right_hyphen and after == "-")):
            yield i
        i = haystack.find(needle, i + 1)


@lru_cache(maxsize=None)
def _honorific_lead(lang: str) -> re.Pattern:
    words = sorted(_person_data(lang).get("honorifics", []), key=len, reverse=True)
    articles = _person_data(lang).get("articles", [])
    if not words:
        return re.compile(r"(?!x)x")
    alternation = "|".join(re.escape(w) for w in words)
    art = "|".join(re.escape(a.lower()) for a in articles) or "the"
    return re.compile(rf"(?:(?:{alternation})\.?\s+(?:(?:{art})\s+)?)+(?=[^\W\d_])")


@lru_cache(maxsize=None)
def _all_tails(lang: str) -> tuple[str, ...]:
    """Every title tail ("van Defensie", "of Foreign Affairs"), longest first, lower case."""
    tails = {rest.lower() for rests in _office_tails(lang).values() for rest, _ in rests}
    return tuple(sorted(tails, key=len, reverse=True))


def _trim_name(text: str, span: tuple[int, int] | None, lang: str) -> tuple[int, int] | None:
    """Drop leading titles ("Minister Stef Blok") and a trailing title tail ("… van Defensie")."""
    if span is None:
        return None
    start, end = span
    words = _office_words(lang) | _honorifics(lang)
    while True:
        m = _TOKEN.match(text, start)
        if m and m.end() < end and m.group().lower().rstrip(".") in words:
            start = m.end() + 1
            continue
        break
    name = text[start:end].lower()
    for tail in _all_tails(lang):
        if name.endswith(" " + tail):
            end -= len(tail) + 1
            break
    if end <= start:
        return None
    return start, end


@lru_cache(maxsize=None)
def _office_roles(lang: str) -> dict[str, str | None]:
    return {k.lower(): v for k, v in offices(lang).items()}


@lru_cache(maxsize=None)
def _office_country(lang: str) -> dict[str, str]:
    """Titles that belong to one government ("Secretary of State" -> US), folded."""
    table = _person_data(lang).get("office_country") or {}
    return {fold(k): v for k, v in table.items()}


# -------------------------------------------------------------------- names

def read_name(text: str, pos: int, lang: str, stop: set[int], max_tokens: int = 5
              ) -> tuple[int, int] | None:
    """The capitalised name that starts at `pos` (after spaces), as (start, end), or None.

    `stop` holds start offsets of gazetteer hits that are not persons: a name ends before them.
    """
    particles = _particles(lang)
    i = pos
    while i < len(text) and text[i] in " \t":
        i += 1
    # "Senator the Hon Marise Payne": honorifics and "the" before a name are no part of it
    lead = _honorific_lead(lang).match(text, i)
    if lead:
        i = lead.end()
    start = i
    tokens: list[tuple[int, int, bool]] = []  # (start, end, is_particle)
    while len(tokens) < max_tokens:
        m = _TOKEN.match(text, i)
        if not m:
            break
        word = m.group().rstrip(".'’")
        owner = next((p for p in _possessives(lang) if word.endswith(p) and len(word) > len(p)), "")
        word = word[:len(word) - len(owner)]   # "Minister Payne's office": the name is Payne
        s, e = m.start(), m.start() + len(word)
        if word[:1].isupper() and s not in stop and not _looks_like_code(word):
            tokens.append((s, e, False))
            if owner:
                break
        elif word.lower() in particles and tokens:
            if _tail_at(text, s, lang):
                break  # "Hanke Bruins Slot van Buitenlandse Zaken": the title goes on
            tokens.append((s, e, True))
        else:
            break
        i = e
        if i < len(text) and text[i] == " ":
            i += 1
        else:
            break
    while tokens and tokens[-1][2]:
        tokens.pop()
    if not tokens:
        return None
    return _trim_name(text, (start, tokens[-1][1]), lang)


def _tail_at(text: str, pos: int, lang: str) -> bool:
    rest = text[pos:pos + 80].lower()
    return any(rest.startswith(tail) for tail in _all_tails(lang))


def _looks_like_code(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters) or any(c.isdigit() for c in word)


def _read_name_backwards(text: str, end: int, lang: str) -> tuple[int, int] | None:
    """The capitalised tokens that end at `end` (a colon or speech verb follows), as (start, end)."""
    i = end
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    name_end = i
    start = None
    particles = _particles(lang)
    count = 0
    while i > 0 and count < 5:
        j = i
        while j > 0 and (text[j - 1].isalpha() or text[j - 1] in "-'’."):
            j -= 1
        word = text[j:i]
        if not word:
            break
        if word.endswith(".") and len(word.rstrip(".")) > 1:
            break  # "Erbil. Bijleveld": a full stop ends the previous sentence
        if word[:1].isupper():
            start = j
        elif word.lower() not in particles:
            break
        count += 1
        if j > 0 and text[j - 1] == " ":
            i = j - 1
        else:
            break
    if start is None:
        return None
    return _trim_name(text, (start, name_end), lang)


# -------------------------------------------------------------------- the stages

def _office_persons(text: str, lang: str, hits: list[Hit], stop: set[int]) -> list[PersonFinding]:
    """Names after an office title ("minister Ank Bijleveld van Defensie", "US Secretary of State
    Antony Blinken", "De defensieministers James Mattis, Ank Bijleveld-Schouten en …")."""
    regex = _office_regex(lang)
    if regex is None:
        return []
    roles = _office_roles(lang)
    tails = _office_tails(lang)
    country_before = {h.end: h for h in hits if h.entry_id.startswith("country:")}
    out: list[PersonFinding] = []
    for m in regex.finditer(text):
        title = m.group().lower()
        role = roles.get(title)
        # "Nasser Bourita, Minister of Foreign Affairs …": the name before a comma
        before = text[max(0, m.start() - 2):m.start()]
        if before == ", ":
            back = _read_name_backwards(text, m.start() - 2, lang)
            if back and " " in text[back[0]:back[1]]:
                out.append(PersonFinding(back[0], back[1], text[back[0]:back[1]],
                                         [role] if role else []))
        country = None
        for gap in (1, 0):
            hit = country_before.get(m.start() - gap)
            if hit is not None:
                country = hit.entry_id.split(":", 1)[1]
                break
        if country is None:
            country = _office_country(lang).get(fold(title))
        pos = m.end()
        comma = re.match(r",\s+(?=[^\W\d_])", text[pos:pos + 4])
        if comma and text[pos + comma.end()].isupper():
            pos += comma.end()  # "le ministre de la Défense nationale, Harjit S. Sajjan"
        while True:
            span = read_name(text, pos, lang, stop)
            if span is None:
                break
            finding = PersonFinding(span[0], span[1], text[span[0]:span[1]],
                                    [role] if role else [], country)
            # the rest of a longer title after the name: "minister <Name> van Defensie"
            for rest, full_role in tails.get(title, []):
                after = text[finding.end:finding.end + len(rest) + 1]
                if after[:1] == " " and after[1:].lower() == rest.lower():
                    finding.roles = [full_role] if full_role else finding.roles
                    finding.cue_end = finding.end + 1 + len(rest)
                    break
            # a name whose last words are a title tail was read too far ("Bijleveld van Defensie")
            out.append(finding)
            nxt = finding.cue_end or finding.end
            sep = _list_separator(lang).match(text[nxt:nxt + 6])
            if not sep:
                break
            pos = nxt + sep.end()
            follow = read_name(text, pos, lang, stop)
            if follow is None or " " not in text[follow[0]:follow[1]]:
                break
    return out


def _skip_lead(text: str, pos: int, stop: set[int], lang: str) -> int:
    """After a speech verb, skip an article, a title and country adjectives ("selon le prince
    Faisal…", "zei de Amerikaanse minister Blinken") up to the capitalised name."""
    words = None
    for _ in range(9):
        m = re.match(r"\s*,?\s*([^\W\d_][\w'’-]*)", text[pos:pos + 60])
        if not m:
            break
        word_start = pos + m.start(1)
        word = m.group(1)
        if words is None:
            words = _office_words(lang) | _honorifics(lang)
        if word[:1].islower() or word_start in stop or word.lower() in words:
            pos += m.end()
            continue
        break
    m = re.match(r"\s*,\s*", text[pos:pos + 5])
    return pos + m.end() if m else pos


def _attributed_persons(text: str, lang: str, stop: set[int], hits: list[Hit]
                        ) -> list[PersonFinding]:
    """Names next to a speech verb ("aldus Sophie Wilmès", "said Jane Doe") or before a colon that
    opens a quotation at the start of a sentence ("Bijleveld: “…"). A verb inside a name that the
    gazetteer knows is none ("the United States Marine Corps")."""
    out: list[PersonFinding] = []
    speech = matcher(lang, "persons", "speech")
    if speech is not None:
        for m in speech.finditer(text):
            if any(h.start <= m.start() < h.end for h in hits):
                continue
            span = read_name(text, _skip_lead(text, m.end(), stop, lang), lang, stop, max_tokens=4)
            if span:
                out.append(PersonFinding(span[0], span[1], text[span[0]:span[1]]))
            back = _read_name_backwards(text, m.start(), lang)
            if back and " " in text[back[0]:back[1]].strip():
                out.append(PersonFinding(back[0], back[1], text[back[0]:back[1]]))
    for m in re.finditer(r":\s*[\"“„«]", text):
        back = _read_name_backwards(text, m.start(), lang)
        if not back:
            continue
        before = text[:back[0]].rstrip(" \t")
        if before and before[-1] not in ".!?\n”\"":
            continue  # not at the start of a sentence: "… binnen de Coalitie: “…"
        out.append(PersonFinding(back[0], back[1], text[back[0]:back[1]]))
    return out


def _language_of(document: Document, offset: int) -> str:
    return document.language_at(offset) or "en"


def find_entities(document: Document) -> Entities:
    """Every entity the document names, with its mentions."""
    text = document.text
    langs = list(dict.fromkeys([*document.languages, "en"]))
    gaz = gazetteer()
    hits = gaz.find(text, langs)

    # 1. persons from cues, per language segment
    findings: list[PersonFinding] = []
    segments = document.segments or []
    spans = [(s.start, s.end, s.language) for s in segments] or [(0, len(text), langs[0])]
    for s_start, s_end, lang in spans:
        chunk = text[s_start:s_end]
        local_hits = [Hit(h.start - s_start, h.end - s_start, h.text, h.entry_id, h.form)
                      for h in hits if s_start <= h.start < s_end]
        local_stop = {h.start for h in local_hits if not h.entry_id.startswith("person:")}
        for f in _office_persons(chunk, lang, local_hits, local_stop) + \
                _attributed_persons(chunk, lang, local_stop, local_hits):
            if any(f.start <= h < f.end for h in local_stop):
                continue  # "the Chief of the German Air Force": a name holds no country or body
            f.start += s_start
            f.end += s_start
            if f.cue_end is not None:
                f.cue_end += s_start
            findings.append(f)

    # 2. one identity per person
    people = _PersonIndex(gaz)
    for h in hits:
        if h.entry_id.startswith("person:"):
            people.add_known(h.entry_id)
    for f in sorted(findings, key=lambda f: -len(f.name)):
        people.add_finding(f)
    people.complete_surnames(text, lambda at: _language_of(document, at))

    # 3. mentions: persons first (their spans win), then every other gazetteer hit outside them
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []
    office_tails = [(f.end, f.cue_end) for f in findings if f.cue_end]
    for start, end, pid in people.occurrences(text):
        mentions.append(Mention(start, end, text[start:end], pid, _language_of(document, start)))
        taken.append((start, end))
    for h in hits:
        if h.entry_id.startswith("person:"):
            continue
        if any(s < h.end and h.start < e for s, e in taken + office_tails):
            continue
        mentions.append(Mention(h.start, h.end, h.text, h.entry_id, _language_of(document, h.start)))
        # a region names its country ("Noordoost-Syrië", "north-east of Syria")
        entry = gaz.entry(h.entry_id)
        if entry is not None and entry.type == "place" and entry.kind == "region" and entry.country:
            mentions.append(Mention(h.start, h.end, h.text, f"country:{entry.country}",
                                    _language_of(document, h.start)))
    mentions.sort(key=lambda m: (m.start, m.end))

    # 4. entities
    entities: dict[str, Entity] = {}
    for m in mentions:
        if m.entity not in entities:
            entities[m.entity] = people.entity(m.entity) if m.entity.startswith("person:") \
                else _entity_from_entry(gaz.entry(m.entity))
        entities[m.entity].mentions.append(m)
    return Entities(entities, mentions)


def _entity_from_entry(entry: Entry) -> Entity:
    return Entity(
        id=entry.id, type=entry.type, name=entry.name, code=entry.code,
        country=entry.country, qid=entry.qid, roles=list(entry.roles),
        coordinates=list(entry.coordinates) if entry.coordinates else None,
    )


class _PersonIndex:
    """Persons of one document: gazetteer entries and names found by cues, merged by name."""

    def __init__(self, gaz):
        self.gaz = gaz
        self.people: dict[str, dict] = {}  # id -> {name, forms, roles, country, qid}

    def add_known(self, entry_id: str) -> None:
        entry = self.gaz.entry(entry_id)
        if entry_id not in self.people and entry is not None:
            forms = set(entry.surface_forms())
            self.people[entry_id] = {"name": entry.name, "forms": forms, "roles": list(entry.roles),
                                     "country": entry.country, "qid": entry.qid}

    def _match(self, name: str) -> str | None:
        key = name_key(name).split()
        for pid, person in self.people.items():
            for form in person["forms"] | {person["name"]}:
                fkey = name_key(form).split()
                if key == fkey or (len(key) >= 1 and _subsequence(key, fkey)) or \
                        (len(fkey) >= 2 and _subsequence(fkey, key)):
                    return pid
                # a surname alone, or one part of a double-barrelled surname
                if len(key) == 1 and key[0] in fkey[1:]:
                    return pid
        return None

    def add_finding(self, f: PersonFinding) -> None:
        entry = self.gaz.by_name(f.name)
        if entry is None:
            # "Harjit S. Sajjan", "Lloyd J. Austin": the gazetteer knows the name without initials
            bare = " ".join(w for w in f.name.split() if len(w.rstrip(".")) > 1)
            if bare != f.name:
                entry = self.gaz.by_name(bare)
        if entry is not None and entry.type != "person":
            return  # a place or organisation read as a name ("Coalitie", "Irak")
        pid = entry.id if entry is not None else self._match(f.name)
        if entry is not None:
            self.add_known(entry.id)
        if pid is None:
            if len(f.name.split()) == 1 and not f.roles:
                return  # a lone capitalised word with no office is too weak to be a person
            pid = "person:" + "_".join(name_key(f.name).split())
            self.people[pid] = {"name": f.name, "forms": {f.name}, "roles": [], "country": None,
                                "qid": None}
        person = self.people[pid]
        person["forms"].add(f.name)
        if entry is None and len(f.name) > len(person["name"]):
            person["name"] = f.name
        for role in f.roles:
            if role and role not in person["roles"]:
                person["roles"].append(role)
        if f.country and not person["country"]:
            person["country"] = f.country

    def complete_surnames(self, text: str, lang_of) -> None:
        """A person known by a surname only ("Bourita") takes the full name the document also
        writes ("Nasser Bourita"): the capitalised words right before the surname."""
        for pid, person in list(self.people.items()):
            name = person["name"]
            if " " in name or self.gaz.entry(pid) is not None:
                continue
            for at in _whole_words(text, name):
                end = at + len(name)
                back = _read_name_backwards(text, end, lang_of(at))
                if back and back[1] == end and back[0] < at:
                    full = text[back[0]:back[1]]
                    if len(full.split()) <= 4:
                        person["name"] = full
                        person["forms"].add(full)
                        break

    def occurrences(self, text: str) -> list[tuple[int, int, str]]:
        """Every occurrence of every form (and surname) of every person, longest first."""
        folded = fold(text)
        candidates: list[tuple[int, int, str]] = []
        for pid, person in self.people.items():
            forms = set(person["forms"]) | {person["name"]}
            for form in list(forms):
                parts = form.split()
                if len(parts) > 1:
                    forms.add(parts[-1])
                    if "-" in parts[-1]:
                        forms.add(parts[-1].split("-")[0])
            for form in forms:
                needle = fold(form)
                if len(needle) < 3:
                    continue
                for at in _whole_words(folded, needle, right_hyphen=False):
                    if text[at].isupper():
                        candidates.append((at, at + len(needle), pid))
        candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
        out, pos = [], -1
        for start, end, pid in candidates:
            if start >= pos:
                out.append((start, end, pid))
                pos = end
        return out

    def entity(self, pid: str) -> Entity:
        person = self.people[pid]
        return Entity(id=pid, type="person", name=person["name"], country=person["country"],
                      qid=person["qid"], roles=list(person["roles"]),
                      aliases=sorted(person["forms"] - {person["name"]}))


def _subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(tok in it for tok in short)
