"""Language segments: per paragraph, short ones inherit, merged, languages in order of appearance."""
from __future__ import annotations

import pytest

from communique.ingest import read_sources
from communique.language import segment
from communique.model import Document

NL = ("De internationale coalitie tegen ISIS wil deze terroristische groepering volledig verslaan "
      "en de ministers spraken daarover donderdag in Ottawa met hun collega's.")
EN = ("The international coalition against Daesh met in Rome to discuss the situation in Iraq and "
      "Syria and the stabilisation of the liberated areas.")
FR = ("La coalition internationale contre Daech s'est réunie à Rome pour discuter de la situation "
      "en Irak et en Syrie et de la stabilisation des zones libérées.")
DE = ("Die internationale Koalition gegen den IS traf sich in Rom, um über die Lage im Irak und in "
      "Syrien und die Stabilisierung der befreiten Gebiete zu beraten.")


@pytest.fixture(scope="module")
def samples(sample_seeds):
    return {d.id: segment(d) for d in read_sources([str(sample_seeds)])}


def test_sample_languages_equal_gold(samples, sample_gold):
    assert {k: d.languages for k, d in samples.items()} == {
        k: g["languages"] for k, g in sample_gold.items()}


def test_bilingual_release_has_two_segments_covering_the_text(samples):
    doc = samples["000_8fb598d2019c378c.txt"]
    assert [s.language for s in doc.segments] == ["nl", "en"]
    assert doc.segments[0].start == 0 and doc.segments[0].end == doc.segments[1].start
    assert doc.segments[1].end == len(doc.text)
    english = doc.text[doc.segments[1].start:]
    assert english.startswith("ENGLISH TEXT")
    # the Dutch trailer ("gepubliceerd op …", "naar boven") stays in the last segment
    assert "gepubliceerd op" in english


@pytest.mark.parametrize("paragraph, lang", [(NL, "nl"), (EN, "en"), (FR, "fr"), (DE, "de")])
def test_each_configured_language(paragraph, lang):
    doc = segment(Document(id="x", text=f"Titel\n\n{paragraph}\n"))
    assert doc.languages == [lang]
    assert doc.language_at(len(doc.text) - 5) == lang


def test_order_of_appearance_and_short_paragraphs_inherit():
    text = f"{EN}\n\nSource: www.example.org\n\n{FR}\n\n{FR}\n\nhaut de page\n"
    doc = segment(Document(id="x", text=text))
    assert doc.languages == ["en", "fr"]
    assert [s.language for s in doc.segments] == ["en", "fr"]
    assert doc.language_at(text.index("Source")) == "en"


def test_a_minor_language_is_not_counted():
    # one short English sentence in a long Dutch text is a segment, not a language of the document
    text = "\n".join([NL] * 6 + ["This is the day after the meeting."] + [NL] * 6)
    doc = segment(Document(id="x", text=text))
    assert doc.languages == ["nl"]


def test_declared_language_for_a_text_too_short_to_tell():
    doc = segment(Document(id="x", text="F-16", declared_language="nl"))
    assert doc.languages == ["nl"]
