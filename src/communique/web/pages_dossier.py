"""Pages: entities, a country's dossier (ledger, funding, meetings, people, quotes), a person,
and the map of deployments."""
from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ..model import ENTITY_TYPES
from . import links
from .charts import funding_by_year, funding_svg, ledger_rows, ledger_svg, year_fraction
from .deps import not_found, open_store, render
from .mapview import map_svg

router = APIRouter(include_in_schema=False)


def _queries():
    from ..store import queries

    return queries


@router.get("/entities", response_class=HTMLResponse)
def entities_page(request: Request, type: str | None = None, q: str | None = None,
                  offset: int = Query(0, ge=0)):
    with open_store(request) as store:
        items, total = _queries().list_entities(store, type=type or None, q=q or None,
                                                limit=100, offset=offset)
    return render(request, "entities.html", {
        "title": "Entities", "entities": items, "total": total, "offset": offset,
        "types": ENTITY_TYPES, "filters": {"type": type or "", "q": q or ""}})


@router.get("/entities/{entity_id:path}", response_class=HTMLResponse)
def entity_page(request: Request, entity_id: str):
    kind, _, rest = entity_id.partition(":")
    if kind == "country" and rest:
        return RedirectResponse(links.country_url(rest), status_code=307)
    if kind == "person":
        return RedirectResponse(f"/people/{entity_id}", status_code=307)
    with open_store(request) as store:
        entity = _queries().get_entity(store, entity_id)
    if entity is None:
        raise not_found("entity")
    return render(request, "entity.html", {"title": entity.get("name") or entity_id,
                                           "entity": entity})


def country_name(code: str) -> str:
    from babel import Locale

    return Locale("en").territories.get(code.upper(), code.upper())


def _dates(dossier: dict) -> list[str]:
    out = []
    for key in ("meetings_hosted", "meetings_attended", "quotes", "funding"):
        for item in dossier.get(key) or []:
            for k in ("date", "published", "year"):
                if item.get(k):
                    out.append(str(item[k]))
            for k in ("date", "year"):
                if (item.get("fields") or {}).get(k):
                    out.append(str(item["fields"][k]))
    return out


def flatten_fields(items: list[dict]) -> list[dict]:
    """Dossier items may carry their SCHEMA fields at the top level or under `fields`; `id` is
    the merged event's id (the dossier calls it `event_id`)."""
    out = []
    for i in items or []:
        flat = {**(i.get("fields") or {}), **{k: v for k, v in i.items()
                                              if k != "fields" and v is not None}}
        flat.setdefault("id", i.get("event_id"))
        out.append(flat)
    return out


def deployment_periods(deployments: list[dict]) -> list[dict]:
    """One record per period of each asset (the dossier groups periods under their asset)."""
    out = []
    for d in deployments or []:
        periods = d.get("periods") or [d]
        for p in periods:
            out.append({"asset": d.get("asset"), "actor": d.get("actor"),
                        **{k: v for k, v in p.items() if v is not None},
                        "id": p.get("event_id") or p.get("id")})
    return out


@router.get("/countries/{code}", response_class=HTMLResponse)
def country_page(request: Request, code: str):
    with open_store(request) as store:
        dossier = _queries().dossier_country(store, code.upper())
    if dossier is None:
        raise not_found("country")
    deployments = deployment_periods(dossier.get("deployments"))
    funding = flatten_fields(dossier.get("funding"))
    known = [d for d in _dates(dossier) if year_fraction(d) is not None]
    known += [p["date"] for p in deployments if year_fraction(p.get("date")) is not None]
    now = max((year_fraction(d, end=True) for d in known), default=None)
    rows = ledger_rows(dossier.get("deployments") or [], fallback_dates=known)
    by_currency = funding_by_year(funding)
    country = dict(dossier.get("country") or {"code": code.upper()})
    if not country.get("name") or country["name"] == country.get("code"):
        country["name"] = country_name(country.get("code") or code.upper())
    return render(request, "country.html", {
        "title": country.get("name") or code, "country": country, "dossier": dossier,
        "deployments": deployments, "funding": funding,
        "ledger": ledger_svg(rows, now=now),
        "funding_charts": [(c, funding_svg(c, years)) for c, years in by_currency.items()],
        "map": map_svg(deployments) if deployments else None,
        "meetings_hosted": flatten_fields(dossier.get("meetings_hosted")),
        "meetings_attended": flatten_fields(dossier.get("meetings_attended")),
        "people": dossier.get("people") or [],
        "quotes": flatten_fields(dossier.get("quotes")),
    })


@router.get("/people/{key:path}", response_class=HTMLResponse)
def person_page(request: Request, key: str):
    with open_store(request) as store:
        dossier = _queries().dossier_person(store, key)
    if dossier is None:
        raise not_found("person")
    person = dossier.get("person") or {"id": key, "name": key}
    return render(request, "person.html", {
        "title": person.get("name") or key, "person": person, "dossier": dossier,
        "quotes": flatten_fields(dossier.get("quotes")),
        "meetings": flatten_fields(dossier.get("meetings")),
    })


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, actor: str | None = None):
    with open_store(request) as store:   # the deployments alone, without their sources
        events = _queries().timeline(store, type="deployment")
    deployments = []
    for e in events:
        d = {**(e.get("fields") or {}), "id": e.get("id")}
        if actor and str(d.get("actor") or "").upper() != actor.upper():
            continue
        deployments.append(d)
    actors = sorted({str(e.get("fields", {}).get("actor")) for e in events
                     if (e.get("fields") or {}).get("actor")})
    return render(request, "map.html", {
        "title": "Map", "map": map_svg(deployments, frame=bool(deployments)),
        "deployments": deployments, "actors": actors, "actor": actor or ""})
