"""Pages: the timeline (home), one event with its sources, search."""
from __future__ import annotations

from itertools import groupby

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ..model import EVENT_TYPES
from .deps import not_found, open_store, render
from .highlight import Span, render as highlight, safe_snippet

router = APIRouter(include_in_schema=False)

CONTEXT = 600  # characters of source text shown around an evidence span
PER_PAGE = 200  # events on a page of the timeline (a big store holds tens of thousands)
SOURCES_SHOWN = 50  # an event's sources quoted on its page (a fact can have thousands)


def _queries():
    from ..store import queries

    return queries


def countries(store) -> list[dict]:
    items, _ = _queries().list_entities(store, type="country", limit=500)
    return sorted(items, key=lambda e: str(e.get("name") or e.get("id")))


def event_title(event: dict) -> str:
    """A one-line title for an event whatever the store put in it."""
    for key in ("title", "summary"):
        if event.get(key):
            return str(event[key])
    f = event.get("fields") or {}
    kind = event.get("type", "event")
    bits = {
        "meeting": [f.get("level"), "meeting", f.get("place") and f"in {f['place']}"],
        "deployment": [f.get("actor"), f.get("quantity"), f.get("asset"), f.get("status")],
        "funding": [f.get("donor"), f.get("amount"), f.get("currency"), f.get("purpose")],
        "quote": [f.get("speaker") and f"{f['speaker']}:", f.get("text") and f"“{f['text']}”"],
        "milestone": [f.get("what")],
        "membership": [f.get("count") and f"{f['count']} members"],
    }.get(kind, [])
    text = " ".join(str(b) for b in bits if b)
    return text or kind


@router.get("/", response_class=HTMLResponse)
@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(request: Request, actor: str | None = None, type: str | None = None,
                  date_from: str | None = Query(None, alias="from"),
                  date_to: str | None = Query(None, alias="to"),
                  offset: int = Query(0, ge=0)):
    q = _queries()
    count_limit = offset + q.COUNT_LIMIT
    with open_store(request) as store:
        events, total = q.list_events(store, type=type or None, actor=actor or None,
                                      date_from=date_from or None, date_to=date_to or None,
                                      limit=PER_PAGE, offset=offset, count_limit=count_limit)
        actors = countries(store)
    for e in events:
        e.setdefault("display_title", event_title(e))
    years = [(year, list(group)) for year, group in groupby(
        events, key=lambda e: e.get("year") or (str(e.get("date") or "")[:4] or "undated"))]
    return render(request, "timeline.html", {
        "title": "Timeline", "years": years, "n_events": total,
        "n_events_at_least": total >= count_limit, "offset": offset, "per_page": PER_PAGE,
        "shown": len(events), "actors": actors, "types": EVENT_TYPES,
        "filters": {"actor": actor or "", "type": type or "", "from": date_from or "",
                    "to": date_to or ""},
    })


@router.get("/events/{event_id:path}", response_class=HTMLResponse)
def event_page(request: Request, event_id: str):
    q = _queries()
    with open_store(request) as store:
        event = q.get_event(store, event_id, max_sources=SOURCES_SHOWN)
        if event is None:
            raise not_found("event")
        texts = q.document_texts(store, [s["doc"] for s in event.get("sources") or [] if s.get("doc")])
    sources = []
    for src in event.get("sources") or []:
        doc = {"title": src.get("title"), "published": src.get("published"),
               "text": texts.get(src.get("doc"))}
        sources.append({**src, "document": doc, "html": _evidence_html(doc, src)})
    event["display_title"] = event_title(event)
    return render(request, "event.html", {"title": event["display_title"], "event": event,
                                          "sources": sources,
                                          "n_sources": event.get("n_source_rows", len(sources))})


def _evidence_html(doc: dict | None, src: dict):
    """The source text around the evidence, with the evidence marked."""
    if not doc or not doc.get("text"):
        return None
    text = doc["text"]
    start, end = src.get("start"), src.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
        evidence = src.get("evidence") or ""
        start = text.find(evidence) if evidence else -1
        if start < 0:
            return None
        end = start + len(evidence)
    lo = max(0, text.rfind("\n", 0, max(0, start - CONTEXT)) + 1) if start > CONTEXT else 0
    hi = text.find("\n", min(len(text), end + CONTEXT))
    hi = len(text) if hi < 0 else hi
    spans = [Span(start, end, "mark", {"class": "evidence"})]
    return {"before": lo > 0, "after": hi < len(text), "html": highlight(text, spans, lo, hi)}


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str | None = None):
    results = []
    if q and q.strip():
        with open_store(request) as store:
            results = _queries().search(store, q.strip(), limit=50)
        for r in results:
            r["snippet_html"] = safe_snippet(r.get("snippet") or "")
    return render(request, "search.html", {"title": "Search", "q": q or "", "results": results})
