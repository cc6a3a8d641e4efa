"""extract/dates: parametrised cases per language, resolution rules, and property tests."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from communique.extract.dates import find_dates, infer_year, parse_date

# (lang, text, reference, [(mention text, value, precision, role, relative)])
CASES = [
    # nl
    ("nl", "Op 25 juni 2019 vond", None, [("25 juni 2019", "2019-06-25", "day", "point", False)]),
    ("nl", "(25 juni 2019)", None, [("25 juni 2019", "2019-06-25", "day", "point", False)]),
    ("nl", "op 30 maart heeft", "2021-06-28", [("30 maart", "2021-03-30", "day", "point", True)]),
    ("nl", "Vandaag, maandag 28 juni, is", None,
     [("Vandaag", None, "day", "point", True), ("maandag 28 juni", None, "day", "point", True)]),
    ("nl", "Vandaag, maandag 28 juni, is", "2021-06-28",
     [("Vandaag", "2021-06-28", "day", "point", True), ("maandag 28 juni", "2021-06-28", "day", "point", True)]),
    ("nl", "die in de zomer van 2014 werd opgericht", None, [("zomer van 2014", "2014", "year", "point", False)]),
    ("nl", "worden vanaf oktober 2020 vanuit", None, [("vanaf oktober 2020", "2020-10", "month", "start", False)]),
    ("nl", "op zijn vroegst vanaf oktober.", "2020-09", [("vanaf oktober", "2020-10", "month", "start", True)]),
    ("nl", "Sinds 2018 heeft", None, [("Sinds 2018", "2018", "year", "since", False)]),
    ("nl", "in januari", None, [("januari", None, "month", "point", True)]),
    ("nl", "De inzet van de F-16's stopt in januari.", "2018-11", [("januari", "2019-01", "month", "point", True)]),
    ("nl", "Het kabinet vergaderde in januari.", "2018-05", [("januari", "2018-01", "month", "point", True)]),
    ("nl", "afgelopen februari is goedgekeurd", "2021-06-28", [("afgelopen februari", "2021-02", "month", "point", True)]),
    ("nl", "afgelopen februari is goedgekeurd", "2021-02-10", [("afgelopen februari", "2020-02", "month", "point", True)]),
    ("nl", "aannemen in juni 2020.", None, [("juni 2020", "2020-06", "month", "point", False)]),
    ("nl", "in maart 2019 is", None, [("maart 2019", "2019-03", "month", "point", False)]),
    ("nl", "Baghouz op 23 maart 2019, die", None, [("23 maart 2019", "2019-03-23", "day", "point", False)]),
    ("nl", "gepubliceerd op 27/06/2019", None, [("27/06/2019", "2019-06-27", "day", "point", False)]),
    ("nl", " date 2020-09 Kabinet", None, [("2020-09", "2020-09", "month", "point", False)]),
    ("nl", "Vorige week maakten", "2020-09", [("Vorige week", "2020", "year", "point", True)]),
    ("nl", "Vorige week maakten", "2020-09-16", [("Vorige week", "2020-09", "month", "point", True)]),
    ("nl", "Vorige week maakten", "2020-09-02", [("Vorige week", "2020-08", "month", "point", True)]),
    ("nl", "Vorige week maakten", "2020-09-09", [("Vorige week", "2020", "year", "point", True)]),
    ("nl", "Vandaag de dag zijn 80 landen", "2019-06-27", [("Vandaag de dag", "2019", "year", "point", True)]),
    ("nl", "spraken donderdag in Ottawa", "2018-02-16", [("donderdag", "2018-02-15", "day", "point", True)]),
    ("nl", "volgend jaar", "2020-09", [("volgend jaar", "2021", "year", "point", True)]),
    ("nl", "gisteren", "2021-03-01", [("gisteren", "2021-02-28", "day", "point", True)]),
    ("nl", "tot en met december 2021", None, [("tot en met december 2021", "2021-12", "month", "end", False)]),
    # en
    ("en", "in Paris on 25 June 2019.", None, [("25 June 2019", "2019-06-25", "day", "point", False)]),
    ("en", "On March 30, 2021, Deputy", None, [("March 30, 2021", "2021-03-30", "day", "point", False)]),
    ("en", "until October 2021 while", None, [("until October 2021", "2021-10", "month", "end", False)]),
    ("en", "Since 2016, more", None, [("Since 2016", "2016", "year", "since", False)]),
    ("en", "As the 2016 terrorist attacks demonstrated", None, [("2016", "2016", "year", "point", False)]),
    ("en", "was created in summer 2014 with", None, [("summer 2014", "2014", "year", "point", False)]),
    ("en", "in the summer of 2014", None, [("summer of 2014", "2014", "year", "point", False)]),
    ("en", "last February", "2021-06-28", [("last February", "2021-02", "month", "point", True)]),
    ("en", "the 25th of June", "2019-07-01", [("25th of June", "2019-06-25", "day", "point", True)]),
    ("en", "published 27/06/2019", None, [("27/06/2019", "2019-06-27", "day", "point", False)]),
    ("en", "dated 06/27/2019", None, [("06/27/2019", "2019-06-27", "day", "point", False)]),
    ("en", "as of 1 January 2020", None, [("as of 1 January 2020", "2020-01-01", "day", "start", False)]),
    ("en", "nowadays", "2019-06-27", [("nowadays", "2019", "year", "point", True)]),
    ("en", "yesterday", None, [("yesterday", None, "day", "point", True)]),
    ("en", "next year", "2020-12-31", [("next year", "2021", "year", "point", True)]),
    ("en", "between 2014-2016 we", None,
     [("2014", "2014", "year", "start", False), ("2016", "2016", "year", "end", False)]),
    ("en", "in May 2019", None, [("May 2019", "2019-05", "month", "point", False)]),
    # fr
    ("fr", "jusqu'en juin 2022", None, [("jusqu'en juin 2022", "2022-06", "month", "end", False)]),
    ("fr", "depuis 2014", None, [("depuis 2014", "2014", "year", "since", False)]),
    ("fr", "à l'été 2014", None, [("été 2014", "2014", "year", "point", False)]),
    ("fr", "en février dernier", "2021-06-28", [("février dernier", "2021-02", "month", "point", True)]),
    ("fr", "le 1er juin 2021", None, [("1er juin 2021", "2021-06-01", "day", "point", False)]),
    ("fr", "le 25 juin 2019 à Paris", None, [("25 juin 2019", "2019-06-25", "day", "point", False)]),
    ("fr", "à partir d’octobre 2020", None, [("à partir d’octobre 2020", "2020-10", "month", "start", False)]),
    ("fr", "jusqu'au 30 juin 2021", None, [("jusqu'au 30 juin 2021", "2021-06-30", "day", "end", False)]),
    ("fr", "aujourd’hui", "2020-09", [("aujourd’hui", "2020-09", "month", "point", True)]),
    ("fr", "De nos jours, la coalition", "2019-06-27", [("De nos jours", "2019", "year", "point", True)]),
    ("fr", "hier", "2019-06-27", [("hier", "2019-06-26", "day", "point", True)]),
    ("fr", "la semaine dernière", "2019-06-27", [("la semaine dernière", "2019-06", "month", "point", True)]),
    ("fr", "l'an prochain", "2019-06-27", [("l'an prochain", "2020", "year", "point", True)]),
    ("fr", "cette année", "2019-06-27", [("cette année", "2019", "year", "point", True)]),
    ("fr", "publié le 27/06/2019", None, [("27/06/2019", "2019-06-27", "day", "point", False)]),
    ("fr", "en mars 2019", None, [("mars 2019", "2019-03", "month", "point", False)]),
    # a month without its year after a future word of the clause lies ahead
    ("en", "The next meeting of the group will take place in Berlin in September.", "2019-03-12",
     [("September", "2019-09", "month", "point", True)]),
    ("nl", "De coalitie komt opnieuw bijeen in januari in Londen.", "2014-12-03",
     [("januari", "2015-01", "month", "point", True)]),
    # de
    ("de", "am 25. Juni 2019", None, [("25. Juni 2019", "2019-06-25", "day", "point", False)]),
    ("de", "seit 2016", None, [("seit 2016", "2016", "year", "since", False)]),
    ("de", "bis Oktober 2021", None, [("bis Oktober 2021", "2021-10", "month", "end", False)]),
    ("de", "heute", "2021-06-28", [("heute", "2021-06-28", "day", "point", True)]),
]

NEGATIVES = [
    ("en", "the security of the Belgian people may depend directly"),
    ("en", "Global Coalition [fr] France is hosting"),
    ("nl", "Sri Lanka, Burkina Faso en Mali) bij"),
    ("fr", "en Irak et Syrie, où"),
    ("nl", "zo'n 2000 militairen"),
    ("en", "4 Belgian F-16’s"),
    ("en", "a march through the city"),
    ("nl", "Jan Peters en Marie"),
    ("fr", "un gain de 110 000 km²"),
]


@pytest.mark.parametrize("lang,text,reference,expected", CASES)
def test_find_dates(lang, text, reference, expected):
    got = [(m.text, m.value, m.precision, m.role, m.relative) for m in find_dates(text, lang, reference)]
    assert got == expected


@pytest.mark.parametrize("lang,text", NEGATIVES)
def test_not_dates(lang, text):
    assert find_dates(text, lang, "2021-06-28") == []


def test_vandaag_de_dag_is_not_a_day():
    [m] = find_dates("Vandaag de dag zijn 80 landen aangesloten", "nl", "2019-06-27")
    assert m.precision == "year" and m.value == "2019"


@pytest.mark.parametrize("day,month,weekday,near,expected", [
    (28, 6, 0, 2020, 2021),     # Monday 28 June: 2021
    (28, 6, 0, 2021, 2021),
    (28, 6, 6, 2021, 2020),     # Sunday 28 June: 2020
    (29, 2, 3, 2021, 2024),     # Thursday 29 February: 2024 (the nearest leap year that fits)
    (31, 4, 0, 2021, None),     # no 31 April
    (1, 1, 0, None, None),
])
def test_infer_year(day, month, weekday, near, expected):
    assert infer_year(day, month, weekday, near) == expected


def test_offsets():
    text = "Intro. Op 25 juni 2019 vond"
    [m] = find_dates(text[7:], "nl", offset=7)
    assert text[m.start:m.end] == m.text == "25 juni 2019"


@pytest.mark.parametrize("lang,text,value", [
    ("nl", "25 juni 2019", "2019-06-25"),
    ("en", " 2020-09 ", "2020-09"),
    ("fr", "27/06/2019.", "2019-06-27"),
    ("en", "2014", "2014"),
])
def test_parse_date(lang, text, value):
    m = parse_date(text, lang)
    assert m is not None and m.value == value and text[m.start:m.end] == m.text


@pytest.mark.parametrize("text", ["", "Syrie", "Mali", "fr", "may depend", "25 juni 2019 en later 2020"])
def test_parse_date_rejects(text):
    assert parse_date(text, "nl") is None


def test_unusable_reference_is_ignored():
    [m] = find_dates("gisteren", "nl", "not a date")
    assert m.value is None


FRAGMENTS = [" ", "  ", "\n", "(", ")", ",", ".", "/", "-", "'", "’", "0", "1", "12", "25", "29", "31",
             "2019", "2020", "1999", "juni", "June", "juin", "Juni", "maart", "mars", "May", "février",
             "vanaf ", "until ", "jusqu'", "en ", "sinds ", "since ", "in ", "the ", "afgelopen ", "last ",
             "vandaag", "de dag", "today", "vorige week", "donderdag", "Monday", "zomer van ", "summer ",
             "1er", "25th", "of ", "stopt ", "dernier", "prochain"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=14).map("".join),
       st.sampled_from(["nl", "en", "fr", "de"]),
       st.sampled_from([None, "2020", "2020-09", "2021-06-28", "garbage"]),
       st.integers(min_value=0, max_value=1000))
def test_find_dates_never_raises_and_spans_hold(text, lang, reference, offset):
    for m in find_dates(text, lang, reference, offset=offset):
        assert offset <= m.start < m.end <= offset + len(text)
        assert text[m.start - offset:m.end - offset] == m.text
        assert m.precision in ("day", "month", "year")
        assert m.role in ("point", "start", "end", "since")
