"""The one function that names every extraction stage in order.

    Document (segmented) -> sentences, entities and values (Context) -> one frame per event type
    -> the entities that the document names, in the fact format's order.

Plain functions over one Document, so the same code runs in a loop, a web request or a Spark
partition (see spark.py).
"""
from __future__ import annotations

from ..model import Document, Extraction
from .context import Context
from .frames import deployments, funding, meetings, membership, milestones, quotes

FRAMES = (meetings, deployments, funding, quotes, milestones, membership)


def extract(document: Document) -> Extraction:
    """Document (already segmented by language) -> its entities and events."""
    ctx = Context(document)
    events = []
    for frame in FRAMES:
        events.extend(frame.extract(ctx))
    events.sort(key=lambda e: e.start)
    entities = list(ctx.entities.entities.values())
    return Extraction(document=document, entities=entities, events=events)
