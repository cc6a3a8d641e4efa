"""The deployments map: where each country's assets were based (markers) and operated (shaded
countries), drawn on the server as inline SVG over the offline world geometry."""
from __future__ import annotations

import html
import re

from markupsafe import Markup

from . import geo

_CODE = re.compile(r"^[A-Z]{2}$")


def _gazetteer():
    try:
        from ..extract.gazetteer import gazetteer
        return gazetteer()  # cached by the gazetteer module
    except Exception:  # optional here: country centroids also come from the geometry
        return None


def _values(value) -> list[str]:
    if value is None or value is True or value is False:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v not in (None, "")]
    return [str(value)]


def locate(value: str) -> dict | None:
    """A base or area value (ISO code, place name or entity id) -> {label, code, lat, lon}."""
    gaz = _gazetteer()
    value = value.strip()
    entry = None
    code = None
    if _CODE.match(value):
        code = value
        entry = gaz.entry(f"country:{value}") if gaz else None
    elif gaz is not None:
        entry = gaz.entry(value) if ":" in value else gaz.by_name(value)
        if entry is not None and entry.type == "country":
            code = entry.code
    coords = list(entry.coordinates) if entry is not None and entry.coordinates else None
    if coords is None and code:
        coords = geo.country_centroid(code)
    if coords is None:
        return None
    label = entry.name if entry is not None else (
        geo.countries().get(code, {}).get("name", value) if code else value)
    return {"label": label, "code": code, "lat": float(coords[0]), "lon": float(coords[1])}


def map_data(deployments: list[dict]) -> dict:
    """Deployments -> {actors: set, areas: set, bases: [{label, lat, lon, actors, assets}]}."""
    actors: set[str] = set()
    areas: set[str] = set()
    bases: dict[str, dict] = {}
    for d in deployments:
        actor = d.get("actor")
        if isinstance(actor, str) and _CODE.match(actor):
            actors.add(actor)
        for value in _values(d.get("area")):
            where = locate(value)
            if where and where["code"]:
                areas.add(where["code"])
        for value in _values(d.get("base")):
            where = locate(value)
            if where is None:
                continue
            key = where["label"]
            base = bases.setdefault(key, {**where, "actors": set(), "assets": set()})
            if actor:
                base["actors"].add(str(actor))
            if d.get("asset"):
                base["assets"].add(", ".join(_values(d.get("asset"))))
    return {"actors": actors, "areas": areas, "bases": list(bases.values())}


def map_svg(deployments: list[dict], *, frame: bool = True) -> Markup:
    data = map_data(deployments)
    world = geo.countries()
    e = html.escape
    focus: list[tuple[float, float]] = []
    parts = []
    for code, country in world.items():
        cls = "country"
        if code in data["areas"]:
            cls += " area"
            focus.append(geo.project(*country["centroid"]))
        if code in data["actors"]:
            cls += " actor"
            focus.append(geo.project(*country["centroid"]))
        parts.append(f'<path class="{cls}" d="{country["path"]}"><title>{e(country["name"])}'
                     f'</title></path>')
    for code in sorted(data["actors"]):
        centroid = geo.country_centroid(code)
        if centroid is None:
            continue
        ax, ay = geo.project(*centroid)
        for base in data["bases"]:
            if code in base["actors"]:
                bx, by = geo.project(base["lat"], base["lon"])
                parts.append(f'<line class="link" x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" '
                             f'y2="{by:.1f}"/>')
    for base in data["bases"]:
        focus.append(geo.project(base["lat"], base["lon"]))
    box = geo.view_box(focus) if frame else geo.view_box([])
    # markers and labels keep one size on screen whatever the zoom
    zoom = geo.WIDTH / float(box.split()[2])
    r, font = 4.5 / zoom, 12.0 / zoom
    for base in data["bases"]:
        x, y = geo.project(base["lat"], base["lon"])
        tip = f'{base["label"]}: {", ".join(sorted(base["assets"]))} ({", ".join(sorted(base["actors"]))})'
        parts.append(f'<g class="base"><circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/>'
                     f'<text x="{x + r + 1:.1f}" y="{y - r:.1f}" font-size="{font:.1f}">'
                     f'{e(base["label"])}</text>'
                     f'<title>{e(tip)}</title></g>')
    return Markup(f'<svg class="map" viewBox="{box}" role="img" aria-label="Deployments map" '
                  f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
                  + "".join(parts) + "</svg>")
