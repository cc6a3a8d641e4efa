"""Reading sources: formats, encodings, bad input, and the conventions of real releases."""
from __future__ import annotations

import io
import json
import sys

import pytest

from communique.errors import InputError
from communique.ingest import prepare, read_sources
from communique.ingest.text import apply_conventions, read_header, read_title, strip_tags
from communique.model import Document

from conftest import FIXTURES

BAD = FIXTURES / "ingest"


def read(*paths, **kw):
    items = list(read_sources([str(p) for p in paths], **kw))
    docs = {d.id: d for d in items if isinstance(d, Document)}
    errors = [e for e in items if isinstance(e, InputError)]
    return docs, errors


def test_sample_ids_are_file_names(sample_seeds, sample_gold):
    docs, errors = read(sample_seeds)
    assert errors == []
    assert sorted(docs) == sorted(sample_gold)
    assert all(d.source.endswith(d.id) for d in docs.values())


@pytest.mark.parametrize("field", ["title", "published"])
def test_sample_title_and_published_equal_gold(sample_seeds, sample_gold, field):
    docs, _ = read(sample_seeds)
    got = {doc_id: getattr(d, field) for doc_id, d in docs.items()}
    assert got == {doc_id: g[field] for doc_id, g in sample_gold.items()}


def test_text_is_the_file_unchanged(sample_seeds):
    docs, _ = read(sample_seeds)
    for doc in docs.values():
        with open(doc.source, encoding="utf-8") as fh:
            assert doc.text == fh.read()


def test_date_header_gives_month_and_title():
    assert read_header(" date 2020-09 Kabinet stuurt militairen [nl]\n\nTekst.")[:2] == (
        "2020-09", "Kabinet stuurt militairen")
    assert read_header("Kabinet stuurt militairen\n")[0] is None


def test_title_skips_genre_label_and_tags():
    text = "Persbericht\n\nMinisteriële bijeenkomst in Rome [fr]\n\nVandaag is de minister..."
    assert read_title(text)[0] == "Ministeriële bijeenkomst in Rome"
    assert strip_tags("[en] Coalition meets") == "Coalition meets"


def test_a_paragraph_first_is_no_title():
    text = ("On March 30, 2021, the Deputy Prime Minister co-chaired with the US Secretary of State a "
            "virtual ministerial meeting of the International Coalition to defeat Daesh in a small "
            "format.\nMore text.")
    assert read_title(text)[0] is None


@pytest.mark.parametrize("text, published", [
    ("Titel\n\nTekst over de coalitie.\n\ngepubliceerd op 27/06/2019\n\nnaar boven", "2019-06-27"),
    ("Title\n\nText about the coalition.\n\nPublished on 2019-03-12", "2019-03-12"),
    ("Titre\n\nUn texte sur la coalition.\n\npublié le 03/03/2020", "2020-03-03"),
    ("Titel\n\nEin Text über die Koalition.\n\nveröffentlicht am 5.2.2018", "2018-02-05"),
    ("Title\n\nNothing dates this release.", None),
])
def test_publication_markers(text, published):
    assert apply_conventions(Document(id="x", text=text)).published == published


@pytest.mark.parametrize("text, published", [
    ("Title\n\nMedia Note\nFebruary 4, 2019\n\nThe Secretary will host the ministers.", "2019-02-04"),
    ("Title\n\nDec. 9, 2021\n\nThe Coalition's combat mission in Iraq has concluded.", "2021-12-09"),
    ("Title\n\nMarch 18, 2019 – Ottawa, Ontario – National Defence\n\nToday, the minister "
     "announced that the operation has been extended until March 31, 2021.", "2019-03-18"),
    ("Titel\n\nDen Haag, 9 januari 2020 – Een deel van de militairen is naar Koeweit verplaatst.",
     "2020-01-09"),
    ("Titre\n\nAmbassade des États-Unis en France – Communiqué du porte-parole\n\nLe 8 juin 2023, "
     "le secrétaire d'État a coprésidé la réunion ministérielle à Riyad.", "2023-06-08"),
    ("Title\n\nOn March 30, 2021, the minister co-chaired a virtual meeting.", "2021-03-30"),
    ("Titel\n\nVandaag, maandag 28 juni, is de minister naar Rome gereisd. Sinds 2014 is de "
     "coalitie actief; in 2021 telt ze 83 leden.", "2021-06-28"),
    ("Titel\n\nNieuwsbericht | 08-12-2017\n\nHet kabinet heeft besloten.", "2017-12-08"),
    ("Titel\n\nBrussel, 03/12/2014\n\nDe ministers kwamen bijeen.", "2014-12-03"),
    ("Title\n\nBrussels, 25 May 2017\n\nLeaders agreed to join.", "2017-05-25"),
    ("Titre\n\nCommuniqué de presse – 29 juin 2021\n\nLe ministre était à Rome.", "2021-06-29"),
    ("Titre\n\nParis, le 11 juillet 2017\n\nMossoul est libérée.", "2017-07-11"),
    ("Discours de la ministre\n\nBase aérienne projetée au Levant, le 21 décembre 2021 – Seul le "
     "prononcé fait foi\n\nMesdames et messieurs,", "2021-12-21"),
    ("Déclarations du porte-parole – Point de presse du 12 février 2018\n\n1 - Koweït\n\nQ - Le "
     "ministre participera-t-il à la réunion ?", "2018-02-12"),
    ("La coalition\n\nPrésentation de la coalition.\n\nMise à jour : janvier 2024", "2024-01"),
    # a date further into the lead sentence is what the release reports, not its publication
    ("Title\n\nMinisters met in Marrakech on 11 May 2022, the first meeting in Africa.", None),
    ("Title\n\nAll soldiers are safe after the base was hit in the early hours of 8 January 2020.",
     None),
])
def test_datelines(text, published):
    assert apply_conventions(Document(id="x", text=text)).published == published


def _corpus_cases():
    root = FIXTURES / "corpus"
    for gold_path in sorted(root.glob("*.gold.jsonl")):
        for line in gold_path.read_text("utf-8").splitlines():
            if line.strip():
                gold = json.loads(line)
                path = root / gold_path.name.split(".")[0] / gold["doc"]
                if path.exists():
                    yield pytest.param(path, gold, id=gold["doc"])


@pytest.mark.parametrize("path, gold", list(_corpus_cases()))
def test_corpus_metadata_equals_gold(path, gold):
    """Every document of the per-language test corpora: languages, published, title as gold."""
    (doc,) = [d for d in read_sources([str(path)])]
    prepare(doc)
    got = {"languages": doc.languages, "published": doc.published, "title": doc.title}
    assert got == {k: gold.get(k) for k in got}


@pytest.mark.parametrize("path, gold", list(_corpus_cases())[:6])
def test_conventions_applied_by_prepare_when_reading_left_them(path, gold):
    """`ingest` reads its sources as they are and applies the conventions where it extracts:
    the same title and date as reading them with the conventions."""
    (raw,) = [d for d in read_sources([str(path)], conventions=False)]
    (read,) = [d for d in read_sources([str(path)])]
    prepare(raw)
    assert (raw.title, raw.published) == (read.title, read.published) == (
        gold.get("title"), gold.get("published"))


def test_source_metadata_wins_over_conventions():
    doc = Document(id="x", text="Other title\n\ngepubliceerd op 27/06/2019", title="Given",
                   published="2020")
    apply_conventions(doc)
    assert (doc.title, doc.published) == ("Given", "2020")


def test_html_title_date_and_main_text():
    docs, errors = read(BAD / "page.html")
    assert errors == []
    doc = docs["page.html"]
    assert doc.title == "Coalition ministers meet in Rome"
    assert doc.published == "2021-06-28"
    assert "Foreign ministers of the Global Coalition" in doc.text
    assert "Home" not in doc.text.split("\n")  # navigation removed


def test_latin1_is_decoded():
    docs, errors = read(BAD / "latin1.txt")
    assert errors == []
    doc = docs["latin1.txt"]
    assert "Jordanië" in doc.text
    assert doc.title == "Belgische F-16's keren terug uit Jordanië"
    assert doc.published == "2021-10-15"


@pytest.mark.parametrize("name, message", [
    ("binary.txt", "binary"),
    ("empty.txt", "empty"),
])
def test_unreadable_files_are_named(name, message):
    docs, errors = read(BAD / name)
    assert docs == {}
    assert len(errors) == 1
    assert errors[0].source.endswith(name) and message in errors[0].message


def test_size_limit_is_configurable():
    _, errors = read(BAD / "huge.txt", max_bytes=10_000)
    assert len(errors) == 1 and "too large" in str(errors[0]) and "huge.txt" in str(errors[0])
    docs, errors = read(BAD / "huge.txt", max_bytes=None)
    assert errors == [] and "huge.txt" in docs


def test_jsonl_broken_line_named_and_others_read():
    docs, errors = read(BAD / "corpus.jsonl")
    assert sorted(docs) == ["jl-1", "jl-3"]
    assert [(e.line, e.source.endswith("corpus.jsonl")) for e in errors] == [(2, True), (4, True)]
    assert str(errors[0]).startswith(f"{BAD / 'corpus.jsonl'}:2: ")
    jl1, jl3 = docs["jl-1"], docs["jl-3"]
    assert jl1.title == "La Belgique prolonge sa participation à la coalition"  # label skipped
    assert (jl1.url, jl1.declared_language) == ("https://example.org/fr/1", "fr")
    assert (jl3.title, jl3.published) == ("Coalition meets in Washington", "2019-02-06")


def test_directory_recursion_and_missing_path(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.txt").write_text("Deep title\n\nSome text here.", "utf-8")
    (tmp_path / "a" / "ignored.pdf").write_bytes(b"%PDF-1.4")
    docs, errors = read(tmp_path, tmp_path / "nope.txt")
    assert list(docs) == ["deep.txt"]
    assert len(errors) == 1 and "no such file" in str(errors[0])


def test_unsupported_file_given_explicitly(tmp_path):
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF-1.4")
    _, errors = read(path)
    assert len(errors) == 1 and "unsupported" in str(errors[0])


def test_stdin(monkeypatch):
    data = "Stdin title\n\nSome text from standard input.\n".encode("utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    docs, errors = read("-")
    assert errors == [] and docs["stdin"].title == "Stdin title"


def test_stdin_jsonl(monkeypatch):
    data = (json.dumps({"id": "s1", "text": "Een korte tekst."}) + "\n").encode("utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    docs, _ = read("-")
    assert list(docs) == ["s1"]


def test_prepare_fills_segments(sample_seeds):
    docs, _ = read(sample_seeds / "000_8fb598d2019c378c.txt")
    doc = prepare(docs["000_8fb598d2019c378c.txt"])
    assert doc.languages == ["nl", "en"]
    assert doc.segments[0].start == 0 and doc.segments[-1].end == len(doc.text)


def test_link_lists_run_from_their_heading_to_a_blank_line():
    from communique.ingest.text import link_lists

    text = ("Titel\n\nTekst.\n\nLees ook\n- Eerste link\n- Tweede link\n\nContact\n"
            "Liens connexes : Opération IMPACT | Stratégie\nSee also\n- Last link")
    spans = [text[a:b].strip() for a, b in link_lists(text)]
    assert spans == ["Lees ook\n- Eerste link\n- Tweede link",
                     "Liens connexes : Opération IMPACT | Stratégie", "See also\n- Last link"]
