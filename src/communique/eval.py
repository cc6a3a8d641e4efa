"""Scoring extracted facts against gold, with exactly the rules of docs/SCHEMA.md.

    score(load(gold), load(predicted)) -> dict      report(result, misses=False) -> str

Key fields decide whether a predicted event is a gold event; other fields are slots, scored as
accuracy on matched pairs. Names are compared case-, accent- and punctuation-blind, a hyphen may
split or join, and a name of two tokens or more matches a name it is a token subsequence of.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable

from .errors import InputError

KEYS = {
    "meeting": ("date", "place"),
    "deployment": ("actor", "asset"),
    "funding": ("amount", "currency"),
    "quote": ("speaker", "text"),
    "milestone": ("date",),
    "membership": ("count", "new_members"),
}
DATE_FIELDS = {"date", "start", "end", "since", "year", "published"}
CODE_FIELDS = {"actor", "country", "currency"}
NUMBER_FIELDS = {"quantity", "participants", "count"}
WORDS_FIELDS = {"purpose", "what", "level"}
TEXT_FIELDS = {"text"}
SKIP_FIELDS = {"type", "evidence"}

_HYPHEN_BETWEEN_WORDS = re.compile(r"(?<=\w)[-\u2010\u2011]+(?=\w)")
_NON_WORD = re.compile(r"[\W_]+")

Aliases = dict[str, list[str]]  # normalised gold name -> its other names, for one document


def norm(name, glue_hyphens: bool = False) -> str:
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    if glue_hyphens:
        text = _HYPHEN_BETWEEN_WORDS.sub("", text)
    return _NON_WORD.sub(" ", text).strip()


def tokens(name, glue_hyphens: bool = False) -> list[str]:
    return norm(name, glue_hyphens).split()


def is_subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(tok in it for tok in short)


def tokens_match(ta: list[str], tb: list[str]) -> bool:
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return len(short) >= 2 and is_subsequence(short, long)


def names_match(gold, pred, aliases: Aliases | None = None) -> bool:
    for name in [gold] + (aliases or {}).get(norm(gold), []):
        for glue in (False, True):
            if tokens_match(tokens(name, glue), tokens(pred, glue)):
                return True
    return False


def dates_match(a, b) -> bool:
    """Partial ISO dates match when the less precise one is a prefix of the other."""
    a, b = str(a).strip(), str(b).strip()
    if not a or not b:
        return False
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return long == short or long.startswith(short + "-")


def amounts_match(a, b) -> bool:
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return abs(a - b) <= 0.01 * max(abs(a), abs(b))


def text_overlap(a, b) -> float:
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    pool = list(tb)
    common = 0
    for tok in ta:
        if tok in pool:
            pool.remove(tok)
            common += 1
    return 2 * common / (len(ta) + len(tb))


def values_match(field: str, gold, pred, aliases: Aliases | None = None) -> bool:
    """One comparison per kind of field; lists match when every gold item has a partner."""
    if pred is None:
        return False
    if isinstance(gold, list):
        preds = pred if isinstance(pred, list) else [pred]
        return len(gold) == len(preds) and all(
            any(values_match(field, g, p, aliases) for p in preds) for g in gold)
    if isinstance(gold, bool) or isinstance(pred, bool):
        return gold == pred
    if field in DATE_FIELDS:
        return dates_match(gold, pred)
    if field == "amount":
        return amounts_match(gold, pred)
    if field in NUMBER_FIELDS:
        return amounts_match(gold, pred) and float(gold) == float(pred)
    if field in TEXT_FIELDS:
        return text_overlap(gold, pred) >= 0.5
    if field in WORDS_FIELDS:
        return bool(set(tokens(gold)) & set(tokens(pred)))
    if field in CODE_FIELDS or (len(str(gold)) == 2 and str(gold).isupper()):
        return norm(gold) == norm(pred)
    return names_match(gold, pred, aliases)


def keys_match(kind: str, gold: dict, pred: dict, aliases: Aliases | None = None) -> bool:
    for field in KEYS.get(kind, ()):
        if field == "place" and gold.get("virtual") is True:
            if pred.get("virtual") is not True:
                return False
            continue
        if field == "new_members" and "count" in gold:
            continue
        if field == "count" and "count" not in gold and "new_members" in gold:
            continue
        if field in gold and not values_match(field, gold[field], pred.get(field), aliases):
            return False
    return True


def slot_fields(kind: str, gold: dict) -> list[str]:
    keys = set(KEYS.get(kind, ()))
    return [f for f in gold if f not in keys and f not in SKIP_FIELDS and f != "virtual"]


def slot_score(kind: str, gold: dict, pred: dict, aliases: Aliases | None = None) -> int:
    return sum(values_match(f, gold[f], pred.get(f), aliases) for f in slot_fields(kind, gold))


def pair(golds: list[dict], preds: list[dict], fits: Callable, score: Callable
         ) -> list[tuple[int, int]]:
    """Greedy one-to-one pairing, best-scoring candidates first."""
    candidates = [(score(g, p), gi, pi)
                  for gi, g in enumerate(golds) for pi, p in enumerate(preds) if fits(g, p)]
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_g, used_p, pairs = set(), set(), []
    for _, gi, pi in candidates:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return pairs


def entity_fits(gold: dict, pred: dict, aliases: Aliases | None = None) -> bool:
    if gold.get("type") == "country":
        return norm(gold.get("code", "")) == norm(pred.get("code", ""))
    return names_match(gold.get("name", ""), pred.get("name", ""), aliases)


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
            "tp": tp, "fp": fp, "fn": fn}


class Tally:
    def __init__(self):
        self.counts = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn

    def add(self, label: str, tp: int, fp: int, fn: int) -> None:
        c = self.counts[label]
        c[0] += tp
        c[1] += fp
        c[2] += fn

    def rows(self) -> dict:
        return {label: prf(*self.counts[label]) for label in sorted(self.counts)}

    def total(self) -> dict:
        return prf(*(sum(c[i] for c in self.counts.values()) for i in range(3)))


def by_type(items) -> dict[str, list[dict]]:
    groups = defaultdict(list)
    for item in items or []:
        if isinstance(item, dict):
            groups[str(item.get("type", ""))].append(item)
    return groups


def parse_lines(lines, source: str) -> dict[str, dict]:
    """Fact lines (JSON objects with a 'doc') by document; InputError names a bad line."""
    docs = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(source, f"not JSON: {err}", number) from err
        if not isinstance(record, dict) or "doc" not in record:
            raise InputError(source, "each line must be an object with a 'doc' field", number)
        docs[str(record["doc"])] = record
    return docs


def load(path: str) -> dict[str, dict]:
    try:
        with open(path, encoding="utf-8") as fh:
            return parse_lines(fh, path)
    except OSError as err:
        raise InputError(path, f"cannot be read: {err.strerror or err}") from err


def _aliases(gold: dict) -> Aliases:
    return {norm(e.get("name", "")): list(e["aliases"])
            for e in gold.get("entities") or [] if isinstance(e, dict) and e.get("aliases")}


def score(gold_docs: dict, pred_docs: dict) -> dict:
    """Per-type P/R/F1 of entities and events, slot accuracy, languages/published accuracy."""
    entities, events = Tally(), Tally()
    slots = defaultdict(lambda: [0, 0])  # right, asked
    meta = {"languages": [0, 0], "published": [0, 0]}
    misses = []
    for doc, gold in gold_docs.items():
        pred = pred_docs.get(doc, {})
        aliases = _aliases(gold)
        if gold.get("languages"):
            meta["languages"][1] += 1
            meta["languages"][0] += list(pred.get("languages") or []) == list(gold["languages"])
        if gold.get("published"):
            meta["published"][1] += 1
            meta["published"][0] += bool(pred.get("published")) and dates_match(
                gold["published"], pred["published"])
        g_ent, p_ent = by_type(gold.get("entities")), by_type(pred.get("entities"))
        for kind in sorted(set(g_ent) | set(p_ent)):  # sorted: stable miss order
            gs, ps = g_ent.get(kind, []), p_ent.get(kind, [])
            pairs = pair(gs, ps, lambda g, p, a=aliases: entity_fits(g, p, a), lambda g, p: 0)
            entities.add(kind, len(pairs), len(ps) - len(pairs), len(gs) - len(pairs))
            matched_g = {gi for gi, _ in pairs}
            matched_p = {pi for _, pi in pairs}
            misses += [(doc, "missed entity", g) for i, g in enumerate(gs) if i not in matched_g]
            misses += [(doc, "extra entity", p) for i, p in enumerate(ps) if i not in matched_p]
        g_ev, p_ev = by_type(gold.get("events")), by_type(pred.get("events"))
        for kind in sorted(set(g_ev) | set(p_ev)):
            gs, ps = g_ev.get(kind, []), p_ev.get(kind, [])
            pairs = pair(gs, ps, lambda g, p, k=kind, a=aliases: keys_match(k, g, p, a),
                         lambda g, p, k=kind, a=aliases: slot_score(k, g, p, a))
            events.add(kind, len(pairs), len(ps) - len(pairs), len(gs) - len(pairs))
            for gi, pi in pairs:
                for field in slot_fields(kind, gs[gi]):
                    right = values_match(field, gs[gi][field], ps[pi].get(field), aliases)
                    slots[f"{kind}.{field}"][0] += right
                    slots[f"{kind}.{field}"][1] += 1
                    if not right:
                        misses.append((doc, f"wrong {kind}.{field}",
                                       {"gold": gs[gi][field], "predicted": ps[pi].get(field)}))
            matched_g = {gi for gi, _ in pairs}
            matched_p = {pi for _, pi in pairs}
            misses += [(doc, "missed event", g) for i, g in enumerate(gs) if i not in matched_g]
            misses += [(doc, "extra event", p) for i, p in enumerate(ps) if i not in matched_p]
    right = sum(s[0] for s in slots.values())
    asked = sum(s[1] for s in slots.values())

    def accuracy(key: str):
        got, of = meta[key]
        return round(got / of, 4) if of else None

    return {
        "documents": len(gold_docs),
        "documents_missing": sorted(set(gold_docs) - set(pred_docs)),
        "entities": entities.rows(),
        "entities_micro": entities.total(),
        "events": events.rows(),
        "events_micro": events.total(),
        "slot_accuracy": round(right / asked, 4) if asked else None,
        "slots": {k: round(v[0] / v[1], 4) for k, v in sorted(slots.items()) if v[1]},
        "languages_accuracy": accuracy("languages"),
        "published_accuracy": accuracy("published"),
        "misses": [{"doc": d, "what": w, "item": i} for d, w, i in misses],
    }


def table(title: str, rows: dict, total: dict) -> str:
    lines = [f"{title:<16} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}"]
    for label, r in list(rows.items()) + [("ALL (micro)", total)]:
        lines.append(f"{label:<16} {r['precision']:>6.3f} {r['recall']:>6.3f} {r['f1']:>6.3f} "
                     f"{r['tp']:>5} {r['fp']:>5} {r['fn']:>5}")
    return "\n".join(lines)


def report(result: dict, misses: bool = False) -> str:
    """The result as the referee prints it; the last line is `events F1 … · entities F1 …`."""
    out = [f"documents: {result['documents']}  missing from predictions: "
           f"{len(result['documents_missing'])}",
           table("entities", result["entities"], result["entities_micro"]), "",
           table("events", result["events"], result["events_micro"]), "",
           f"slot accuracy on matched events: {result['slot_accuracy']}"]
    out += [f"  {field:<28} {acc:.3f}" for field, acc in result["slots"].items()]
    out.append(f"languages accuracy: {result['languages_accuracy']}  "
               f"published accuracy: {result['published_accuracy']}")
    if misses:
        out.append("")
        out += [f"{m['doc']}: {m['what']}: {json.dumps(m['item'], ensure_ascii=False)}"
                for m in result["misses"]]
    out.append(f"events F1 {result['events_micro']['f1']:.3f} · entities F1 "
               f"{result['entities_micro']['f1']:.3f}")
    return "\n".join(out)


def to_json(result: dict, misses: bool = False) -> str:
    result = dict(result)
    if not misses:
        result.pop("misses", None)
    return json.dumps(result, ensure_ascii=False, indent=1)
