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


def search(store, query: str, limit: int = 20) -> list[dict]:
    """[{kind: document|event, doc, event_id?, title, snippet}] best first."""
    groups = expand(store, query or "")
    if not groups:
        return []
    # FTS5 ranks the hits itself (ORDER BY rank): snippets, documents and events are then read
    # for the rows returned only
    rows = store.rows(
        "SELECT f.kind, f.doc, f.xevent, f.title AS ftitle, d.title AS dtitle,"
        f" snippet(search_fts, -1, '{_OPEN}', '{_CLOSE}', '…', 24) AS snip,"
        f" highlight(search_fts, 0, '{_OPEN}', '{_CLOSE}') AS htitle,"
        " (SELECT event_id FROM event_sources s WHERE s.xevent = f.xevent) AS event_id"
        " FROM search_fts f JOIN documents d ON d.id = f.doc"
        " WHERE search_fts MATCH ? AND rank MATCH 'bm25(2.0, 1.0)' AND d.current = 1"
        " ORDER BY rank LIMIT ?",
        (match_expression(groups), int(limit)))
    out = []
    for r in rows:
        item = {"kind": r["kind"], "doc": r["doc"], "title": r["ftitle"] or r["dtitle"] or r["doc"],
                "snippet": _snippet(r["snip"])}
        if r["kind"] == "event":
            item["event_id"] = r["event_id"]
            item["doc_title"] = r["dtitle"]
        else:
            item["title_html"] = _snippet(r["htitle"])
        out.append(item)
    return out
