"""A synthetic corpus of any size, generated from the bundled sample releases and the test corpora.

Each generated document is one template release (nl, en, fr or bilingual) with:
- the names the extractor found (persons, places, countries) swapped for other names of the same
  type found in the same language, each document a different draw;
- years shifted by -3..+3 (one shift per document), amounts and personnel figures redrawn with the
  same number of digits (days and months, 1-2 digits, left alone so dates stay valid);
- its body paragraphs after the first shuffled and some dropped,
so that documents differ in names, dates, places and numbers, and no two are identical.

    python benchmarks/corpus.py N out.jsonl [--seed 1]
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_NUMBER = re.compile(r"(?<![\w\-/.,])\d+(?![\w\-/])")
_YEAR = re.compile(r"^(19[89]\d|20[0-3]\d)$")


def template_paths() -> list[Path]:
    from communique import resources

    paths = sorted((resources.sample_dir() / "seeds").glob("*.txt"))
    paths += sorted((ROOT / "tests" / "fixtures" / "corpus").glob("*/*.txt"))
    return paths


def templates() -> tuple[list[dict], dict[tuple[str, str], list[str]]]:
    """The templates (text and name spans) and, per (language, entity type), the names seen."""
    from communique.extract.pipeline import extract
    from communique.ingest import prepare, read_sources

    docs, pool = [], {}
    for item in read_sources([str(p) for p in template_paths()]):
        if not hasattr(item, "text"):
            continue
        x = extract(prepare(item))
        spans = []
        for ent in x.entities:
            if ent.type not in ("person", "place", "country"):
                continue
            for m in ent.mentions:
                lang = m.language or item.language_at(m.start) or "en"
                spans.append((m.start, m.end, ent.type, lang))
                pool.setdefault((lang, ent.type), set()).add(m.text)
        spans.sort()
        kept, last = [], -1
        for s in spans:  # no overlapping spans
            if s[0] >= last:
                kept.append(s)
                last = s[1]
        docs.append({"id": item.id, "text": item.text, "spans": kept})
    return docs, {k: sorted(v) for k, v in pool.items()}


def _vary_numbers(text: str, rng: random.Random, shift: int) -> str:
    def repl(m: re.Match) -> str:
        s = m.group()
        if _YEAR.match(s):
            return str(int(s) + shift)
        if len(s) <= 2:
            return s
        return str(rng.randint(10 ** (len(s) - 1), 10 ** len(s) - 1))

    return _NUMBER.sub(repl, text)


def generate_one(template: dict, pool: dict, rng: random.Random) -> str:
    text, out, pos = template["text"], [], 0
    for start, end, etype, lang in template["spans"]:
        names = pool.get((lang, etype)) or [text[start:end]]
        out.append(text[pos:start])
        out.append(rng.choice(names) if rng.random() < 0.7 else text[start:end])
        pos = end
    out.append(text[pos:])
    text = _vary_numbers("".join(out), rng, rng.randint(-3, 3))
    paras = text.split("\n")
    head, body = paras[:3], paras[3:]
    rng.shuffle(body)
    body = [p for p in body if not p.strip() or rng.random() < 0.85]
    return "\n".join(head + body)


def generate(n: int, seed: int = 1):
    """n unique documents as JSON Lines records {id, text}."""
    docs, pool = templates()
    rng = random.Random(seed)
    seen: set[int] = set()
    i = 0
    while i < n:
        template = docs[i % len(docs)]
        text = generate_one(template, pool, rng)
        key = hash(text)
        if key in seen:
            continue
        seen.add(key)
        yield {"id": f"gen-{i:06d}-{template['id']}", "text": text}
        i += 1


def write(n: int, path: str | Path, seed: int = 1) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for record in generate(n, seed):
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    write(args.n, args.out, args.seed)
    print(f"{args.n} documents -> {args.out}", file=sys.stderr)
