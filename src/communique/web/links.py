"""URLs of the app's pages, built in one place (templates and views use these)."""
from __future__ import annotations

from urllib.parse import quote, urlencode


def _q(value: str) -> str:
    return quote(str(value), safe=":")


def entity_url(entity_id: str | None) -> str | None:
    if not entity_id:
        return None
    kind, _, rest = str(entity_id).partition(":")
    if kind == "country" and rest:
        return f"/countries/{_q(rest)}"
    if kind == "person":
        return f"/people/{_q(entity_id)}"
    return f"/entities/{_q(entity_id)}"


def country_url(code: str) -> str:
    return f"/countries/{_q(code)}"


def event_url(event_id) -> str:
    return f"/events/{_q(event_id)}"


def document_url(doc_id, *, start: int | None = None, end: int | None = None) -> str:
    url = f"/documents/{quote(str(doc_id), safe='')}"
    if start is not None and end is not None:
        url += "?" + urlencode({"hl": f"{start}-{end}"}) + "#hl"
    return url


def with_query(path: str, **params) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return path + ("?" + urlencode(clean) if clean else "")
