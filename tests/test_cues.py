"""The fast cue matcher finds exactly what its plain case-insensitive pattern finds."""
import pytest

from communique.extract.cues import Cue, labels, search

TEXTS = [
    "The Belgian F-16s returned home. Re-deployed? No: redeployed, and DEPLOYED again.",
    "Les F-16 belges sont rentrés; le déploiement s'achève. ÉTÉ DÉPLOYÉS en Irak.",
    "İstanbul: the jets were Deployed; non-deployed units stayed; deployed_x is no word.",
    "",
]
FRAGMENTS = ["deployed", "re-?deployed", "déploy(?:é|ée|és)", r"returned\s+home", "rentrés"]


@pytest.mark.parametrize("text", TEXTS)
def test_fast_matches_are_the_plain_pattern_matches(text):
    cue = Cue(sorted(FRAGMENTS, key=len, reverse=True))
    fast = [(m.start(), m.end()) for m in cue.finditer(text)]
    plain = [(m.start(), m.end()) for m in cue.pattern.finditer(text)]
    assert fast == plain
    first = cue.search(text, 5)
    expected = cue.pattern.search(text, 5)
    assert (first and first.span()) == (expected and expected.span())


def test_word_edges_and_hyphens_are_respected():
    cue = Cue(["deployed"])
    text = "non-deployed and undeployed, then Deployed."
    assert [m.start() for m in cue.finditer(text)] == [text.index("Deployed")]


def test_search_stays_inside_the_bounds():
    cue = Cue(["deployed"])
    text = "deployed once, deployed twice"
    assert cue.search(text, 1).start() == text.index("deployed", 1)
    assert cue.search(text, 1, 20) is None


def test_labels_of_a_mapping_come_sorted_with_their_values():
    text = "ISIS was founded in 2014 and Mosul was liberated in 2017."
    found = labels("en", text, "milestone", "triggers")
    assert [text[a:b].lower() for a, b, _ in found] == ["founded", "liberated"]
    assert search("en", text, "milestone", "triggers").start() == text.index("founded")


@pytest.mark.parametrize("kind,lang,text", [
    ("dates", "en", "On Monday 28 June 2021, and since last week (2019), ministers met; in May 2020."),
    ("dates", "nl", "Vanaf oktober 2020 tot eind 2021; vorige week, op maandag 3 mei. İn 2014-2016."),
    ("dates", "fr", "Depuis le 1er juillet 2019 jusqu'en juin 2022, la semaine dernière ; Été 2018."),
    ("nouns", "en", "Some thirty soldiers, twenty-one jets and a dozen trainers; 1,200 troops."),
    ("nouns", "nl", "Een dertigtal militairen, vijfendertig adviseurs en achttien miljoen euro."),
    ("nouns", "fr", "Une trentaine de soldats, vingt et un avions et 10 millions d'euros."),
])
def test_patterns_tried_only_at_openers_find_what_the_whole_scan_finds(kind, lang, text):
    """Dates and approximating nouns ("een dertigtal") are tried only where an opener starts."""
    from communique.extract import caseless, dates, numbers

    if kind == "dates":
        g = dates._grammar(lang)
        regex, starts = g.regex, g.starts
    else:
        g = numbers._grammar(lang)
        regex, starts = g.nouns, g.noun_starts
    quick = [m.span() for m in caseless.finditer(regex, starts, text)]
    assert quick == [m.span() for m in regex.finditer(text)]
    assert quick, "every example holds one"
