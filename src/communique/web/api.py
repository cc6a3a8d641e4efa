"""The JSON API: one endpoint per page of the app, plain JSON from communique.store.queries.

Its views are `async`: each answer is a bounded read (a page from indexes, a few milliseconds of
CPU), which a thread would not make faster, only dearer (handing each request to a thread pool
and back, threads contending for the GIL: with 20 clients on 2 cores, 224 requests/s and p95
114 ms as threads, 389 requests/s and p95 79 ms on the event loop). The HTML pages, exports and
uploads, which can take longer, stay in threads."""
from __future__ import annotations

import re

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from .deps import not_found, open_store

router = APIRouter(prefix="/api", tags=["knowledge base"])

_COUNTRY = re.compile(r"^(?:country:)?([A-Za-z]{2})$")


def _queries():
    from ..store import queries

    return queries


class _JSON(JSONResponse):
    """JSON encoded by orjson (UTF-8, no spaces): several times faster than json.dumps on a
    page of the timeline."""

    def render(self, content) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def answer(data: dict) -> JSONResponse:
    """The JSON of an answer, sent as it is: the store gives plain JSON values already, so FastAPI
    need not walk them again (2.8 of about 12 ms for a page of the timeline)."""
    return _JSON(data)


def page(items, total, limit, offset, count_limit: int | None = None) -> JSONResponse:
    """A page of a list; `total` is exact unless it reached `count_limit` (where counting stops:
    a count over every match of a big store would cost more than the page), and then
    `total_is_lower_bound` is true: there are at least that many."""
    body = {"items": items, "total": total, "limit": limit, "offset": offset}
    if count_limit is not None:
        body["total_is_lower_bound"] = total >= count_limit
    return answer(body)


@router.get("/documents", summary="Documents, newest first")
async def documents(request: Request, limit: int = Query(50, ge=1, le=500),
                    offset: int = Query(0, ge=0)) -> dict:
    count_limit = offset + _queries().COUNT_LIMIT
    with open_store(request) as store:
        items, total = _queries().list_documents(store, limit=limit, offset=offset,
                                                 count_limit=count_limit)
    return page(items, total, limit, offset, count_limit)


@router.get("/documents/{doc_id:path}", summary="One document: text, segments, mentions, events")
async def document(request: Request, doc_id: str) -> dict:
    with open_store(request) as store:
        doc = _queries().get_document(store, doc_id)
    if doc is None:
        raise not_found("document")
    return answer(doc)


@router.get("/events", summary="Events, filtered by type, actor and dates")
async def events(request: Request,
                 type: str | None = Query(None, description="meeting, deployment, funding, "
                                                            "quote, milestone or membership"),
                 actor: str | None = Query(None, description="a country code or an entity id"),
                 date_from: str | None = Query(None, alias="from", description="partial ISO date"),
                 date_to: str | None = Query(None, alias="to", description="partial ISO date"),
                 limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)) -> dict:
    return _events_page(request, type, actor, date_from, date_to, limit, offset)


def _events_page(request: Request, type, actor, date_from, date_to, limit: int,
                 offset: int) -> dict:
    """One page of merged events in date order: /api/events and /api/timeline."""
    with open_store(request) as store:
        # counting goes COUNT_LIMIT past the page's start (skipping to it costs that much already)
        count_limit = offset + _queries().COUNT_LIMIT
        items, total = _queries().list_events(
            store, type=type or None, actor=actor or None, date_from=date_from or None,
            date_to=date_to or None, limit=limit, offset=offset, count_limit=count_limit)
    return page(items, total, limit, offset, count_limit)


@router.get("/events/{event_id:path}",
            summary="One event: merged fields, history, conflicts and its first `limit` sources "
                    "(in order of publication; `n_source_rows`: how many there are)")
async def event(request: Request, event_id: str,
                limit: int = Query(100, ge=1, le=1000, description="how many sources")) -> dict:
    with open_store(request) as store:
        found = _queries().get_event(store, event_id, max_sources=limit)
    if found is None:
        raise not_found("event")
    return answer(found)


@router.get("/entities", summary="Entities, by type or name")
async def entities(request: Request, type: str | None = None, q: str | None = None,
                   limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)) -> dict:
    count_limit = offset + _queries().COUNT_LIMIT
    with open_store(request) as store:
        items, total = _queries().list_entities(store, type=type or None, q=q or None,
                                                limit=limit, offset=offset,
                                                count_limit=count_limit)
    return page(items, total, limit, offset, count_limit)


@router.get("/entities/{entity_id:path}",
            summary="One entity: its aliases, and a page of the documents (by date of publication) "
                    "and of the events (in timeline order) that name it, with how many there are "
                    "in `counts`")
async def entity(request: Request, entity_id: str, limit: int = Query(100, ge=1, le=500),
                 offset: int = Query(0, ge=0)) -> dict:
    with open_store(request) as store:
        found = _queries().get_entity(store, entity_id, limit=limit, offset=offset)
    if found is None:
        raise not_found("entity")
    return answer(found)


@router.get("/timeline", summary="Events by date, as on the timeline page, one page at a time")
async def timeline(request: Request, actor: str | None = None, type: str | None = None,
                   date_from: str | None = Query(None, alias="from"),
                   date_to: str | None = Query(None, alias="to"),
                   limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)) -> dict:
    return _events_page(request, type, actor, date_from, date_to, limit, offset)


@router.get("/dossier/{key:path}",
            summary="A country's dossier (ISO code) or a person's (entity id or name): the newest "
                    "facts of each kind and how many there are; sources at /api/events/{id}")
async def dossier(request: Request, key: str,
                  full: bool = Query(False, description="what the dossier page shows: the newest "
                                                        "100 facts of each kind, each with its "
                                                        "sources")) -> dict:
    return answer(load_dossier(request, key, brief=not full)[1])


def load_dossier(request: Request, key: str, brief: bool = True) -> tuple[str, dict]:
    """('country' | 'person', dossier) or 404."""
    q = _queries()
    match = _COUNTRY.match(key)
    with open_store(request) as store:
        if match:
            found = q.dossier_country(store, match.group(1).upper(), brief=brief)
            if found is not None:
                return "country", found
        found = q.dossier_person(store, key, brief=brief)
    if found is None:
        raise not_found("dossier")
    return "person", found


@router.get("/search", summary="Full-text search over documents and events")
async def search(request: Request, q: str = Query(..., min_length=1),
                 limit: int = Query(20, ge=1, le=200)) -> dict:
    with open_store(request) as store:
        items = _queries().search(store, q, limit=limit)
    return answer({"query": q, "items": items, "total": len(items)})
