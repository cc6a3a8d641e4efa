"""Full-text search (SQLite FTS5) over documents and evidence, with cross-lingual expansion.

User input never reaches FTS5 syntax: the query is cut into words, each word into the tokens that
the `unicode61` tokenizer would make, and each is sent as a quoted phrase (so `"`, `OR`, `NEAR`,
`*` or `-` in the input are just text). A word (or run of words) that names a gazetteer entity, or
an entity already in the store, is expanded to all its names in all languages: `Jordan` also finds
`Jordanië` and `Jordanie`.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

from ..resolve.identity import norm

_OPEN, _CLOSE = "\x02", "\x03"
MAX_TERMS = 12
MAX_ALIASES = 40


@lru_cache(maxsize=1)
def _word() -> re.Pattern:
    return re.compile(r"[^\W_]+", re.UNICODE)


def _phrase(text: str) -> str | None:
    """`F-16’s` -> `"f 16 s"`: the tokens of one name as an FTS5 phrase (only word characters)."""
    toks = _word().findall(norm(text))
    return '"' + " ".join(toks) + '"' if toks else None


def _gazetteer():
    """The gazetteer, or None: it is optional here (no expansion without it)."""
    try:
        from ..extract.gazetteer import gazetteer
        return gazetteer()
    except Exception:
        return None


def warm() -> None:
    """Load the gazetteer now (a server, as it starts) rather than during a first search."""
    _gazetteer()


def _gazetteer_aliases(words: str) -> list[str]:
    found = _gazetteer()
    try:
        entry = found.by_name(words) if found is not None else None
    except Exception:  # the gazetteer is optional here: no expansion without it
        return []
    if entry is None:
        return []
    names = [entry.name]
    for forms in (entry.aliases or {}).values():
        names.extend(forms)
    return names


def _store_aliases(store, words: str) -> list[str]:
    rows = store.rows(
        "SELECT DISTINCT a2.alias FROM aliases a JOIN entities e ON e.id = a.entity"
        " JOIN aliases a2 ON a2.entity = COALESCE(e.same_as, e.id) OR a2.entity = e.id"
        " WHERE a.norm = ? AND e.type != 'person' LIMIT ?", (norm(words), MAX_ALIASES))
    return [r["alias"] for r in rows]


def expand(store, query: str) -> list[list[str]]:
    """The query as groups of alternative phrases (AND between groups, OR inside one)."""
    words = query.split()[:MAX_TERMS]
    groups: list[list[str]] = []
    i = 0
    while i < len(words):
        for n in (3, 2, 1):
            if i + n > len(words):
                continue
            chunk = " ".join(words[i:i + n])
            names = _gazetteer_aliases(chunk) + _store_aliases(store, chunk)
            if names or n == 1:
                phrases = [p for p in (_phrase(x) for x in [chunk, *names]) if p]
                if phrases:
                    groups.append(_shortest(list(dict.fromkeys(phrases))[:MAX_ALIASES]))
                i += n
                break
    return groups


def _shortest(phrases: list[str]) -> list[str]:
    """The alternatives without those that contain another one (`"global coalition"` when
    `"coalition"` is there): they find the same documents, and each phrase costs time to rank."""
    padded = [f" {p.strip(chr(34))} " for p in phrases]
    return [p for p, mine in zip(phrases, padded)
            if not any(other != mine and other in mine for other in padded)]


def match_expression(groups: list[list[str]]) -> str:
    return " AND ".join("(" + " OR ".join(g) + ")" for g in groups)


def _snippet(raw: str | None) -> str:
    """Escape everything, then turn the private markers into <mark>…</mark>."""
    text = html.escape(raw or "")
    return text.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


# Ranking reads the newest CANDIDATES hits only (FTS5 gives them newest first, by rowid, without
# ranking anything), and scores those: a search costs the same on a store of any size. FTS5's own
# bm25 would not do: its inverse document frequencies count every row that matches each phrase.
CANDIDATES = 200
# BM25's term saturation and length normalisation over the title (weight 2) and the body (1):
# the occurrences of any of the query's phrases counted together (no inverse document frequency,
# which a row count over the whole store would give)
K1, B = 1.2, 0.75
WEIGHTS = (2.0, 1.0)
SNIPPET_WORDS = 24


def _score(tfs: tuple[int, int], lengths: tuple[int, int], averages: tuple[float, float]) -> float:
    score = 0.0
    for tf, length, avg, weight in zip(tfs, lengths, averages, WEIGHTS):
        if tf:
            score += weight * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / (avg or 1)))
    return score


def fragment(marked: str | None, size: int = SNIPPET_WORDS) -> str:
    """The `size` words of a highlighted text with the most marked occurrences (the first such
    window, started a word or two before its first occurrence), `…` where it was cut; a mark cut
    by the window is closed (or opened) at its edge."""
    words = (marked or "").split()
    if len(words) <= size:
        return " ".join(words)
    starts = [i for i, w in enumerate(words) if _OPEN in w]
    best, best_n, end = 0, -1, 0
    for k, first in enumerate(starts):   # the marks in [first, first + size): a sliding window
        while end < len(starts) and starts[end] < first + size:
            end += 1
        if end - k > best_n:
            best, best_n = first, end - k
    begin = max(0, min(best - 2, len(words) - size))
    window = words[begin:begin + size]
    # marks open before the window, or still open at its end
    opened = sum(w.count(_OPEN) - w.count(_CLOSE) for w in words[:begin]) > 0
    text = (_OPEN if opened else "") + " ".join(window)
    if text.count(_OPEN) > text.count(_CLOSE):
        text += _CLOSE
    return ("…" if begin else "") + text + ("…" if begin + size < len(words) else "")


def search(store, query: str, limit: int = 20) -> list[dict]:
    """[{kind: document|event, doc, event_id?, title, snippet}] best first: the best `limit` of
    the newest CANDIDATES hits (of current documents)."""
    groups = expand(store, query or "")
    if not groups:
        return []
    expression = match_expression(groups)
    # the newest hits, with their occurrences marked (highlight) to count them
    hits = store.rows(
        "SELECT f.rowid AS id, f.kind, f.doc, f.xevent, f.title AS ftitle,"
        f" highlight(search_fts, 0, '{_OPEN}', '{_CLOSE}') AS htitle,"
        f" highlight(search_fts, 1, '{_OPEN}', '{_CLOSE}') AS hbody"
        " FROM search_fts f WHERE search_fts MATCH ? ORDER BY f.rowid DESC LIMIT ?",
        (expression, CANDIDATES))
    if not hits:
        return []
    lengths = [(len(h["htitle"] or ""), len(h["hbody"] or "")) for h in hits]
    averages = (sum(t for t, _ in lengths) / len(hits), sum(b for _, b in lengths) / len(hits))
    for h, length in zip(hits, lengths):
        tfs = ((h["htitle"] or "").count(_OPEN), (h["hbody"] or "").count(_OPEN))
        h["score"] = _score(tfs, length, averages)
    ranked = sorted(hits, key=lambda h: (-h["score"], -h["id"]))
    # the documents of the best (the writer takes a replaced version's rows out of the index;
    # a row of a document that is not current any more would be left out here all the same)
    docs: dict[str, str | None] = {}
    best: list[dict] = []
    for start in range(0, len(ranked), int(limit)):
        chunk = ranked[start:start + int(limit)]
        wanted = sorted({h["doc"] for h in chunk} - docs.keys())
        if wanted:
            docs.update({r["id"]: r["title"] for r in store.rows(
                f"SELECT id, title FROM documents WHERE id IN ({','.join('?' * len(wanted))})"
                " AND +current = 1", tuple(wanted))})  # (+: by id, not all current ones)
        best += [h for h in chunk if h["doc"] in docs][:int(limit) - len(best)]
        if len(best) >= int(limit):
            break
    for h in best:
        h["dtitle"] = docs[h["doc"]]
    events = {}
    xevents = [h["xevent"] for h in best if h["kind"] == "event" and h["xevent"] is not None]
    if xevents:
        events = {r["xevent"]: r["event_id"] for r in store.rows(
            "SELECT xevent, event_id FROM event_sources"
            f" WHERE xevent IN ({','.join('?' * len(xevents))})", tuple(xevents))}
    out = []
    for r in best:
        marked = r["hbody"] if _OPEN in (r["hbody"] or "") else r["htitle"]
        item = {"kind": r["kind"], "doc": r["doc"], "title": r["ftitle"] or r["dtitle"] or r["doc"],
                "snippet": _snippet(fragment(marked))}
        if r["kind"] == "event":
            item["event_id"] = events.get(r["xevent"])
            item["doc_title"] = r["dtitle"]
        else:
            item["title_html"] = _snippet(r["htitle"])
        out.append(item)
    return out
