"""Partial ISO dates (`2021-03-30`, `2020-10`, `2014`) as ranges: compare, order, check compatibility."""
from __future__ import annotations

from functools import lru_cache


def clean(value) -> str | None:
    """A partial ISO date string, or None for anything that is not one."""
    if value is None:
        return None
    return _clean(value if isinstance(value, str) else str(value))


@lru_cache(maxsize=65536)
def _clean(value: str) -> str | None:
    text = value.strip()
    parts = text.split("-")
    if not parts or not parts[0].isdigit() or len(parts[0]) != 4 or len(parts) > 3:
        return None
    if not all(p.isdigit() and len(p) == 2 for p in parts[1:]):
        return None
    return text


def precision(value: str | None) -> str | None:
    value = clean(value)
    if value is None:
        return None
    return {1: "year", 2: "month", 3: "day"}[value.count("-") + 1]


def lo(value: str | None) -> str | None:
    """The first day the partial date can mean (`2020-10` -> `2020-10-01`)."""
    value = clean(value)
    if value is None:
        return None
    return value + {0: "-01-01", 1: "-01", 2: ""}[value.count("-")]


def hi(value: str | None) -> str | None:
    """The last day the partial date can mean; `99` sorts after any real month or day."""
    value = clean(value)
    if value is None:
        return None
    return value + {0: "-99-99", 1: "-99", 2: ""}[value.count("-")]


def compatible(a: str | None, b: str | None) -> bool:
    """Two known dates that can mean the same day: the less precise one is a prefix of the other."""
    a, b = clean(a), clean(b)
    if a is None or b is None:
        return False
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return long == short or long.startswith(short + "-")


def finer(a: str | None, b: str | None) -> str | None:
    """The more precise of two compatible dates (either when one is missing)."""
    a, b = clean(a), clean(b)
    if a is None or b is None:
        return a or b
    return a if len(a) >= len(b) else b


def sort_key(value: str | None) -> str:
    """Order partial dates by their first day; unknown dates first."""
    return lo(value) or ""


def in_range(value: str | None, date_from: str | None, date_to: str | None) -> bool:
    """Whether a (partial) date can fall inside [date_from, date_to] (both partial, inclusive)."""
    if date_from is None and date_to is None:
        return True
    if clean(value) is None:
        return False
    if date_from is not None and clean(date_from) and hi(value) < lo(date_from):
        return False
    if date_to is not None and clean(date_to) and lo(value) > hi(date_to):
        return False
    return True
