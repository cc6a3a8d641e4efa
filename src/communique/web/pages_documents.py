"""Pages: the documents, and one document with its entities, events and languages marked."""
from __future__ import annotations

from html import escape

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from . import links
from .deps import not_found, open_store, render
from .highlight import Span, render as highlight

router = APIRouter(include_in_schema=False)

PER_PAGE = 50


def _queries():
    from ..store import queries

    return queries


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, offset: int = Query(0, ge=0)):
    with open_store(request) as store:
        items, total = _queries().list_documents(store, limit=PER_PAGE, offset=offset)
    return render(request, "documents.html", {
        "title": "Documents", "documents": items, "total": total, "offset": offset,
        "per_page": PER_PAGE})


def _parse_range(hl: str | None, length: int) -> tuple[int, int] | None:
    try:
        a, b = (int(x) for x in (hl or "").split("-", 1))
    except ValueError:
        return None
    return (a, b) if 0 <= a < b <= length else None


def document_spans(doc: dict, focus: tuple[int, int] | None = None) -> list[Span]:
    """Events (outer) and entity mentions (inner) as links; the focused span marked."""
    spans: list[Span] = []
    for ev in doc.get("events") or []:
        if isinstance(ev.get("start"), int) and isinstance(ev.get("end"), int):
            kind = str(ev.get("type") or "event")
            marker = (f'<a class="ev-link ev-{escape(kind)}" href="{escape(links.event_url(ev["id"]))}"'
                      f' title="{escape(kind)} event">{escape(kind)}</a>') if ev.get("id") else ""
            spans.append(Span(ev["start"], ev["end"], "span", {
                "class": f"ev ev-{kind}", "data-event": str(ev.get("id") or "")}, after=marker))
    if focus:
        spans.append(Span(focus[0], focus[1], "mark", {"class": "evidence focus", "id": "hl"}))
    for m in doc.get("mentions") or []:
        if isinstance(m.get("start"), int) and isinstance(m.get("end"), int):
            spans.append(Span(m["start"], m["end"], "a", {
                "class": f"ent ent-{m.get('type') or 'entity'}",
                "href": links.entity_url(m.get("entity_id")) or "#",
                "title": f"{m.get('name') or m.get('entity_id')} ({m.get('type')})"}))
    return spans


def segments_of(doc: dict) -> list[dict]:
    text = doc.get("text") or ""
    segs = [s for s in doc.get("segments") or []
            if isinstance(s.get("start"), int) and isinstance(s.get("end"), int)]
    if not segs:
        langs = doc.get("languages") or []
        segs = [{"start": 0, "end": len(text), "language": langs[0] if langs else None}]
    return sorted(segs, key=lambda s: s["start"])


@router.get("/documents/{doc_id:path}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: str, hl: str | None = None):
    with open_store(request) as store:
        doc = _queries().get_document(store, doc_id)
    if doc is None:
        raise not_found("document")
    text = doc.get("text") or ""
    focus = _parse_range(hl, len(text))
    spans = document_spans(doc, focus)
    blocks = []
    pos = 0
    for seg in segments_of(doc):
        if seg["start"] > pos:  # text no segment covers still shows
            blocks.append({"language": None, "html": highlight(text, spans, pos, seg["start"])})
        start = max(seg["start"], pos)
        if seg["end"] > start:
            blocks.append({"language": seg.get("language"),
                           "html": highlight(text, spans, start, seg["end"])})
        pos = max(pos, seg["end"])
    if pos < len(text):
        blocks.append({"language": None, "html": highlight(text, spans, pos, len(text))})
    entities = {}
    for m in doc.get("mentions") or []:
        key = m.get("entity_id")
        if key:
            entry = entities.setdefault(key, {"id": key, "name": m.get("name") or key,
                                              "type": m.get("type"), "count": 0})
            entry["count"] += 1
    return render(request, "document.html", {
        "title": doc.get("title") or doc.get("id"), "doc": doc, "blocks": blocks,
        "entities": sorted(entities.values(), key=lambda e: (str(e["type"]), str(e["name"]))),
        "focus": focus})
