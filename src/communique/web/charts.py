"""Charts drawn on the server as inline SVG (no script, no external asset): the deployment ledger
and funding by year. Every label is escaped; the SVG scales with its container (viewBox)."""
from __future__ import annotations

import html
import re
from collections import defaultdict

from markupsafe import Markup

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_STATUS_CLASS = {"active": "active", "ended": "ended", "planned": "planned"}


def year_fraction(value, *, end: bool = False) -> float | None:
    """A partial ISO date -> a fractional year; the end of its period when `end` is set."""
    if value is None:
        return None
    m = _DATE.match(str(value))
    if not m:
        return None
    year = int(m.group(1))
    month, day = m.group(2), m.group(3)
    if month is None:
        return year + (1.0 if end else 0.0)
    month_i = min(max(int(month), 1), 12)
    if day is None:
        return year + (month_i if end else month_i - 1) / 12.0
    return year + (month_i - 1) / 12.0 + (min(int(day), 31) - (0 if end else 1)) / 365.0


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _label(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def ledger_rows(deployments: list[dict], fallback_dates: list[str] | None = None) -> list[dict]:
    """Deployments (dossier records) -> rows {label, bars:[{x0, x1, status, open, title}]}.

    A period without a start takes the earliest date the sources give; an active one without an
    end runs to the latest date known (drawn open-ended)."""
    rows = []
    for d in deployments:
        periods = d.get("periods") or [d]
        bars = []
        for p in periods:
            status = p.get("status") or d.get("status")
            own = [p.get("date")] + [s.get("published") or s.get("date")
                                     for s in (p.get("sources") or d.get("sources") or [])
                                     if isinstance(s, dict)]
            dates = [x for x in own if year_fraction(x) is not None] or [
                x for x in [d.get("date"), *(fallback_dates or [])] if year_fraction(x) is not None]
            x0 = year_fraction(p.get("start")) or (min(year_fraction(x) for x in dates)
                                                   if dates else None)
            x1 = year_fraction(p.get("end"), end=True)
            open_end = x1 is None
            if x0 is None and x1 is None:
                continue
            if x0 is None:
                x0 = x1 - 0.25
            if x1 is None and status == "ended" and dates:
                x1 = max(year_fraction(x, end=True) for x in dates)
                open_end = False
            title = " ".join(str(v) for v in (
                p.get("quantity") or d.get("quantity"), d.get("asset"), status,
                p.get("start") or "", "–", p.get("end") or ("…" if open_end else "")) if v)
            bars.append({"x0": x0, "x1": x1, "status": status, "open": open_end,
                         "title": title})
        if not bars:
            continue
        label = _label(d.get("asset")) or "?"
        qty = d.get("quantity")
        if qty:
            label = f"{qty} × {label}"
        rows.append({"label": label, "actor": d.get("actor"), "bars": bars})
    return rows


def ledger_svg(rows: list[dict], *, now: float | None = None) -> Markup:
    """One row per asset, one bar per period over a year axis."""
    if not rows:
        return Markup("")
    xs = [b["x0"] for r in rows for b in r["bars"]] + [
        b["x1"] for r in rows for b in r["bars"] if b["x1"] is not None]
    lo = int(min(xs))
    hi_data = max(xs)
    hi = int(max(hi_data, now or hi_data)) + 1
    left, width, row_h, top = 150.0, 600.0, 26.0, 24.0
    span = max(hi - lo, 1)

    def x(v: float) -> float:
        return left + (v - lo) / span * width

    height = top + row_h * len(rows) + 8
    parts = [f'<svg class="chart ledger" viewBox="0 0 {left + width + 20:.0f} {height:.0f}" '
             f'role="img" aria-label="Deployments over time" xmlns="http://www.w3.org/2000/svg">']
    for year in range(lo, hi + 1):
        parts.append(f'<line class="grid" x1="{x(year):.1f}" y1="{top - 6:.0f}" '
                     f'x2="{x(year):.1f}" y2="{height - 4:.0f}"/>')
        parts.append(f'<text class="axis" x="{x(year):.1f}" y="{top - 10:.0f}" '
                     f'text-anchor="middle">{year}</text>')
    for i, row in enumerate(rows):
        y = top + i * row_h
        parts.append(f'<text class="row-label" x="{left - 8:.0f}" y="{y + row_h / 2 + 4:.1f}" '
                     f'text-anchor="end">{_e(row["label"][:24])}</text>')
        for bar in row["bars"]:
            x1 = bar["x1"] if bar["x1"] is not None else max(hi_data, now or hi_data)
            x0 = min(bar["x0"], x1)
            w = max(x(x1) - x(x0), 4.0)
            cls = "bar " + _STATUS_CLASS.get(bar["status"] or "", "unknown")
            if bar["open"]:
                cls += " open"
            parts.append(f'<rect class="{cls}" x="{x(x0):.1f}" y="{y + 4:.1f}" width="{w:.1f}" '
                         f'height="{row_h - 8:.0f}" rx="3"><title>{_e(bar["title"])}</title></rect>')
    parts.append("</svg>")
    return Markup("".join(parts))


def funding_by_year(funding: list[dict]) -> dict[str, dict[str, float]]:
    """currency -> year -> total amount (amounts in different currencies are never added)."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for f in funding:
        try:
            amount = float(f.get("amount"))
        except (TypeError, ValueError):
            continue
        year = f.get("year") or f.get("since") or f.get("date")
        year = str(year)[:4] if year else "?"
        out[f.get("currency") or "?"][year] += amount
    return {c: dict(sorted(v.items())) for c, v in out.items()}


def _money(v: float) -> str:
    for div, suffix in ((1e9, " bn"), (1e6, " m"), (1e3, " k")):
        if v >= div:
            return f"{v / div:.3g}{suffix}"
    return f"{v:.0f}"


def funding_svg(currency: str, by_year: dict[str, float]) -> Markup:
    """Bars per year for one currency."""
    if not by_year:
        return Markup("")
    years = list(by_year)
    top_value = max(by_year.values()) or 1.0
    bar_w, gap, height, base = 46.0, 14.0, 170.0, 140.0
    width = 20 + len(years) * (bar_w + gap)
    width = max(width, 320.0)  # a lone bar must not be blown up to the container's width
    parts = [f'<svg class="chart funding" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" role="img" '
             f'aria-label="Funding by year in {_e(currency)}" xmlns="http://www.w3.org/2000/svg">']
    for i, year in enumerate(years):
        value = by_year[year]
        h = max(value / top_value * (base - 24), 2.0)
        x = 10 + i * (bar_w + gap)
        parts.append(f'<rect class="bar money" x="{x:.0f}" y="{base - h:.1f}" width="{bar_w:.0f}" '
                     f'height="{h:.1f}"><title>{_e(year)}: {_e(_money(value))} {_e(currency)}'
                     f'</title></rect>')
        parts.append(f'<text class="value" x="{x + bar_w / 2:.0f}" y="{base - h - 4:.1f}" '
                     f'text-anchor="middle">{_e(_money(value))}</text>')
        parts.append(f'<text class="axis" x="{x + bar_w / 2:.0f}" y="{base + 16:.0f}" '
                     f'text-anchor="middle">{_e(year)}</text>')
    parts.append(f'<line class="baseline" x1="4" y1="{base}" x2="{width - 4:.0f}" y2="{base}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
