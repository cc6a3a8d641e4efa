"""The one function that names every extraction stage in order (a stub until the stages land)."""
from __future__ import annotations

from ..model import Document, Extraction


def extract(document: Document) -> Extraction:
    """Document (already segmented by language) -> its entities and events."""
    return Extraction(document=document)
