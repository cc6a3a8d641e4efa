"""Offline world geometry for the map: world-atlas TopoJSON -> SVG paths (equirectangular).

The geometry is the npm package `world-atlas` (Natural Earth 1:110m), shipped in static/geo/.
Country ids there are ISO 3166-1 numeric; CLDR (through Babel) maps them to alpha-2 codes.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

WIDTH = 1000.0                      # SVG units for 360 degrees of longitude
SCALE = WIDTH / 360.0
LAT_TOP, LAT_BOTTOM = 84.0, -58.0   # Antarctica is cropped: nothing happens there
HEIGHT = (LAT_TOP - LAT_BOTTOM) * SCALE


def project(lat: float, lon: float) -> tuple[float, float]:
    """(lat, lon) in degrees -> (x, y) in SVG units."""
    return (lon + 180.0) * SCALE, (LAT_TOP - lat) * SCALE


def _geometry_file() -> Path:
    return Path(__file__).parent / "static" / "geo" / "countries-110m.json"


@lru_cache(maxsize=1)
def _numeric_to_alpha2() -> dict[str, str]:
    from babel.core import get_global

    out: dict[str, str] = {}
    for key, value in get_global("territory_aliases").items():
        if key.isdigit() and value and len(value[0]) == 2:
            out[key] = value[0]
    return out


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))  # (lon, lat)
        arcs.append(points)
    return arcs


def _ring(arcs: list, indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        points.extend(arc if not points else arc[1:])
    return points


def _unwrap(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Make a ring that crosses the antimeridian continuous (longitudes may leave -180..180)."""
    out = [ring[0]]
    shift = 0.0
    for (lon0, _), (lon1, lat1) in zip(ring, ring[1:]):
        if lon1 - lon0 > 180:
            shift -= 360
        elif lon0 - lon1 > 180:
            shift += 360
        out.append((lon1 + shift, lat1))
    return out


def _area_centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """(area, lon, lat) of a ring in degree space (shoelace)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-12:
        xs, ys = zip(*ring)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return abs(a / 2), cx / (3 * a), cy / (3 * a)


@lru_cache(maxsize=1)
def countries() -> dict[str, dict]:
    """alpha-2 code (or 'n<numeric>' where CLDR has none) -> {name, path, centroid:[lat, lon]}."""
    topology = json.loads(_geometry_file().read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    codes = _numeric_to_alpha2()
    out: dict[str, dict] = {}
    for geom in topology["objects"]["countries"]["geometries"]:
        if geom.get("type") == "Polygon":
            polygons = [geom["arcs"]]
        elif geom.get("type") == "MultiPolygon":
            polygons = geom["arcs"]
        else:
            continue
        parts = []
        best = (-1.0, 0.0, 0.0)
        for polygon in polygons:
            for k, indexes in enumerate(polygon):
                ring = _unwrap(_ring(arcs, indexes))
                if k == 0:
                    best = max(best, _area_centroid(ring))
                lons = [lon for lon, _ in ring]
                # a ring pushed past the antimeridian is drawn again on the other side
                shifts = [0.0] + ([-360.0] if max(lons) > 180 else []) + (
                    [360.0] if min(lons) < -180 else [])
                for shift in shifts:
                    pts = [project(lat, lon + shift) for lon, lat in ring]
                    parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z")
        numeric = str(geom.get("id", ""))
        code = codes.get(numeric) or f"n{numeric}"
        if code == "AQ":  # cropped off the map
            continue
        lat, lon = best[2], ((best[1] + 180.0) % 360.0) - 180.0
        out[code] = {
            "code": code,
            "name": (geom.get("properties") or {}).get("name", code),
            "path": "".join(parts),
            "centroid": [round(lat, 3), round(lon, 3)],
        }
    return out


def country_centroid(code: str) -> list[float] | None:
    entry = countries().get((code or "").upper())
    return entry["centroid"] if entry else None


def view_box(points: list[tuple[float, float]], *, margin: float = 40.0,
             min_width: float = 220.0) -> str:
    """An SVG viewBox that frames the projected points (the whole map when there are none)."""
    if not points:
        return f"0 0 {WIDTH:.0f} {HEIGHT:.0f}"
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x0, x1 = min(xs) - margin, max(xs) + margin
    y0, y1 = min(ys) - margin, max(ys) + margin
    w, h = x1 - x0, y1 - y0
    if w < min_width:
        x0 -= (min_width - w) / 2
        w = min_width
    # keep the map's aspect ratio so that the frame is not a sliver
    aspect = WIDTH / HEIGHT
    if w / h < aspect:
        x0 -= (h * aspect - w) / 2
        w = h * aspect
    else:
        y0 -= (w / aspect - h) / 2
        h = w / aspect
    return f"{x0:.1f} {y0:.1f} {w:.1f} {h:.1f}"
