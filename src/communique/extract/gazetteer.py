"""The entity gazetteer: data/gazetteer/*.yaml + CLDR country names (Babel) + demonyms, and a matcher.

Matching (see docs/DATA.md, "Gazetteer"): Aho-Corasick over a length-preserving folded copy of the
text (lower case, no diacritics, one apostrophe, one hyphen, one space: one char in, one char out,
so offsets are the text's), word boundaries on both sides (a hyphen is a boundary), per-alias case
rules, leftmost-longest and non-overlapping.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

import ahocorasick
from babel import Locale, UnknownLocaleError

from .. import resources
from ..errors import DataError

# gazetteer file stem -> entity type
FILE_TYPES = {
    "countries": "country",
    "organizations": "organization",
    "armed_groups": "armed_group",
    "operations": "operation",
    "places": "place",
    "equipment": "equipment",
    "persons": "person",
}
PLACE_KINDS = ("city", "town", "region", "base", "airport", "camp")
EQUIPMENT_KINDS = ("munition",)   # a munition is used, never deployed on its own
RECORD_KEYS = {"id", "type", "name", "qid", "aliases", "country", "kind", "coordinates", "roles", "note"}
# CLDR territory codes that are not ISO 3166-1 countries (XK, Kosovo, is kept: it is used as one).
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "EA", "IC", "DG", "AC", "TA", "CP", "CQ"})
# the order in which candidates sharing one surface form are preferred
_TYPE_PRIORITY = {t: i for i, t in enumerate(
    ("country", "organization", "armed_group", "operation", "place", "equipment", "person"))}

_APOSTROPHES = "\u2019\u2018\u02bc\u02bb`\u00b4\u2032"
_QUOTES = "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033"
_HYPHENS = "\u2010\u2011\u2012\u2013\u2014\u2212\u00ad\ufe63\uff0d"
_QID = re.compile(r"Q[1-9][0-9]*\Z")
_TOKENS = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Entry:
    id: str
    type: str
    name: str
    qid: str | None = None
    country: str | None = None
    kind: str | None = None
    coordinates: tuple[float, float] | None = None
    roles: tuple[str, ...] = ()
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)

    @property
    def code(self) -> str | None:
        """The ISO alpha-2 code of a country entry."""
        return self.id.split(":", 1)[1] if self.type == "country" else None

    def surface_forms(self, languages: Iterable[str] | None = None) -> list[str]:
        """The canonical name (not for countries) and the aliases of the given (or all) languages."""
        langs = self.aliases.keys() if languages is None else languages
        forms = [] if self.type == "country" else [self.name]
        for lang in langs:
            forms.extend(self.aliases.get(lang, ()))
        return list(dict.fromkeys(forms))


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    text: str
    entry_id: str
    form: str  # "name" | "demonym"


# ---------------------------------------------------------------- folding

class _FoldTable(dict):
    """str.translate table, filled lazily: one character in, exactly one character out."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch in _APOSTROPHES:
            out = "'"
        elif ch in _QUOTES:
            out = '"'
        elif ch in _HYPHENS:
            out = "-"
        elif ch.isspace():
            out = " "
        else:
            low = ch.lower()
            if len(low) != 1:
                low = ch
            base = unicodedata.normalize("NFD", low)[0]
            # a lone combining mark has no base: keep it
            out = base if not unicodedata.combining(base) else low
        self[code] = out
        return out


@lru_cache(maxsize=1)
def _fold_table() -> _FoldTable:
    return _FoldTable()


def fold(text: str) -> str:
    """Lower case, no diacritics, unified apostrophes/quotes/hyphens/spaces; len(fold(t)) == len(t)."""
    return text.translate(_fold_table())


def name_key(name: str) -> str:
    """Case-, accent- and punctuation-blind key of a name ("Bijleveld-Schouten" = "bijleveld schouten")."""
    return " ".join(_TOKENS.findall(fold(name)))


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch in "_$"


def _required_upper(alias: str) -> tuple[int, ...]:
    """Positions that must be upper case in the text: the first letter when the alias starts with a
    capital, and every letter of an all-capitals token (IS, US, F in F-16, ISIS in anti-ISIS)."""
    positions: set[int] = set()
    if alias[:1].isupper():
        positions.add(0)
    for m in _TOKENS.finditer(alias):
        tok = m.group()
        if any(c.isalpha() for c in tok) and not any(c.islower() for c in tok):
            positions.update(m.start() + i for i, c in enumerate(tok) if c.isupper())
    return tuple(sorted(positions))


def _is_all_caps(alias: str) -> bool:
    return any(c.isalpha() for c in alias) and not any(c.islower() for c in alias)


def _variants(alias: str) -> list[str]:
    """The alias, with each hyphen also as a space, and joined where a digit touches it (F-16 = F16)."""
    out = [alias]
    if "-" in alias:
        out.append(alias.replace("-", " "))
        joined = re.sub(r"(?<=\w)-(?=\d)|(?<=\d)-(?=\w)", "", alias)
        if joined != alias:
            out.append(joined)
    return out


@dataclass(frozen=True)
class _Candidate:
    entry_id: str
    form: str
    upper: tuple[int, ...]
    caps_guard: bool      # skip in a run of capitals: an all-caps alias that is an ordinary word
                          # in lower case (IS / is), and demonyms (the label "NEDERLANDSE TEKST")
    rank: tuple


_NOT_A_NAME = _Candidate("", "not_name", (), False, (True, 99, 0))


# ---------------------------------------------------------------- the gazetteer

class Gazetteer:
    def __init__(self, entries: dict[str, Entry], demonyms: dict[str, dict[str, tuple[str, ...]]],
                 stopwords: dict[str, frozenset[str]],
                 not_names: dict[str, tuple[str, ...]] | None = None):
        self._entries = entries
        self._demonyms = demonyms          # lang -> code -> forms
        self._stopwords = stopwords        # lang -> folded words
        self._not_names = not_names or {}  # lang -> phrases that hide the names inside them
        self._automata: dict[frozenset[str], ahocorasick.Automaton] = {}
        self._names: dict[str, str] | None = None

    # -- lookup
    def entry(self, entry_id: str) -> Entry | None:
        return self._entries.get(entry_id)

    def entries(self, type: str | None = None) -> list[Entry]:
        return [e for e in self._entries.values() if type is None or e.type == type]

    def country_name(self, code: str, lang: str = "en") -> str:
        code = code.upper()
        entry = self._entries.get(f"country:{code}")
        if lang == "en" and entry is not None:
            return entry.name
        names = _cldr_names(lang)
        if code in names:
            return names[code]
        return entry.name if entry is not None else code

    def by_name(self, name: str) -> Entry | None:
        """The entry whose canonical name or any alias (any language, demonyms excluded) is `name`."""
        if self._names is None:
            names: dict[str, str] = {}
            # aliases first, canonical names last so that they win a collision
            for entry in sorted(self._entries.values(), key=lambda e: -_TYPE_PRIORITY[e.type]):
                for form in entry.surface_forms():
                    for v in _variants(form):
                        names[name_key(v)] = entry.id
            for entry in self._entries.values():
                names[name_key(entry.name)] = entry.id
            self._names = names
        entry_id = self._names.get(name_key(name))
        return self._entries.get(entry_id) if entry_id else None

    # -- matching
    def find(self, text: str, languages: Iterable[str]) -> list[Hit]:
        """Non-overlapping, leftmost-longest hits of every entry named in `text`."""
        langs = frozenset(l.lower() for l in languages)
        automaton = self._automaton(langs)
        if not text or len(automaton) == 0:
            return []
        folded = fold(text)
        n = len(text)
        found: list[tuple[int, int, _Candidate]] = []
        for last, (length, candidates) in automaton.iter(folded):
            start, end = last - length + 1, last + 1
            if start > 0 and _is_word(folded[start]) and _is_word(folded[start - 1]):
                continue
            if end < n and _is_word(folded[last]) and _is_word(folded[end]):
                continue
            for cand in candidates:
                if all(text[start + i].isupper() for i in cand.upper) and not (
                        cand.caps_guard and text[start:end].isupper() and _in_capitals(text, start, end)):
                    found.append((start, end, cand))
                    break
        found.sort(key=lambda m: (m[0], m[0] - m[1]))
        hits: list[Hit] = []
        pos = 0
        for start, end, cand in found:
            if start >= pos:
                if cand is not _NOT_A_NAME:
                    hits.append(Hit(start, end, text[start:end], cand.entry_id, cand.form))
                pos = end
        return hits

    def _automaton(self, langs: frozenset[str]) -> ahocorasick.Automaton:
        automaton = self._automata.get(langs)
        if automaton is None:
            automaton = self._build(langs)
            self._automata[langs] = automaton
        return automaton

    def _build(self, langs: frozenset[str]) -> ahocorasick.Automaton:
        stop = frozenset().union(*(self._stopwords.get(l, frozenset()) for l in langs))
        table: dict[str, list[_Candidate]] = {}

        def add(alias: str, entry: Entry, form: str) -> None:
            for variant in _variants(alias):
                key = fold(variant)
                if not key.strip():
                    continue
                # a demonym in capitals is most often a label ("NEDERLANDSE TEKST"): guard it too
                cand = _Candidate(entry.id, form, _required_upper(variant),
                                  (_is_all_caps(variant) and key in stop) or form == "demonym",
                                  (form != "name", _TYPE_PRIORITY[entry.type], -len(_required_upper(variant))))
                bucket = table.setdefault(key, [])
                if not any(c.entry_id == cand.entry_id and c.upper == cand.upper for c in bucket):
                    bucket.append(cand)

        for entry in self._entries.values():
            for alias in entry.surface_forms(langs):
                add(alias, entry, "name")
        for lang in langs:
            for code, forms in self._demonyms.get(lang, {}).items():
                entry = self._entries.get(f"country:{code}")
                if entry is not None:
                    for form in forms:
                        add(form, entry, "demonym")
            for phrase in self._not_names.get(lang, ()):
                # "coalition government": a hit of its own that names nothing, and being longer
                # than "coalition" it wins the overlap
                table.setdefault(fold(phrase), []).append(_NOT_A_NAME)
        automaton = ahocorasick.Automaton()
        for key, cands in table.items():
            # the strictest case pattern first, so that "IS" is tried before "Is"
            cands.sort(key=lambda c: c.rank)
            automaton.add_word(key, (len(key), tuple(cands)))
        if len(automaton):
            automaton.make_automaton()
        return automaton


def _in_capitals(text: str, start: int, end: int) -> bool:
    """True when a neighbouring word is also in capitals (a headline "DIT IS EEN"): then an all-caps
    alias that is an ordinary word in lower case (IS) proves nothing."""
    before = re.findall(r"[^\W\d_]+", text[max(0, start - 40):start])
    after = re.findall(r"[^\W\d_]+", text[end:end + 40])
    for words in (before[-1:], after[:1]):
        if words and len(words[0]) > 1 and words[0].isupper():
            return True
    return False


# ---------------------------------------------------------------- loading

@lru_cache(maxsize=None)
def _cldr_names(lang: str) -> dict[str, str]:
    """ISO alpha-2 code -> CLDR territory name in `lang` ({} for a language Babel does not know)."""
    try:
        territories = Locale.parse(lang).territories
    except (UnknownLocaleError, ValueError):
        return {}
    return {c: n for c, n in territories.items()
            if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES}


@lru_cache(maxsize=1)
def iso_codes() -> frozenset[str]:
    return frozenset(_cldr_names("en"))


def _stoplist(lang: str) -> dict:
    path = resources.data_dir() / "gazetteer" / "stoplists" / f"{lang}.yaml"
    if not path.exists():
        return {}
    loaded = resources._load_yaml(str(path)) or {}
    if not isinstance(loaded, dict):
        raise DataError(f"{path}: the top level must be a mapping")
    return loaded


def _cldr_forms(name: str) -> list[str]:
    """"Myanmar (Burma)" -> Myanmar (Burma), Myanmar, Burma."""
    forms = [name]
    m = re.fullmatch(r"(.+?)\s*\((.+)\)", name)
    if m:
        forms += [m.group(1), m.group(2)]
    return forms


def _languages() -> list[str]:
    return resources.languages()


def _country_entries(records: list[dict], stoplists: dict[str, dict]) -> dict[str, Entry]:
    extra = {r["id"]: r for r in records if r.get("type") == "country"}
    entries: dict[str, Entry] = {}
    langs = _languages()
    for code, en_name in sorted(_cldr_names("en").items()):
        eid = f"country:{code}"
        rec = extra.get(eid, {})
        aliases: dict[str, list[str]] = {}
        for lang in langs:
            excluded = {fold(x) for x in stoplists.get(lang, {}).get("cldr_exclude") or []}
            cldr = _cldr_names(lang).get(code)
            forms = [f for f in _cldr_forms(cldr) if fold(f) not in excluded] if cldr else []
            aliases[lang] = forms
        for lang, forms in (rec.get("aliases") or {}).items():
            aliases.setdefault(lang, []).extend(forms)
        coords = rec.get("coordinates")
        entries[eid] = Entry(
            id=eid, type="country", name=rec.get("name") or en_name, qid=rec.get("qid"),
            country=code, coordinates=tuple(coords) if coords else None,
            aliases={l: tuple(dict.fromkeys(f)) for l, f in aliases.items() if f},
        )
    return entries


def _record_entry(rec: dict) -> Entry:
    coords = rec.get("coordinates")
    return Entry(
        id=rec["id"], type=rec["type"], name=rec["name"], qid=rec.get("qid"),
        country=rec.get("country"), kind=rec.get("kind"),
        coordinates=tuple(coords) if coords else None,
        roles=tuple(rec.get("roles") or ()),
        aliases={l: tuple(f) for l, f in (rec.get("aliases") or {}).items()},
    )


def _demonyms(lang: str) -> dict[str, tuple[str, ...]]:
    data = resources.lang_data(lang, "demonyms")
    return {str(code).upper(): tuple(forms or ()) for code, forms in data.items()}


def load() -> Gazetteer:
    """A fresh Gazetteer from the data files (validated) and Babel."""
    validate()
    langs = _languages()
    stoplists = {l: _stoplist(l) for l in langs}
    records = resources.gazetteer_records()
    entries = _country_entries(records, stoplists)
    for rec in records:
        if rec["type"] != "country":
            entries[rec["id"]] = _record_entry(rec)
    demonyms = {l: _demonyms(l) for l in langs}
    stopwords = {l: frozenset(fold(w) for w in stoplists[l].get("stopwords") or []) for l in langs}
    not_names = {l: tuple(stoplists[l].get("not_names") or ()) for l in langs}
    return Gazetteer(entries, demonyms, stopwords, not_names)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer, built once."""
    return load()


@lru_cache(maxsize=None)
def offices(lang: str) -> dict[str, str | None]:
    """data/lang/<lang>/offices.yaml as one mapping: surface phrase -> English role (None for a cue
    word such as "counterpart" that points at a person without naming an office)."""
    data = resources.lang_data(lang, "offices")
    out: dict[str, str | None] = dict(data.get("titles") or {})
    for cue in data.get("cues") or []:
        out.setdefault(cue, None)
    return out


# ---------------------------------------------------------------- validation

def _fail(path, where: str, message: str) -> None:
    raise DataError(f"{path}: {where}: {message}")


def _check_forms(path, where: str, forms, stop: frozenset[str]) -> None:
    if not isinstance(forms, list) or not all(isinstance(f, str) and f.strip() for f in forms):
        _fail(path, where, "must be a list of non-empty strings")
    for form in forms:
        # an alias in capitals only matches capitals (IS); any other must not be an ordinary word
        if not _is_all_caps(form) and fold(form) in stop:
            _fail(path, where, f"alias {form!r} is an ordinary word of the language (stoplist)")


def validate() -> None:
    """Check every gazetteer, stoplist, demonym and office file; raise DataError naming the file and
    the record."""
    langs = _languages()
    codes = iso_codes()
    stops: dict[str, frozenset[str]] = {}
    for lang in langs:
        sl = _stoplist(lang)
        path = resources.data_dir() / "gazetteer" / "stoplists" / f"{lang}.yaml"
        for key, value in sl.items():
            if key not in ("stopwords", "cldr_exclude", "not_names") or not isinstance(value, list) \
                    or not all(isinstance(v, str) for v in value):
                _fail(path, str(key), "expected stopwords: [..], cldr_exclude: [..] and not_names: [..]"
                                      " of quoted strings")
        stops[lang] = frozenset(fold(w) for w in sl.get("stopwords") or [])
    seen: dict[str, str] = {}
    for path in resources.gazetteer_files():
        expected = FILE_TYPES.get(path.stem)
        if expected is None:
            _fail(path, "file", f"unknown entity file; expected one of {sorted(FILE_TYPES)}")
        records = resources._load_yaml(str(path)) or []
        if not isinstance(records, list):
            _fail(path, "file", "the top level must be a list of records")
        for i, rec in enumerate(records):
            where = f"record {i + 1}"
            if not isinstance(rec, dict) or not isinstance(rec.get("id"), str):
                _fail(path, where, "a record is a mapping with an id")
            where = f"record {i + 1} ({rec['id']})"
            unknown = set(rec) - RECORD_KEYS
            if unknown:
                _fail(path, where, f"unknown keys {sorted(unknown)}")
            if rec.get("type") != expected:
                _fail(path, where, f"type must be {expected!r} in {path.name}")
            prefix, _, slug = rec["id"].partition(":")
            if prefix != expected or not slug:
                _fail(path, where, f"id must be '{expected}:<slug>'")
            if rec["id"] in seen:
                _fail(path, where, f"duplicate id (also in {seen[rec['id']]})")
            seen[rec["id"]] = path.name
            if expected == "country":
                if slug not in codes:
                    _fail(path, where, f"{slug!r} is not an ISO 3166-1 alpha-2 code")
            elif not isinstance(rec.get("name"), str) or not rec["name"].strip():
                _fail(path, where, "name is required")
            if "qid" in rec and not (isinstance(rec["qid"], str) and _QID.match(rec["qid"])):
                _fail(path, where, f"qid {rec['qid']!r} is not a Wikidata QID")
            if "country" in rec and rec["country"] not in codes:
                _fail(path, where, f"country {rec['country']!r} is not an ISO 3166-1 alpha-2 code")
            kinds = EQUIPMENT_KINDS if expected == "equipment" else PLACE_KINDS
            if "kind" in rec and rec["kind"] not in kinds:
                _fail(path, where, f"kind must be one of {kinds}")
            coords = rec.get("coordinates")
            if coords is not None and not (
                    isinstance(coords, list) and len(coords) == 2
                    and all(isinstance(c, (int, float)) for c in coords)
                    and -90 <= coords[0] <= 90 and -180 <= coords[1] <= 180):
                _fail(path, where, "coordinates must be [lat, lon]")
            roles = rec.get("roles")
            if roles is not None and not (isinstance(roles, list) and all(isinstance(r, str) for r in roles)):
                _fail(path, where, "roles must be a list of strings")
            aliases = rec.get("aliases") or {}
            if not isinstance(aliases, dict):
                _fail(path, where, "aliases must be a mapping language -> list")
            for lang, forms in aliases.items():
                if not (isinstance(lang, str) and re.fullmatch(r"[a-z]{2,3}", lang)):
                    _fail(path, where, f"alias language {lang!r} is not an ISO 639-1 code")
                _check_forms(path, f"{where} aliases.{lang}", forms, stops.get(lang, frozenset()))
    for lang in langs:
        path = resources.data_dir() / "lang" / lang / "demonyms.yaml"
        for code, forms in resources.lang_data(lang, "demonyms").items():
            if str(code) not in codes:
                _fail(path, str(code), "not an ISO 3166-1 alpha-2 code")
            _check_forms(path, str(code), forms, stops[lang])
        path = resources.data_dir() / "lang" / lang / "offices.yaml"
        data = resources.lang_data(lang, "offices")
        for key in data:
            if key not in ("titles", "cues"):
                _fail(path, str(key), "expected titles: {phrase: role} and cues: [phrase]")
        titles = data.get("titles") or {}
        if not isinstance(titles, dict):
            _fail(path, "titles", "must be a mapping phrase -> English role")
        for phrase, role in titles.items():
            if not isinstance(phrase, str) or not (role is None or isinstance(role, str)):
                _fail(path, f"titles.{phrase}", "a phrase maps to an English role (or null)")
        cues = data.get("cues") or []
        if not isinstance(cues, list) or not all(isinstance(c, str) for c in cues):
            _fail(path, "cues", "must be a list of phrases")
