"""Amounts of money -> amount and ISO 4217 currency, with spans.

Built on extract/numbers (the amount, its scale and qualifier) plus a currency found right before
it ("US$ 670 million", "EUR 2.5 million", "€5m") or right after it ("18 miljoen euro",
"10 millions d'euros", "10 M€"). Symbols, codes and names are data: data/lang/<xx>/money.yaml
(schema: docs/DATA-values.md); the regexes are built once per language.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..resources import data_word, lang_data
from .dates import alternation, phrase_pattern
from .numbers import _scan, qualifier_before


@dataclass(frozen=True)
class MoneyMention:
    start: int
    end: int
    text: str
    amount: float
    currency: str
    approximate: bool
    qualifier: str | None



def _fold(word) -> str:
    return data_word(word, "money.yaml")


@dataclass(frozen=True)
class _Grammar:
    before: re.Pattern
    after: re.Pattern
    currency: dict       # folded symbol/code/name -> (ISO code, multiplier)


def _exact(phrases) -> str:
    """Alternation of symbols/codes: like `alternation` but a symbol needs no word boundary."""
    items = sorted({p for p in phrases if p}, key=lambda p: (-len(p), p))
    return "(?:" + "|".join(phrase_pattern(p) for p in items) + ")" if items else r"(?!x)x"


@lru_cache(maxsize=None)
def _grammar(lang: str) -> _Grammar:
    data = lang_data(lang, "money")
    currency: dict[str, tuple[str, float]] = {}
    for sym, code in (data.get("symbols") or {}).items():
        currency[_fold(sym)] = (code, 1.0)
    for code in data.get("codes") or []:
        currency[_fold(code)] = (code, 1.0)
    for sym, (code, scale) in (data.get("scaled_symbols") or {}).items():
        currency[_fold(sym)] = (code, float(scale))
    names = data.get("words") or {}
    for name, code in names.items():
        currency[_fold(name)] = (code, 1.0)
    marks = [*(data.get("symbols") or {}), *(data.get("codes") or [])]
    after_marks = [*marks, *(data.get("scaled_symbols") or {}), *names]
    conn = alternation(data.get("connectors") or [])
    before = re.compile(rf"(?P<cur>{_exact(marks)})\s*$")
    after = re.compile(rf"\s*(?:{conn}\s*)?(?P<cur>{_exact(after_marks)})", re.IGNORECASE)
    return _Grammar(before=before, after=after, currency=currency)


def find_money(text: str, lang: str, offset: int = 0) -> list[MoneyMention]:
    """Every amount of money in `text`, in order."""
    g = _grammar(lang)
    out: list[MoneyMention] = []
    for r in _scan(text, lang, glued_scales=True):
        start, end, qualifier, approximate = r.start, r.end, r.qualifier, r.approximate
        code, mult = None, 1.0
        mb = g.before.search(text, max(0, r.num_start - 12), r.num_start)
        if mb and r.start == r.num_start:
            code, mult = g.currency[_fold(mb.group("cur"))]
            start = mb.start()
            q = qualifier_before(text, start, lang)      # "more than $18 million"
            if q:
                start, qualifier, approximate = q[0], q[1], True
        ma = g.after.match(text, r.end)
        if ma and (code is None or _fold(ma.group("cur")) in _scaled(g)):
            code2, mult2 = g.currency[_fold(ma.group("cur"))]
            if code is None or code == code2:
                code, mult, end = code2, mult2, ma.end()
        if code is None:
            continue
        out.append(MoneyMention(start + offset, end + offset, text[start:end], r.value * mult,
                                code, approximate, qualifier))
    return out


def _scaled(g: _Grammar) -> set:
    return {k for k, (_, m) in g.currency.items() if m != 1.0}
