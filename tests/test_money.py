"""extract/money: parametrised cases per language, negatives and property tests."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from communique.extract.money import find_money

# (lang, text, [(mention text, amount, currency, approximate, qualifier)])
CASES = [
    # en
    ("en", "needs for 2021 amounting to US$ 670 million.", [("US$ 670 million", 670e6, "USD", False, None)]),
    ("en", "Since 2016, more than 18 million euros have been allocated",
     [("more than 18 million euros", 18e6, "EUR", True, "more_than")]),
    ("en", "$670m for stabilisation", [("$670m", 670e6, "USD", False, None)]),
    ("en", "USD 670 million", [("USD 670 million", 670e6, "USD", False, None)]),
    ("en", "€5 million", [("€5 million", 5e6, "EUR", False, None)]),
    ("en", "EUR 2.5 million", [("EUR 2.5 million", 2.5e6, "EUR", False, None)]),
    ("en", "£ 10 million", [("£ 10 million", 10e6, "GBP", False, None)]),
    ("en", "10 million pounds", [("10 million pounds", 10e6, "GBP", False, None)]),
    ("en", "more than $18 million", [("more than $18 million", 18e6, "USD", True, "more_than")]),
    ("en", "some $1.2bn in aid", [("some $1.2bn", 1.2e9, "USD", True, "about")]),
    ("en", "a pledge of 50 million US dollars", [("50 million US dollars", 50e6, "USD", False, None)]),
    ("en", "€250,000 for demining", [("€250,000", 250000, "EUR", False, None)]),
    ("en", "5 million Canadian dollars", [("5 million Canadian dollars", 5e6, "CAD", False, None)]),
    ("en", "USD 3 billion", [("USD 3 billion", 3e9, "USD", False, None)]),
    ("en", "up to €20 million", [("up to €20 million", 20e6, "EUR", True, "up_to")]),
    # nl
    ("nl", "18 miljoen euro", [("18 miljoen euro", 18e6, "EUR", False, None)]),
    ("nl", "€ 5 mln", [("€ 5 mln", 5e6, "EUR", False, None)]),
    ("nl", "5 miljoen dollar", [("5 miljoen dollar", 5e6, "USD", False, None)]),
    ("nl", "achttien miljoen euro", [("achttien miljoen euro", 18e6, "EUR", False, None)]),
    ("nl", "ruim 1,5 miljoen euro", [("ruim 1,5 miljoen euro", 1.5e6, "EUR", True, "more_than")]),
    ("nl", "€ 2.500.000", [("€ 2.500.000", 2.5e6, "EUR", False, None)]),
    ("nl", "10 miljard euro", [("10 miljard euro", 10e9, "EUR", False, None)]),
    ("nl", "zo'n 20 miljoen euro", [("zo'n 20 miljoen euro", 20e6, "EUR", True, "about")]),
    ("nl", "3 miljoen Amerikaanse dollar", [("3 miljoen Amerikaanse dollar", 3e6, "USD", False, None)]),
    ("nl", "€ 5 miljoen voor", [("€ 5 miljoen", 5e6, "EUR", False, None)]),
    ("nl", "1 miljoen pond", [("1 miljoen pond", 1e6, "GBP", False, None)]),
    ("nl", "EUR 750.000", [("EUR 750.000", 750000, "EUR", False, None)]),
    ("nl", "200 euro per persoon", [("200 euro", 200, "EUR", False, None)]),
    ("nl", "een miljoen euro", [("een miljoen euro", 1e6, "EUR", False, None)]),
    ("nl", "meer dan 4 miljoen euro", [("meer dan 4 miljoen euro", 4e6, "EUR", True, "more_than")]),
    # fr
    ("fr", "10 millions d'euros", [("10 millions d'euros", 10e6, "EUR", False, None)]),
    ("fr", "2,5 millions d’euros", [("2,5 millions d’euros", 2.5e6, "EUR", False, None)]),
    ("fr", "plus de 10 M€", [("plus de 10 M€", 10e6, "EUR", True, "more_than")]),
    ("fr", "5 €", [("5 €", 5, "EUR", False, None)]),
    ("fr", "670 millions de dollars", [("670 millions de dollars", 670e6, "USD", False, None)]),
    ("fr", "environ 3 millions de dollars américains",
     [("environ 3 millions de dollars américains", 3e6, "USD", True, "about")]),
    ("fr", "1 milliard d'euros", [("1 milliard d'euros", 1e9, "EUR", False, None)]),
    ("fr", "un million d'euros", [("un million d'euros", 1e6, "EUR", False, None)]),
    ("fr", "250 000 euros", [("250 000 euros", 250000, "EUR", False, None)]),
    ("fr", "dix-huit millions d'euros", [("dix-huit millions d'euros", 18e6, "EUR", False, None)]),
    ("fr", "USD 4,5 millions", [("USD 4,5 millions", 4.5e6, "USD", False, None)]),
    ("fr", "près de 2 Md€", [("près de 2 Md€", 2e9, "EUR", True, "about")]),
    ("fr", "3 millions de francs suisses", [("3 millions de francs suisses", 3e6, "CHF", False, None)]),
    ("fr", "50 millions de livres sterling", [("50 millions de livres sterling", 50e6, "GBP", False, None)]),
    ("fr", "au moins 7 millions d'euros", [("au moins 7 millions d'euros", 7e6, "EUR", True, "more_than")]),
    # de
    ("de", "CHF 3 Mio.", [("CHF 3 Mio.", 3e6, "CHF", False, None)]),
    ("de", "3 Millionen Euro", [("3 Millionen Euro", 3e6, "EUR", False, None)]),
    ("de", "rund 2,5 Milliarden Dollar", [("rund 2,5 Milliarden Dollar", 2.5e9, "USD", True, "about")]),
]

NEGATIVES = [
    ("en", "4 Belgian F-16’s"),
    ("en", "30 countries"),
    ("en", "the euro area"),
    ("en", "a 670m runway"),
    ("nl", "zo'n 35 militairen"),
    ("nl", "de euro is sterk"),
    ("fr", "10 livres"),
    ("fr", "une trentaine de pays"),
]


@pytest.mark.parametrize("lang,text,expected", CASES)
def test_find_money(lang, text, expected):
    got = [(m.text, m.amount, m.currency, m.approximate, m.qualifier) for m in find_money(text, lang)]
    assert got == [(t, pytest.approx(a), c, ap, q) for t, a, c, ap, q in expected]


@pytest.mark.parametrize("lang,text", NEGATIVES)
def test_not_money(lang, text):
    assert find_money(text, lang) == []


def test_offsets():
    text = "Intro. 18 miljoen euro."
    [m] = find_money(text[7:], "nl", offset=7)
    assert text[m.start:m.end] == m.text == "18 miljoen euro"


FRAGMENTS = [" ", "  ", "US$", "$", "€", "£", "M€", "EUR", "USD", "euro", "euros", "d'", "d’", "de ", "dollar",
             "0", "5", "18", "670", "1,5", "2.5", "000", "miljoen", "million", "millions", "m", "bn", "k", "Mio.",
             "more than ", "plus de ", "zo'n ", "-", "F-", "\n"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=14).map("".join),
       st.sampled_from(["nl", "en", "fr", "de"]), st.integers(min_value=0, max_value=1000))
def test_find_money_never_raises_and_spans_hold(text, lang, offset):
    for m in find_money(text, lang, offset=offset):
        assert offset <= m.start < m.end <= offset + len(text)
        assert text[m.start - offset:m.end - offset] == m.text
        assert len(m.currency) == 3 and m.currency.isupper()
        assert m.amount >= 0
