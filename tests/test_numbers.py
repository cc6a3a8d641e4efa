"""extract/numbers: parametrised cases per language, negatives, date exclusion, property tests."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from communique.extract.numbers import find_numbers, parse_number, read_digits

# (lang, text, [(mention text, value, approximate, qualifier)])
CASES = [
    # nl
    ("nl", "een gebied van meer dan 110.000 km² tussen", [("meer dan 110.000", 110000, True, "more_than")]),
    ("nl", "bestaat uit zo’n 35 militairen", [("zo’n 35", 35, True, "about")]),
    ("nl", "bestaat uit zo'n vijfendertig militairen", [("zo'n vijfendertig", 35, True, "about")]),
    ("nl", "van een dertigtal landen dat", [("een dertigtal", 30, True, "about")]),
    ("nl", "12 Defensie-collega’s donderdag", [("12", 12, False, None)]),
    ("nl", "zijn 80 landen aangesloten", [("80", 80, False, None)]),
    ("nl", "van drie uitgenodigde landen", [("drie", 3, False, None)]),
    ("nl", "na vier jaar van", [("vier", 4, False, None)]),
    ("nl", "4 Nederlandse F-16’s", [("4", 4, False, None)]),
    ("nl", "1,5 miljoen mensen", [("1,5 miljoen", 1_500_000, False, None)]),
    ("nl", "achttien miljoen", [("achttien miljoen", 18_000_000, False, None)]),
    ("nl", "tweeëndertig landen", [("tweeëndertig", 32, False, None)]),
    ("nl", "ruim 3.500 militairen", [("ruim 3.500", 3500, True, "more_than")]),
    ("nl", "een tiental adviseurs", [("een tiental", 10, True, "about")]),
    ("nl", "ongeveer twee jaar", [("ongeveer twee", 2, True, "about")]),
    ("nl", "een miljoen mensen", [("een miljoen", 1_000_000, False, None)]),
    ("nl", "bijna 500 militairen", [("bijna 500", 500, True, "less_than")]),
    # en
    ("en", "an area of over 110,000 km² across", [("over 110,000", 110000, True, "more_than")]),
    ("en", "some 30 member countries", [("some 30", 30, True, "about")]),
    ("en", "the deployment of 4 Belgian F-16’s in", [("4", 4, False, None)]),
    ("en", "brings together the 32 States", [("32", 32, False, None)]),
    ("en", "together with three invited countries", [("three", 3, False, None)]),
    ("en", "after over four years", [("over four", 4, True, "more_than")]),
    ("en", "2.5 million people", [("2.5 million", 2_500_000, False, None)]),
    ("en", "a dozen countries", [("a dozen", 12, True, "about")]),
    ("en", "two dozen states", [("two dozen", 24, True, "about")]),
    ("en", "a million people", [("a million", 1_000_000, False, None)]),
    ("en", "up to 500 troops", [("up to 500", 500, True, "up_to")]),
    ("en", "twenty-one members", [("twenty-one", 21, False, None)]),
    ("en", "one hundred and five", [("one hundred and five", 105, False, None)]),
    ("en", "more than 1,200 soldiers", [("more than 1,200", 1200, True, "more_than")]),
    ("en", "Some 80 countries", [("Some 80", 80, True, "about")]),
    # fr
    ("fr", "une trentaine de pays", [("une trentaine", 30, True, "about")]),
    ("fr", "110 000 km²", [("110 000", 110000, False, None)]),
    ("fr", "110\u202f000 km²", [("110\u202f000", 110000, False, None)]),
    ("fr", "plus de 18 millions", [("plus de 18 millions", 18_000_000, True, "more_than")]),
    ("fr", "vingt et un pays", [("vingt et un", 21, False, None)]),
    ("fr", "trente-deux États", [("trente-deux", 32, False, None)]),
    ("fr", "environ 35 militaires", [("environ 35", 35, True, "about")]),
    ("fr", "quelque 30 pays", [("quelque 30", 30, True, "about")]),
    ("fr", "près de 2,5 millions", [("près de 2,5 millions", 2_500_000, True, "about")]),
    ("fr", "trois pays invités", [("trois", 3, False, None)]),
    ("fr", "une dizaine d'experts", [("une dizaine", 10, True, "about")]),
    ("fr", "moins de 40 soldats", [("moins de 40", 40, True, "less_than")]),
    ("fr", "4 F-16 belges", [("4", 4, False, None)]),
    ("fr", "1.500 soldats", [("1.500", 1500, False, None)]),
    ("fr", "jusqu'à 300 soldats", [("jusqu'à 300", 300, True, "up_to")]),
    # de
    ("de", "rund 1,5 Millionen Menschen", [("rund 1,5 Millionen", 1_500_000, True, "about")]),
    ("de", "drei Länder", [("drei", 3, False, None)]),
    ("de", "mehr als 110.000 km²", [("mehr als 110.000", 110000, True, "more_than")]),
]

NEGATIVES = [
    ("nl", "onze F-16's die worden ingezet"),
    ("en", "COVID-19 and the G7"),
    ("nl", "pleegt tientallen aanslagen"),
    ("nl", "honderden mensen"),
    ("en", "dozens of attacks"),
    ("en", "hundreds of people and thousands more"),
    ("fr", "des dizaines de pays"),
    ("fr", "des centaines de personnes"),
    ("fr", "placés en quarantaine"),
    ("fr", "un bâtiment neuf"),
    ("nl", "gedurende ongeveer een jaar"),
    ("en", "one of the members"),
    ("fr", "un pays"),
    ("nl", "miljoenen mensen"),
    ("en", "Syria and Iraq"),
]


@pytest.mark.parametrize("lang,text,expected", CASES)
def test_find_numbers(lang, text, expected):
    got = [(m.text, m.value, m.approximate, m.qualifier) for m in find_numbers(text, lang)]
    assert got == expected


@pytest.mark.parametrize("lang,text", NEGATIVES)
def test_not_numbers(lang, text):
    assert find_numbers(text, lang) == []


def test_numbers_inside_dates_are_left_out_by_default():
    text = "Op 25 juni 2019 waren er 30 landen; sinds 2014 zijn het er 80."
    assert [m.value for m in find_numbers(text, "nl")] == [30, 80]


def test_exclude_given_keeps_everything_else():
    text = "Op 25 juni 2019 waren er 30 landen"
    assert [m.value for m in find_numbers(text, "nl", exclude=())] == [25, 2019, 30]
    assert [m.value for m in find_numbers(text, "nl", offset=100, exclude=[(103, 115)])] == [30]


def test_offsets():
    text = "xx some 30 member countries"
    [m] = find_numbers(text[3:], "en", offset=3)
    assert text[m.start:m.end] == m.text == "some 30"


@pytest.mark.parametrize("token,value", [
    ("110.000", 110000), ("110,000", 110000), ("110 000", 110000), ("1,5", 1.5), ("2.5", 2.5),
    ("1.234.567", 1234567), ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("0,125", 0.125), ("42", 42),
])
def test_read_digits(token, value):
    assert read_digits(token) == value


@pytest.mark.parametrize("text,lang,value", [
    ("110.000", "nl", 110000), ("1,5 miljoen", "nl", 1_500_000), ("vijfendertig", "nl", 35),
    (" 32 ", "en", 32), ("een dertigtal", "nl", 30), ("F-16", "en", None), ("landen", "nl", None),
    ("30 landen", "nl", None),
])
def test_parse_number(text, lang, value):
    assert parse_number(text, lang) == value


FRAGMENTS = [" ", "  ", "\n", "-", "F-", ".", ",", "’", "'", "\u202f", "0", "1", "12", "110", "000", "2019",
             "miljoen", "million", "millions", "d'", "de ", "zo'n ", "some ", "plus de ", "meer dan ",
             "een ", "a ", "un ", "dertigtal", "trentaine", "dozen", "vijfendertig", "twenty", "et ", "and ",
             "juni", "June", "km²", "€", "$", "m", "k"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=14).map("".join),
       st.sampled_from(["nl", "en", "fr", "de"]), st.integers(min_value=0, max_value=1000))
def test_find_numbers_never_raises_and_spans_hold(text, lang, offset):
    for m in find_numbers(text, lang, offset=offset):
        assert offset <= m.start < m.end <= offset + len(text)
        assert text[m.start - offset:m.end - offset] == m.text
        assert m.qualifier in (None, "about", "more_than", "less_than", "up_to")
        assert m.approximate or m.qualifier is None
