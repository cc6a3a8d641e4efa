"""Event frames on short realistic passages of our own, per language (none taken from the samples).

Each case names the language, the text, the publication date and the facts that must come out;
German shows that a language is added by data files alone (data/lang/de/).
"""
from __future__ import annotations

import pytest

from communique.extract.pipeline import extract
from communique.language import segment
from communique.model import Document


def run(text: str, published: str | None = None, lang: str | None = None):
    doc = Document(id="t.txt", text=text, published=published)
    doc = segment(doc)
    if lang is not None:
        assert doc.languages[:1] == [lang]
    return extract(doc)


def events_of(x, kind):
    return [e.fields for e in x.events if e.type == kind]


def entity_names(x, kind):
    return {e.name if kind != "country" else e.code for e in x.entities if e.type == kind}


# ------------------------------------------------------------------ quotes

QUOTES = [
    ("en", "The government extended the operation.\n\n“Our men and women in uniform have made a "
           "real difference in the fight against Daesh.”\n– Harjit S. Sajjan, Minister of "
           "National Defence\n\nMinister of Foreign Affairs Chrystia Freeland welcomed it.",
     "Harjit Sajjan", "Our men and women in uniform have made a real difference in the fight "
                         "against Daesh."),
    ("fr", "Le chef de Daech a été tué. « C'est un coup dur porté contre Daech, mais ce n'est "
           "qu'une étape », a réagi hier le président de la République, Emmanuel Macron.",
     "Emmanuel Macron", "C'est un coup dur porté contre Daech, mais ce n'est qu'une étape"),
    ("nl", "Minister Hanke Bruins Slot van Buitenlandse Zaken was tevreden. „De coalitie blijft "
           "nodig zolang ISIS aanslagen pleegt”, zei Bruins Slot na afloop van het overleg.",
     "Hanke Bruins Slot", "De coalitie blijft nodig zolang ISIS aanslagen pleegt"),
    ("en", "Defence Secretary Ben Wallace visited the troops. \"Our aircrews have flown more than "
           "a thousand sorties over Iraq,\" Wallace said, \"and they will keep flying as long as "
           "needed.\"",
     "Ben Wallace", "Our aircrews have flown more than a thousand sorties over Iraq and they will "
                    "keep flying as long as needed"),
    ("fr", "La ministre des Armées Florence Parly s'est rendue en Jordanie. « Nos aviateurs "
           "restent engagés contre Daech, car la menace n'a pas disparu », a déclaré la ministre "
           "Florence Parly.",
     "Florence Parly", "Nos aviateurs restent engagés contre Daech, car la menace n'a pas disparu"),
    ("en", "Foreign Secretary Philip Hammond opened the conference. Hammond: \u201cWe will not "
           "allow ISIL to redraw the map of the Middle East.\u201d",
     "Philip Hammond", "We will not allow ISIL to redraw the map of the Middle East."),
    # the title's holder named in apposition inside the incise
    ("fr", "Le Premier ministre irakien Mustafa al-Kadhimi a reçu les ministres.\n\n« La "
           "coalition reste à vos côtés, a affirmé la ministre des Armées, Florence Parly, et elle "
           "le restera tant que Daech menacera la région. »",
     "Florence Parly", "La coalition reste à vos côtés et elle le restera tant que Daech menacera "
                       "la région."),
]


@pytest.mark.parametrize("lang,text,speaker,quoted", QUOTES)
def test_quote_and_its_speaker(lang, text, speaker, quoted):
    x = run(text, "2019-05-02", lang)
    quotes = events_of(x, "quote")
    assert len(quotes) == 1, quotes
    assert quotes[0]["speaker"] == speaker
    assert quotes[0]["text"].replace(",", "").rstrip(".") == quoted.replace(",", "").rstrip(".")
    assert quotes[0]["language"] == lang


def test_a_quotation_in_another_language_is_attributed_by_the_releases_verb():
    x = run("De Amerikaanse minister van Buitenlandse Zaken Antony Blinken opende de vergadering. "
            "Ook de Iraakse minister Fuad Hussein was er.\n\n“We will stay the course until the "
            "job is done, together with all our partners,” zei Blinken bij de opening van de "
            "vergadering in Rome.", "2021-06-28")
    assert {q["speaker"] for q in events_of(x, "quote")} == {"Antony Blinken"}


@pytest.mark.parametrize("lang,text", [
    ("en", "Defence Minister Linda Reynolds opened the talks. \"We stay the course,\" Reynolds "
           "said.\n\nForeign Minister Marise Payne welcomed the partners. \"Stabilisation needs "
           "patience and money,\" she said."),
    ("fr", "La ministre des Armées Florence Parly a ouvert la réunion. « Nous restons engagés », a "
           "déclaré Florence Parly.\n\nLa ministre Marise Payne a salué les partenaires. « La "
           "stabilisation demande de la patience », a-t-elle déclaré."),
])
def test_a_pronoun_after_the_quotation_points_at_the_person_named_last(lang, text):
    quotes = events_of(run(text, "2020-07-28", lang), "quote")
    assert [q["speaker"] for q in quotes][-1] == "Marise Payne"


def test_a_list_of_links_states_no_facts():
    x = run("Kabinet verlengt missie\n\nHet kabinet heeft besloten de missie in Irak met een jaar "
            "te verlengen.\n\nLees ook\n- Nederlandse militairen beveiligen luchthaven Erbil\n"
            "- Vier F-16's naar Jordanië\n\nNaar boven", "2019-09-20", "nl")
    assert not [d for d in events_of(x, "deployment") if d["asset"] in ("F-16", "force protection")]


def test_a_headline_quotation_is_not_its_subjects():
    from communique.ingest import prepare

    doc = prepare(Document(id="t.txt", published="2019-10-28", text=(
        "Mort d'Abou Bakr al-Baghdadi : « un coup dur porté contre Daech »\n\n"
        "Le chef de Daech a été tué lors d'une opération américaine en Syrie.")))
    assert [q["speaker"] for q in events_of(extract(doc), "quote")] == []


def test_a_signature_line_may_carry_an_honorific():
    x = run("Citations\n\n« La stabilité du Moyen-Orient passe par une approche globale et "
            "humanitaire. »\n– L'honorable Mélanie Joly, ministre des Affaires étrangères\n\n"
            "La ministre de la Défense nationale Anita Anand était présente.", "2022-03-29", "fr")
    assert [q["speaker"] for q in events_of(x, "quote")] == ["Mélanie Joly"]


def test_a_two_word_scare_quote_is_not_a_quotation():
    x = run("Volgens minister Stef Blok gaat het om een „tactische wijziging” van de VS.",
            "2019-01-10", "nl")
    assert events_of(x, "quote") == []


# ------------------------------------------------------------------ meetings

def test_virtual_meeting_with_co_chairs_en():
    x = run("On 4 June 2020, Italian Foreign Minister Luigi Di Maio co-chaired with US Secretary of "
            "State Mike Pompeo a virtual meeting of the Small Group of the Global Coalition to "
            "Defeat ISIS.", "2020-06-04", "en")
    [meeting] = events_of(x, "meeting")
    assert meeting["date"] == "2020-06-04"
    assert meeting["virtual"] is True
    assert set(meeting["hosts"]) == {"IT", "US"}
    assert "small group" in meeting["level"]


def test_meeting_in_a_city_nl_resolves_weekday():
    x = run("De ministers van Defensie van de coalitie kwamen dinsdag in Kopenhagen bijeen.",
            "2017-05-11", "nl")
    [meeting] = events_of(x, "meeting")
    assert meeting["place"] == "Copenhagen"
    assert meeting["country"] == "DK"
    assert meeting["date"] == "2017-05-09"
    assert "defence ministers" in meeting["level"]


@pytest.mark.parametrize("lang,text,published,place,date", [
    ("nl", "Gisteren kwamen de ministers van Buitenlandse Zaken van een dertigtal landen in het "
           "Egmontpaleis in Brussel samen om de strijd tegen ISIS te bespreken.",
     "2015-06-03", "Brussels", "2015-06-02"),
    ("nl", "De kerngroep komt in maart opnieuw bijeen in Londen.", "2015-01-20", "London", "2015-03"),
    ("fr", "Le ministre a accueilli jeudi à Paris les ministres de la Défense des pays de la "
           "coalition.", "2016-10-28", "Paris", "2016-10-27"),
])
def test_meetings_named_by_their_verb(lang, text, published, place, date):
    [meeting] = events_of(run(text, published, lang), "meeting")
    assert meeting["place"] == place and meeting["date"] == date


def test_meeting_hosted_fr():
    x = run("Le Maroc a accueilli à Marrakech, le 11 mai 2022, la réunion ministérielle de la "
            "Coalition internationale contre Daech.", "2022-05-11", "fr")
    [meeting] = events_of(x, "meeting")
    assert meeting["place"] == "Marrakech" and meeting["date"] == "2022-05-11"
    assert meeting["hosts"] == ["MA"]


def test_meeting_named_twice_is_one_meeting():
    x = run("Ministerial meeting in Rome\n\nThe ministers met in Rome on 28 June 2021. During this "
            "meeting, ministers discussed Iraq and Syria.", "2021-06-28", "en")
    assert len(events_of(x, "meeting")) == 1


# ------------------------------------------------------------------ deployments

def test_a_headline_alone_states_no_deployment():
    from communique.ingest import prepare

    doc = prepare(Document(id="t.txt", published="2023-02-14", text=(
        "Minister in Irak: gesprek met collega en bezoek aan Nederlandse militairen\n\n"
        "De minister sprak maandag in Bagdad met haar Iraakse ambtsgenoot over de samenwerking.")))
    assert doc.title.startswith("Minister in Irak")
    assert events_of(extract(doc), "deployment") == []


def test_guarding_in_the_past_is_force_protection():
    x = run("Van oktober 2020 tot september 2021 beveiligden 35 Nederlandse militairen het "
            "Belgische detachement in Jordanië.", "2021-10-08", "nl")
    assert "force protection" in {d["asset"] for d in events_of(x, "deployment")}


def test_trained_soldiers_are_not_deployed():
    x = run("Sinds 2015 zijn meer dan 10.000 Iraakse militairen getraind door de coalitie.",
            "2023-01-10", "nl")
    assert events_of(x, "deployment") == []


def test_a_munition_is_not_deployed():
    x = run("The British Reaper destroyed the vehicle with a Hellfire missile over Syria.",
            "2021-04-20", "en")
    assert "Hellfire" not in {d["asset"] for d in events_of(x, "deployment")}


def test_withdrawal_is_ended_nl():
    x = run("Nederland heeft zijn vier F-16’s teruggetrokken uit Jordanië. De toestellen vlogen "
            "sinds januari 2018 boven Irak en Syrië.", "2019-01-07", "nl")
    f16 = [d for d in events_of(x, "deployment") if d["asset"] == "F-16"]
    assert f16 and f16[0]["actor"] == "NL" and f16[0]["status"] == "ended"


def test_extension_keeps_the_deployment_active_en():
    x = run("The Government has extended the deployment of 130 Danish troops at Al Asad Air Base "
            "in Iraq until the end of 2021.", "2020-12-01", "en")
    [d] = events_of(x, "deployment")
    assert d["actor"] == "DK" and d["asset"] == "personnel" and d["quantity"] == 130
    assert d["base"] == "Al Asad Air Base" and d["status"] == "active"


def test_planned_deployment_fr_with_adjective_after_the_noun():
    x = run("Une centaine de formateurs français seront déployés à Bagdad à partir de mars 2019.",
            "2019-01-15", "fr")
    [d] = events_of(x, "deployment")
    assert d["actor"] == "FR" and d["asset"] == "trainers" and d["status"] == "planned"
    assert d["start"] == "2019-03"


# ------------------------------------------------------------------ funding, milestones, membership

FUNDING = [
    ("en", "At the donors' conference in London, Norway pledged NOK 10 billion for the Syria "
           "crisis.", "2016-02-04", 10_000_000_000, "NOK", "NO"),
    ("en", "Australia will invest more than $90 million over three years in stabilisation.",
     "2017-11-02", 90_000_000, "AUD", "AU"),
    ("nl", "Nederland stelt dit jaar € 5 mln beschikbaar voor het ruimen van mijnen in Irak.",
     "2018-03-01", 5_000_000, "EUR", "NL"),
    ("en", "The United Kingdom has pledged £20 million for stabilisation in liberated areas.",
     "2018-02-13", 20_000_000, "GBP", "GB"),
    ("fr", "La France a versé 10 millions d'euros au Fonds de financement pour la stabilisation.",
     "2019-04-02", 10_000_000, "EUR", "FR"),
]


@pytest.mark.parametrize("lang,text,published,amount,currency,donor", FUNDING)
def test_funding(lang, text, published, amount, currency, donor):
    x = run(text, published, lang)
    [f] = events_of(x, "funding")
    assert (f["amount"], f["currency"], f.get("donor")) == (amount, currency, donor)


def test_items_of_a_funding_list_are_funding():
    x = run("Denmark announces a new contribution of DKK 60 million to stabilisation in Iraq.\n"
            "The contribution is divided as follows:\n- DKK 40 million to the UNDP stabilisation "
            "facility;\n- DKK 20 million to demining in Mosul.", "2019-02-06", "en")
    amounts = sorted(f["amount"] for f in events_of(x, "funding"))
    assert amounts == [20_000_000, 40_000_000, 60_000_000]


def test_needs_have_no_donor():
    x = run("The Coalition announced stabilization needs for 2022 amounting to US$ 700 million.",
            "2022-05-11", "en")
    [f] = events_of(x, "funding")
    assert "donor" not in f and f["year"] == "2022" and f["amount"] == 700_000_000


def test_milestone_needs_a_date_near_its_trigger():
    x = run("La chute de Raqqa, le 17 octobre 2017, a marqué un tournant. Daech commet encore des "
            "attentats.", "2017-10-20", "fr")
    [m] = events_of(x, "milestone")
    assert m["date"] == "2017-10-17" and m["place"] == "Raqqa"


def test_membership_count_and_new_member():
    x = run("The Coalition welcomed Togo as its newest member. The Coalition now has 86 members.",
            "2023-06-08", "en")
    # the new member and the new size stated the same day are one fact
    assert events_of(x, "membership") == [{"count": 86, "date": "2023-06-08", "new_members": ["TG"]}]


def test_welcoming_people_is_no_new_member():
    x = run("De coalitie tegen ISIS telt 85 leden. Minister Ludivine Dedonder verwelkomde de piloten "
            "en technici op de basis.", "2021-10-08", "nl")
    assert not [m for m in events_of(x, "membership") if m.get("new_members")]


@pytest.mark.parametrize("lang,text,count", [
    ("nl", "Inmiddels telt de coalitie meer dan 80 leden, waaronder de NAVO en de Europese Unie.", 80),
    ("fr", "Jusqu'à 830 membres des Forces armées canadiennes servent au sein de la coalition.", None),
])
def test_members_listed_after_a_count_are_the_coalitions(lang, text, count):
    found = events_of(run(text, "2020-01-10", lang), "membership")
    assert [m["count"] for m in found] == ([count] if count else [])


# ------------------------------------------------------------------ entities

def test_one_person_under_two_names_and_aliases_of_daesh():
    x = run("Minister Ank Bijleveld van Defensie bezocht Erbil. Bijleveld sprak met de "
            "Koerdische strijders over ISIS. De strijd tegen IS gaat door.", "2019-02-01", "nl")
    persons = [e for e in x.entities if e.type == "person"]
    assert [p.name for p in persons] == ["Ank Bijleveld-Schouten"]
    assert len(persons[0].mentions) == 2
    assert entity_names(x, "armed_group") == {"Daesh"}
    assert "Minister of Defence" in persons[0].roles


def test_unknown_person_found_by_office():
    x = run("De Deense minister van Defensie Trine Bramsen kondigde de inzet aan.",
            "2020-01-10", "nl")
    [p] = [e for e in x.entities if e.type == "person"]
    assert p.name == "Trine Bramsen" and p.country == "DK"


def test_the_government_that_speaks_in_the_lead_is_the_actor():
    x = run("Transport aircraft to stay as Iraq holds elections\n\nMedia release\n\nThe Danish "
            "Government has decided to extend its contribution, after Iraqi Prime Minister Haider "
            "al-Abadi asked the partners to stay. The C-130J transport aircraft will remain in "
            "Kuwait until the end of the year.", "2018-03-02", "en")
    actors = {e["actor"] for e in events_of(x, "deployment")}
    assert actors == {"DK"}


def test_a_national_operation_tells_whose_release_it_is():
    x = run("Opération Chammal : point de situation\n\nDans le cadre de l'opération Chammal, les "
            "Rafale de la base aérienne projetée en Jordanie ont réalisé 24 sorties cette semaine.",
            "2019-02-21", "fr")
    assert {d["actor"] for d in events_of(x, "deployment")} == {"FR"}


def test_a_possessive_closes_a_name():
    x = run("Defence Minister Linda Reynolds visited the troops at Taji. For questions, contact "
            "Minister Reynolds's office in Canberra.", "2020-03-02", "en")
    assert {e.name for e in x.entities if e.type == "person"} == {"Linda Reynolds"}


def test_a_name_holds_no_country():
    x = run("\"This was one of our most demanding missions,\" said the Chief of the German Air "
            "Force, Lieutenant General Ingo Gerhartz.", "2020-04-02", "en")
    assert {e.name for e in x.entities if e.type == "person"} == {"Ingo Gerhartz"}
    assert [q["speaker"] for q in events_of(x, "quote")] == ["Ingo Gerhartz"]


def test_a_speech_verb_inside_a_known_name_is_no_verb():
    x = run("Ten jets of the United States Marine Corps joined the strike group in the Gulf. The "
            "group will remain in the region until June.", "2021-06-22", "en")
    assert not [e for e in x.entities if e.type == "person"]
    assert "US" in entity_names(x, "country")


# ------------------------------------------------------------------ German: data files only

def test_german_meeting_and_deployment_from_data_files_alone():
    text = ("Die Verteidigungsminister der Koalition gegen den IS trafen sich am 12. Februar 2020 "
            "in Brüssel. Die Bundesregierung hat den Einsatz von 500 deutschen Soldaten im Irak "
            "bis Januar 2021 verlängert.")
    x = run(text, "2020-02-13", "de")
    [meeting] = events_of(x, "meeting")
    assert meeting["place"] == "Brussels" and meeting["date"] == "2020-02-12"
    [d] = events_of(x, "deployment")
    assert d["actor"] == "DE" and d["asset"] == "personnel" and d["quantity"] == 500
    assert d["area"] == ["IQ"] and d["end"] == "2021-01"
