"""The types that flow through the pipeline: ingest -> language -> extract -> resolve -> store.

Plain dataclasses, no behaviour beyond (de)serialisation, so that the same objects travel through a
loop, a web request or a Spark partition (they pickle and they turn into JSON).

Offsets are always character offsets into `Document.text` (Python str indices, end exclusive).
"""
from __future__ import annotations

import hashlib
import copy
from dataclasses import asdict, dataclass, field, fields
from typing import Any

EVENT_TYPES = ("meeting", "deployment", "funding", "quote", "milestone", "membership")
ENTITY_TYPES = (
    "person", "country", "organization", "armed_group", "operation", "place", "equipment",
)


@dataclass
class Segment:
    """A run of paragraphs in one language."""

    start: int
    end: int
    language: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Document:
    """One release as ingested: its text, where it came from and what the ingest read off it."""

    id: str                              # file name, or the `id` of a JSON Lines record
    text: str
    source: str = ""                     # path or URL it was read from ("-" for stdin)
    title: str | None = None
    published: str | None = None         # partial ISO date: 2019-06-27, 2020-09, 2014
    url: str | None = None
    declared_language: str | None = None  # a language the source declared (JSON Lines field)
    segments: list[Segment] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def language_at(self, offset: int) -> str | None:
        for seg in self.segments:
            if seg.start <= offset < seg.end:
                return seg.language
        return self.languages[0] if self.languages else self.declared_language

    def to_dict(self) -> dict:
        d = asdict(self)
        d["content_hash"] = self.content_hash
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Document":
        d = dict(d)
        d.pop("content_hash", None)
        d["segments"] = [Segment(**s) for s in d.get("segments") or []]
        return cls(**d)


@dataclass
class Mention:
    """A stretch of text that names an entity."""

    start: int
    end: int
    text: str
    entity: str                          # Entity.id
    language: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Entity:
    """One real-world thing named in a document, under its canonical English name.

    `id` is stable across documents: the gazetteer id (e.g. `country:BE`, `armed_group:daesh`) or,
    for a person absent from the gazetteer, `person:<normalised full name>`.
    """

    id: str
    type: str                            # one of ENTITY_TYPES
    name: str                            # canonical English name (for a country, its English name)
    code: str | None = None              # ISO 3166-1 alpha-2 for countries
    country: str | None = None           # ISO code of the country a place/person belongs to
    qid: str | None = None               # Wikidata QID where known
    roles: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    coordinates: list[float] | None = None  # [lat, lon] for places and countries
    mentions: list[Mention] = field(default_factory=list)

    def to_fact(self) -> dict:
        """The entity in the fact format of docs/SCHEMA.md."""
        if self.type == "country":
            return {"type": "country", "code": self.code}
        fact: dict[str, Any] = {"type": self.type, "name": self.name}
        if self.type == "person":
            if self.roles:
                fact["roles"] = list(self.roles)
            if self.country:
                fact["country"] = self.country
        elif self.type == "place" and self.country:
            fact["country"] = self.country
        return fact

    def to_dict(self) -> dict:
        d = _shallow(self)
        d.update(roles=list(self.roles), aliases=list(self.aliases),
                 coordinates=list(self.coordinates) if self.coordinates is not None else None,
                 mentions=[_shallow(m) for m in self.mentions])
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Entity":
        d = dict(d)
        d["mentions"] = [Mention(**m) for m in d.get("mentions") or []]
        return cls(**d)


def _shallow(obj) -> dict:
    """A dataclass as a dict of its fields, without `asdict`'s recursive deep copy (which cost the
    writer ~10% of its time); callers copy what they nest."""
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


@dataclass
class Event:
    """A typed fact with its fields (as in docs/SCHEMA.md) and the span of text that states it."""

    type: str                            # one of EVENT_TYPES
    fields: dict[str, Any]
    start: int                           # evidence span in Document.text
    end: int
    evidence: str
    language: str | None = None
    extractor: str = ""                  # name/version of what produced it, e.g. "communique 0.1.0"
    entities: list[str] = field(default_factory=list)  # ids of the entities the event involves

    def to_fact(self) -> dict:
        fact = {"type": self.type}
        fact.update({k: v for k, v in self.fields.items() if v is not None})
        fact["evidence"] = self.evidence
        return fact

    def to_dict(self) -> dict:
        d = _shallow(self)
        d.update(fields=copy.deepcopy(self.fields), entities=list(self.entities))
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Event":
        return cls(**d)


@dataclass
class Extraction:
    """Everything extracted from one document."""

    document: Document
    entities: list[Entity] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    # what the store computes from the extraction alone (store.prepare: its near-duplicate
    # signature, its JSON, ...), when the process that extracted it did; not a fact, not serialised
    prepared: dict | None = field(default=None, compare=False, repr=False)

    def to_facts(self) -> dict:
        """One line of the fact format (docs/SCHEMA.md)."""
        doc = self.document
        return {
            "doc": doc.id,
            "languages": list(doc.languages),
            "published": doc.published,
            "title": doc.title,
            "entities": [e.to_fact() for e in self.entities],
            "events": [e.to_fact() for e in self.events],
        }

    def to_dict(self) -> dict:
        return {
            "document": self.document.to_dict(),
            "entities": [e.to_dict() for e in self.entities],
            "events": [e.to_dict() for e in self.events],
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Extraction":
        return cls(
            document=Document.from_dict(d["document"]),
            entities=[Entity.from_dict(e) for e in d.get("entities") or []],
            events=[Event.from_dict(e) for e in d.get("events") or []],
        )
