"""Money given, pledged or needed: amount and currency, donor, purpose, year, since.

A sentence with an amount of money and a funding cue yields one event per amount. A donor is named
only when the sentence gives money ("toegezegd", "allocated", "versé"), never for needs
("stabilisation needs for 2021"): the subject country, or the home country for "ons land",
"our country" and for a passive without an agent in a government's own release.
"""
from __future__ import annotations

import re

from babel.numbers import get_currency_name, get_territory_currencies

from ...model import Event
from .. import cues
from ..context import Context, Sentence
from ..gazetteer import gazetteer
from .common import clause_end, unique
from .deployments import _locative



def _purpose(ctx: Context, lang: str, start: int, end: int) -> str | None:
    text = ctx.text
    m = cues.search(lang, text, "funding", "purpose_before", pos=start, endpos=end)
    if m is None:
        return None
    tail = text[m.end():end]
    stop = clause_end(lang).search(tail)
    phrase = tail[:stop.start()] if stop else tail
    words = [w for w in phrase.split() if not re.fullmatch(r"\d{4}", w)]
    phrase = " ".join(words[:8])
    glosses = unique(v for _, _, v in cues.labels(lang, text, "funding", "purpose_terms",
                                                   pos=m.end(), endpos=end))
    # the gold writes purposes in English: give the English words of a Dutch or French purpose
    return ", ".join(glosses) if glosses else (phrase or None)


def _bare_family(amount, lang: str) -> bool:
    """Written with nothing but the family word of its currency ("25 millions de dollars", "$")."""
    if "$" in amount.text:  # "$1.6 billion", "more than $1.6 billion" (US$, C$: see below)
        return True
    text = amount.text.rstrip()
    last = None
    for last in cues.finditer(lang, text, "funding", "family_words"):
        pass
    return last is not None and last.end() == len(text)


def _local_currency(amount, country: str | None, lang: str) -> str:
    """"dollars" in a Canadian release are Canadian dollars, "kronen" in a Norwegian one Norwegian
    kroner: a currency written only as its family word takes the donor's own currency of that
    family (CLDR, through Babel)."""
    code = amount.currency
    if not country or not _bare_family(amount, lang) or \
            re.search(r"[A-Z]{3}|[A-Z]\$|US|U\.S\.", amount.text):
        return code
    try:
        local = get_territory_currencies(country)[0]
    except (IndexError, ValueError):
        return code
    family = get_currency_name(code, locale="en").split()[-1]
    if local != code and get_currency_name(local, locale="en").split()[-1] == family:
        return local
    return code


def _donor(ctx: Context, s, before: int) -> tuple[str, str | None] | None:
    """Who gives: the nearest country (by its name, not an adjective: "forces irakiennes" give
    nothing) or organisation before the amount, unless the government's own words stand nearer
    ("notre pays a consacré", "heeft de Bondsregering … uitgetrokken"); else the home country."""
    named = [m for m in ctx.mentions_in(s.start, before, "country", "organization")
             if not _locative(ctx, s, m) and _is_name(ctx, m)]
    own = [m for m in cues.finditer(s.lang, ctx.text, "deployment", "home_words",
                                    pos=s.start, endpos=before)]
    if own and ctx.home and (not named or own[-1].start() > named[-1].start):
        return ctx.home, None
    if named:
        m = named[-1]
        return (ctx.code_of(m) or ctx.name_of(m)), m.entity
    return (ctx.home, None) if ctx.home else None


def _is_name(ctx: Context, mention) -> bool:
    if ctx.type_of(mention) != "country":
        return True
    entry = gazetteer().by_name(mention.text)
    return entry is not None and entry.type == "country"


_BULLETS = "-–—•*·"


def _item_of_a_funding_list(ctx: Context, s: Sentence) -> bool:
    """An item of a list whose lead-in ends with a colon and names funding ("Cette enveloppe se
    répartit comme suit :" after "une nouvelle contribution de 7 millions d'euros")."""
    paras = ctx.paragraphs
    i = s.paragraph
    if i >= len(paras) or ctx.text[paras[i][0]] not in _BULLETS:
        return False
    while i > 0 and ctx.text[paras[i][0]] in _BULLETS:
        i -= 1
    lead_start, lead_end = paras[i]
    if not ctx.text[lead_start:lead_end].rstrip().endswith(":"):
        return False
    start = paras[i - 1][0] if i > 0 else lead_start
    return cues.search(s.lang, ctx.text, "funding", "cues", pos=start, endpos=lead_end) is not None


def extract(ctx: Context) -> list[Event]:
    events: list[Event] = []
    for s in ctx.sentences:
        money = ctx.money_in(s.start, s.end)
        if not money:
            continue
        text, lang = ctx.text, s.lang
        if cues.search(lang, text, "funding", "cues", pos=s.start, endpos=s.end) is None \
                and not _item_of_a_funding_list(ctx, s):
            continue
        needs = cues.search(lang, text, "funding", "needs", pos=s.start, endpos=s.end)
        giving = cues.search(lang, text, "funding", "giving", pos=s.start, endpos=s.end)
        # "Norway and Canada announced respectively NOK 100 million and CAD 25 million"
        paired: list[str] = []
        if len(money) > 1 and cues.search(lang, text, "funding", "respectively",
                                          pos=s.start, endpos=s.end):
            donors = [m for m in ctx.mentions_in(s.start, money[0].start, "country")
                      if not _locative(ctx, s, m)]
            if len(donors) == len(money):
                paired = [ctx.code_of(m) for m in donors]
        for index, amount in enumerate(money):
            fields: dict = {"amount": amount.amount, "currency": amount.currency}

            involved: list[str] = []
            if paired:
                fields["donor"] = paired[index]
            elif giving is not None and needs is None:
                donor = _donor(ctx, s, amount.start)
                if donor is not None:
                    fields["donor"] = donor[0]
                    if donor[1]:
                        involved.append(donor[1])
            if needs is not None:
                head = text[max(s.start, needs.start() - 40):needs.end()]
                words = head.split()[-3:]
                fields["purpose"] = " ".join(w.strip(",;:") for w in words)
            else:
                purpose = _purpose(ctx, lang, amount.end, s.end) or \
                    _purpose(ctx, lang, s.start, amount.start)
                if purpose:
                    fields["purpose"] = purpose
            donor = fields.get("donor")
            country = donor if isinstance(donor, str) and len(donor) == 2 else ctx.home
            fields["currency"] = _local_currency(amount, country, lang)
            for d in ctx.dates_in(s.start, s.end):
                if not d.value:
                    continue
                if d.role == "since":
                    fields.setdefault("since", d.value)
                elif d.role == "point" and d.precision == "year":
                    fields.setdefault("year", d.value)
            events.append(ctx.event("funding", fields, s.start, s.end, lang, involved))
    return _dedupe(events)


def _dedupe(events: list[Event]) -> list[Event]:
    out: list[Event] = []
    for e in events:
        if any(o.fields["currency"] == e.fields["currency"]
               and abs(o.fields["amount"] - e.fields["amount"]) <= 0.01 * max(o.fields["amount"], 1)
               for o in out):
            continue
        out.append(e)
    return out
