"""What every event frame needs to know about one document, computed once.

Sentences with their language, the entity mentions, and the values (dates resolved against the
publication date, numbers, money), indexed by offset; plus the document's home country — the
government that speaks ("ons land", "our country", "notre pays", "het kabinet").
"""
from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass

from .. import EXTRACTOR
from . import cues
from ..ingest.text import link_lists
from ..model import Document, Event, Mention
from .dates import DateMention, find_dates
from .entities import Entities, find_entities
from .money import MoneyMention, find_money
from .numbers import NumberMention, find_numbers
from .sentences import paragraphs, split_sentences


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    lang: str
    paragraph: int

    def text(self, ctx: "Context") -> str:
        return ctx.text[self.start:self.end]


class Context:
    def __init__(self, document: Document):
        self.doc = document
        self.text = document.text
        self.reference = document.published
        self.default_lang = (document.languages or [document.declared_language or "en"])[0]
        self.paragraphs = paragraphs(self.text)   # (start, end); Sentence.paragraph indexes it
        self.sentences = self._sentences()
        self.entities: Entities = find_entities(document)
        self.mentions: list[Mention] = self.entities.mentions
        self._mention_starts = [m.start for m in self.mentions]
        self.dates: list[DateMention] = []
        self.money: list[MoneyMention] = []
        self.numbers: list[NumberMention] = []
        self._values()
        self.home = self._home_country()
        self.memo: dict = {}  # per-document results that frames compute more than once

    # ---------------------------------------------------------------- building
    def _sentences(self) -> list[Sentence]:
        """The sentences of the text, without lists of links to other pages ("Lees ook")."""
        out = []
        links = link_lists(self.text)
        for p_index, (p_start, p_end) in enumerate(self.paragraphs):
            if any(a <= p_start < b for a, b in links):
                continue
            lang = self.doc.language_at(p_start) or self.default_lang
            for s, e in split_sentences(self.text, p_start, p_end, lang):
                out.append(Sentence(len(out), s, e, lang, p_index))
        return out

    def _values(self) -> None:
        spans = [(s.start, s.end, s.language) for s in self.doc.segments] or \
            [(0, len(self.text), self.default_lang)]
        for start, end, lang in spans:
            chunk = self.text[start:end]
            dates = find_dates(chunk, lang, self.reference, offset=start)
            self.dates += dates
            self.money += find_money(chunk, lang, offset=start)
            # the dates are known: numbers need not look for them again
            self.numbers += find_numbers(chunk, lang, offset=start,
                                         exclude=[(d.start, d.end) for d in dates])
        covered = [(d.start, d.end) for d in self.dates] + [(m.start, m.end) for m in self.money]
        covered += [(m.start, m.end) for m in self.mentions]
        self.numbers = [n for n in self.numbers
                        if not any(s <= n.start and n.end <= e for s, e in covered)]
        for seq in (self.dates, self.money, self.numbers):
            seq.sort(key=lambda v: v.start)

    def _home_country(self) -> str | None:
        """The country of the persons who hold office in the document (speakers weigh most)."""
        votes: Counter[str] = Counter()
        lead_end = self.sentences[min(2, len(self.sentences) - 1)].end if self.sentences else 0
        for entity in self.entities.entities.values():
            # a national operation or body ("opération Chammal", "Task Force Wagram") is its
            # country's, a weaker sign than the persons who speak
            if entity.type in ("operation", "organization") and entity.country:
                votes[entity.country] += len(entity.mentions) * 0.5
            if entity.type == "person" and entity.country:
                votes[entity.country] += len(entity.mentions) + (2 if entity.roles else 0)
                # the minister the lead names speaks for the release
                if any(m.start < lead_end for m in entity.mentions):
                    votes[entity.country] += 2
        # the headline's first country is usually the one that speaks ("Australian Super Hornets
        # to return home as Iraq declares victory")
        if self.sentences and self.doc.title:
            first = self.sentences[0]
            # not a country the headline puts after a place preposition ("… mission in Iraq")
            countries = [m for m in self.mentions_in(first.start, first.end, "country")
                         if not self._after_preposition(first.lang, m)]
            if countries:
                code = self.code_of(countries[0])
                if code:
                    votes[code] += 3
        # a lead sentence whose subject is a government ("The Australian Government has
        # decided", "Le gouvernement du Canada a annoncé"): that country speaks
        for s in self.sentences[:6]:   # title, byline and labels come first
            for m in self.mentions_in(s.start, s.end, "country"):
                opening = self._with_government(s.lang, m)
                if opening is not None and len(self.text[s.start:opening].split()) <= 3:
                    code = self.code_of(m)
                    if code:
                        votes[code] += 8
        if votes:
            return votes.most_common(1)[0][0]
        return None

    def _after_preposition(self, lang: str | None, m: Mention) -> bool:
        words = self.text[max(0, m.start - 20):m.start].split()[-2:]
        found = cues.search(lang, " ".join(words), "deployment", "area_before")
        return found is not None

    def _with_government(self, lang: str | None, m: Mention) -> int | None:
        """Where "<country> government" or "government of <country>" begins, or None."""
        after = cues.search(lang, self.text, "deployment", "government", pos=m.end,
                            endpos=min(len(self.text), m.end + 30))
        if after is not None and not self.text[m.end:after.start()].strip():
            return m.start
        before = None
        for before in cues.finditer(lang, self.text, "deployment", "government",
                                    pos=max(0, m.start - 40), endpos=m.start):
            pass
        if before is not None and len(self.text[before.end():m.start].split()) <= 2:
            return before.start()
        return None

    # ---------------------------------------------------------------- lookups
    def mentions_in(self, start: int, end: int, *types: str) -> list[Mention]:
        i = bisect_left(self._mention_starts, start)
        out = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            m = self.mentions[i]
            if m.end <= end and (not types or self.type_of(m) in types):
                out.append(m)
            i += 1
        return out

    def type_of(self, mention: Mention) -> str:
        return self.entities.entity(mention.entity).type

    def code_of(self, mention: Mention) -> str | None:
        """The country code a mention stands for: a country, or the country of a place/person."""
        entity = self.entities.entity(mention.entity)
        return entity.code if entity.type == "country" else entity.country

    def name_of(self, mention: Mention) -> str:
        return self.entities.entity(mention.entity).name

    def dates_in(self, start: int, end: int) -> list[DateMention]:
        return [d for d in self.dates if start <= d.start and d.end <= end]

    def numbers_in(self, start: int, end: int) -> list[NumberMention]:
        return [n for n in self.numbers if start <= n.start and n.end <= end]

    def money_in(self, start: int, end: int) -> list[MoneyMention]:
        return [m for m in self.money if start <= m.start and m.end <= end]

    def sentence_at(self, offset: int) -> Sentence | None:
        for s in self.sentences:
            if s.start <= offset < s.end:
                return s
        return None

    def event(self, type_: str, fields: dict, start: int, end: int, lang: str | None,
              entities: list[str] | None = None) -> Event:
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return Event(type=type_, fields={k: v for k, v in fields.items() if v not in (None, [], "")},
                     start=start, end=end, evidence=self.text[start:end], language=lang,
                     extractor=EXTRACTOR, entities=list(dict.fromkeys(entities or [])))
