"""Quotations attributed to a named person.

A quotation is the text between a pair of double quotation marks (“ ” „ « » and straight ones,
mixed as real releases mix them). Its speaker is, in this order: a person named after it with a
speech verb ("…”, aldus Sophie Wilmès"); a person named before it in the same sentence ("Bijleveld:
“…", "Voor Sophie Wilmès “…"); the speaker of the quotation just before it in the same or the
previous paragraph; the last person the document named before it. A split quotation
(“A,” zei X, “B.”) is one quotation.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ...model import Event
from .. import cues
from ..context import Context
from ..gazetteer import offices
from .common import headline_end

OPENERS = "“„«\"‘'"
CLOSERS = {"“": "”\"", "„": "”“\"", "«": "»", "\"": "\"”", "‘": "’", "'": "'’"}
SINGLE = "‘'"
_SENTENCE_END = re.compile(r"(?<!\s[A-Z])[.!?](?:\s|$)")


def _pairs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(open, close) offsets of the quotation marks in text[start:end]."""
    out = []
    i = start
    while i < end:
        ch = text[i]
        if ch in OPENERS and (i == start or text[i - 1] in " \t(:—–-\n") and i + 1 < end \
                and (not text[i + 1].isspace() or ch == "«"):
            if ch in SINGLE and not text[i + 1].isalpha():
                i += 1
                continue
            j = i + 1
            while j < end:
                # a single mark closes only after a word or punctuation and before a non-letter:
                # "Coalition’s" and "F-16’s" are apostrophes
                if text[j] in CLOSERS[ch] and (j + 1 >= end or not text[j + 1].isalnum()) and \
                        (ch not in SINGLE or not text[j - 1].isspace()):
                    break
                j += 1
            if j < end:
                out.append((i, j))
                i = j + 1
                continue
        i += 1
    return out


def _signature(ctx: Context, para: tuple[int, int]):
    """The person a paragraph of the form "– Name, Title" names (it signs the quotation above)."""
    start, end = para
    text = ctx.text
    if text[start] not in "–—-":
        return None
    persons = ctx.mentions_in(start, end, "person")
    # "– Harjit S. Sajjan, …", "– L'honorable Mélanie Joly, …"
    if persons and len(text[start + 1:persons[0].start].split()) <= 2 \
            and "," not in text[start:persons[0].start]:
        return persons[0]
    return None


def _speech(ctx: Context, lang: str, pos: int, endpos: int):
    """A speech verb in text[pos:endpos], in the quotation's language or another of the
    document's: an English quotation in a Dutch release is introduced in Dutch ("zei Kerry")."""
    for code in dict.fromkeys([lang, *ctx.doc.languages]):
        found = cues.search(code, ctx.text, "persons", "speech", pos=pos, endpos=endpos)
        if found is not None:
            return found
    return None


def _speaker_after(ctx: Context, close: int, limit: int, lang: str, open_: int, para_start: int):
    window_end = min(limit, close + 160)
    m_end = _SENTENCE_END.search(ctx.text, close + 1, window_end)
    stop = m_end.start() + 1 if m_end else window_end
    persons = ctx.mentions_in(close + 1, stop, "person")
    if not persons:
        titled = _titled(ctx, close + 1, stop, close)
        if titled is not None:
            return titled
        # "…”, he said." / "… », a-t-elle déclaré.": the person the paragraph named last
        said = _speech(ctx, lang, close + 1, stop)
        if said is not None and len(ctx.text[close + 1:said.start()].split()) <= 2:
            before = ctx.mentions_in(para_start, open_, "person")
            return before[-1] if before else None
        return None
    speech = _speech(ctx, lang, close + 1, stop)
    if speech is None:
        return None
    first = persons[0]
    between = ctx.text[close + 1:first.start]
    # "…”, aldus X" / "…”, zegt minister X" / "…,” X said"
    if speech.start() < first.start and len(between.split()) <= 12:
        return first
    if speech.start() >= first.end and speech.start() - first.end <= 3 and len(between.split()) <= 12:
        return first
    return None


def _speaker_before(ctx: Context, open_: int, para_start: int):
    # the stretch of the current sentence before the quotation
    stretch_start = para_start
    for m in _SENTENCE_END.finditer(ctx.text, para_start, open_):
        stretch_start = m.end()
    persons = ctx.mentions_in(stretch_start, open_, "person")
    if persons:
        return persons[-1]
    # "Le ministre a souligné : « … »": a title without a name points at the last person who
    # holds such an office
    return _titled(ctx, stretch_start, open_, stretch_start)


def _titled(ctx: Context, start: int, end: int, before: int):
    """The person a title without a name refers to ("the minister added", "de minister zei"):
    among the persons named before `before` whose office matches the title, one who already
    spoke in the document or belongs to its home country, else the last one."""
    stretch = ctx.text[start:end]
    lang = ctx.doc.language_at(start) or ctx.default_lang
    titles = _office_titles(lang)
    if titles is None or cues.search(lang, stretch, "persons", "speech") is None:
        return None
    title = titles.search(stretch)
    if title is None:
        return None
    role = _roles(lang).get(title.group().lower()) or ""
    word = role.split()[0] if role else ""
    matching = [m for m in reversed(ctx.mentions_in(0, before, "person"))
                if not word or any(word in r for r in ctx.entities.entity(m.entity).roles)]
    spoke = getattr(ctx, "quote_speakers", set())
    for m in matching:
        entity = ctx.entities.entity(m.entity)
        if entity.id in spoke or (ctx.home and entity.country == ctx.home):
            return m
    return matching[0] if matching else None


def _incise(ctx: Context, open_: int, close: int, lang: str):
    """« A, a souligné la ministre Florence Parly. B » — the speaker named inside the quotation,
    between commas after a speech verb: (speaker mention, (cut start, cut end)); « A, a souligné
    le ministre, b » names the speaker by a title."""
    text = ctx.text
    for m in re.finditer(r",\s+([^,«»“”\"]{3,60}?)\s*,", text[open_ + 1:close]):
        start, end = open_ + 1 + m.start(), open_ + 1 + m.end()
        said = _speech(ctx, lang, start, end)
        if said is None or said.start() - start > 3 or ctx.mentions_in(start, end, "person"):
            continue
        # the title's holder named in apposition: "…, a déclaré le ministre …, Jean-Yves Le Drian, …"
        named = [p for p in ctx.mentions_in(end, min(close, end + 80), "person")
                 if not text[end:p.start].strip(" ,")]
        if named:
            after = named[0].end
            while after < close and text[after] in " ,":
                after += 1
            return named[0], (start, after)
        who = _titled(ctx, start, end, open_)
        if who is not None:
            return who, (start, end - 1)
    for person in ctx.mentions_in(open_ + 1, close, "person"):
        comma = text.rfind(",", open_ + 1, person.start)
        if comma < 0 or person.start - comma > 80:
            continue
        if _speech(ctx, lang, comma, person.start) is None:
            continue
        end = person.end
        while end < close and text[end] in " .,;":
            end += 1
        return person, (comma, end)
    return None


@lru_cache(maxsize=None)
def _roles(lang: str) -> dict[str, str | None]:
    return {k.lower(): v for k, v in offices(lang).items()}


@lru_cache(maxsize=None)
def _office_titles(lang: str):
    titles = sorted(offices(lang), key=len, reverse=True)
    if not titles:
        return None
    return re.compile(r"(?<![\w-])(?:%s)(?![\w-])" % "|".join(map(re.escape, titles)), re.IGNORECASE)


def extract(ctx: Context) -> list[Event]:
    text = ctx.text
    events: list[Event] = []
    last_speaker = None
    last_para = -10
    merged_into: Event | None = None
    paras = ctx.paragraphs
    headline = headline_end(ctx)
    for p_index, (p_start, p_end) in enumerate(paras):
        signed = _signature(ctx, paras[p_index + 1]) if p_index + 1 < len(paras) else None
        for open_, close in _pairs(text, p_start, p_end):
            inner = text[open_ + 1:close].strip()
            lang = ctx.doc.language_at(open_) or ctx.default_lang
            min_words = cues.value(lang, "quote", "min_words", default=4)
            if len(inner.split()) < min_words:
                continue
            # a continuation of a split quotation: “A,” zei X, “B.”
            if merged_into is not None and text[merged_into.end - 1] in CLOSERS["“"] + "»" \
                    and open_ - merged_into.end < 60 \
                    and inner_ends_with_comma(merged_into) \
                    and not _SENTENCE_END.search(text, merged_into.end, open_):
                merged_into.fields["text"] = merged_into.fields["text"].rstrip(", ") + " " + inner
                merged_into.end = close + 1
                merged_into.evidence = text[merged_into.start:merged_into.end]
                merged_into = None
                continue
            incise = _incise(ctx, open_, close, lang)
            if signed is not None and close >= p_end - 2:
                speaker = signed  # "“…”" then a line "– Harjit S. Sajjan, Minister of …"
            elif incise is not None:
                speaker, cut = incise
                inner = (text[open_ + 1:cut[0]] + " " + text[cut[1]:close]).strip()
            else:
                speaker = _speaker_after(ctx, close, p_end, lang, open_, p_start)
                if speaker is None:
                    speaker = _speaker_before(ctx, open_, p_start)
                    # "Mort d'Abou Bakr al-Baghdadi : « … »": the subject of a headline is its
                    # speaker only when the headline opens with the name ("Kerry: “…”")
                    if speaker is not None and open_ < headline and \
                            text[p_start:speaker.start].strip():
                        speaker = None
            embedded = _embedded(text, open_, p_start) or open_ < headline
            if speaker is None and not embedded and last_speaker is not None \
                    and p_index - last_para <= 1:
                speaker = last_speaker
            if speaker is None and not embedded:
                before = ctx.mentions_in(0, open_, "person")
                speaker = before[-1] if before else None
            if speaker is None:
                continue
            entity = ctx.entities.entity(speaker.entity)
            event = ctx.event("quote", {"speaker": entity.name, "text": inner, "language": lang},
                              open_, close + 1, lang, [entity.id])
            # keep the marks in the evidence
            event.start, event.end, event.evidence = open_, close + 1, text[open_:close + 1]
            events.append(event)
            ctx.quote_speakers = getattr(ctx, "quote_speakers", set()) | {entity.id}
            merged_into = event
            last_speaker, last_para = speaker, p_index
    return _drop_translations(ctx, events)


def _drop_translations(ctx: Context, events: list[Event]) -> list[Event]:
    """A release with its own translation states each quotation twice: keep the first language's.
    A later quotation is a translation when its speaker already has a quotation in another
    language at the same rank (first, second, …) and of a comparable length."""
    if len(set(ctx.doc.languages)) < 2:
        return events
    kept: list[Event] = []
    rank: dict[tuple[str, str], int] = {}
    for event in events:
        key = (event.fields["speaker"], event.language or "")
        r = rank.get(key, 0)
        rank[key] = r + 1
        twin = [k for k in kept if k.fields["speaker"] == event.fields["speaker"]
                and k.language != event.language]
        same_rank = [k for k in twin if _rank_of(kept, k) == r]
        if same_rank and 0.5 <= len(event.fields["text"]) / max(1, len(same_rank[0].fields["text"])) <= 2:
            continue
        kept.append(event)
    return kept


def _rank_of(kept: list[Event], event: Event) -> int:
    return sum(1 for k in kept if k.fields["speaker"] == event.fields["speaker"]
               and k.language == event.language and k.start < event.start)


def _embedded(text: str, open_: int, para_start: int) -> bool:
    """A quotation that continues a sentence of the release's own ("… engagés à soutenir l'Irak
    « par tous les moyens »") cites words; it is no statement of its own."""
    i = open_ - 1
    while i >= para_start and text[i] == " ":
        i -= 1
    return i >= para_start and text[i].isalpha() and text[i].islower()


def inner_ends_with_comma(event: Event) -> bool:
    return event.fields["text"].rstrip().endswith(",")
