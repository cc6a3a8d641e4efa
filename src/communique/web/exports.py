"""Downloads of the events: CSV, JSON Lines and Parquet, serialised from the events query."""
from __future__ import annotations

import csv
import io
import json

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .deps import open_store

router = APIRouter(prefix="/api/export", tags=["exports"])

# The SCHEMA.md fields of every event type, in a stable column order.
FIELDS = ("date", "place", "virtual", "country", "level", "hosts", "participants", "invited",
          "actor", "asset", "quantity", "base", "area", "start", "end", "status",
          "amount", "currency", "donor", "purpose", "since", "year",
          "speaker", "text", "language", "what", "count", "new_members")
COLUMNS = ("id", "type") + FIELDS + ("n_sources", "sources", "evidence")
_PAGE = 500


def all_events(store) -> list[dict]:
    from ..store import queries

    if hasattr(queries, "export_events"):  # the store's own export: events with their sources
        return queries.export_events(store)
    out: list[dict] = []
    offset = 0
    while True:
        items, total = queries.list_events(store, limit=_PAGE, offset=offset)
        out.extend(items)
        offset += len(items)
        if not items or offset >= total:
            return out


def _cell(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def flat(event: dict) -> dict:
    """One event -> one row of strings (lists joined with ';')."""
    fields = dict(event.get("fields") or {})
    if fields.get("date") is None and event.get("date"):
        fields["date"] = event["date"]  # the merged event's date where the fields lack one
    sources = event.get("sources") or []
    row = {"id": event.get("id"), "type": event.get("type")}
    row.update({k: _cell(fields.get(k)) for k in FIELDS})
    row["n_sources"] = event.get("n_sources", len(sources) or None)
    row["sources"] = _cell([s.get("doc") if isinstance(s, dict) else s for s in sources])
    row["evidence"] = _cell(event.get("evidence") or (
        sources[0].get("evidence") if sources and isinstance(sources[0], dict) else None))
    return {k: _cell(v) if k != "n_sources" else v for k, v in row.items()}


def _download(body: bytes, media_type: str, name: str) -> Response:
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/events.csv", summary="Every event as CSV (one row per event)")
def events_csv(request: Request) -> Response:
    with open_store(request) as store:
        events = all_events(store)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for event in events:
        writer.writerow(flat(event))
    return _download(buf.getvalue().encode("utf-8"), "text/csv; charset=utf-8", "events.csv")


@router.get("/events.jsonl", summary="Every event as JSON Lines, as the API gives it")
def events_jsonl(request: Request) -> Response:
    with open_store(request) as store:
        events = all_events(store)
    body = "".join(json.dumps(e, ensure_ascii=False, default=str) + "\n" for e in events)
    return _download(body.encode("utf-8"), "application/x-ndjson", "events.jsonl")


@router.get("/events.parquet", summary="Every event as Parquet (the CSV's columns)")
def events_parquet(request: Request) -> Response:
    import pyarrow as pa
    import pyarrow.parquet as pq

    with open_store(request) as store:
        rows = [flat(e) for e in all_events(store)]
    schema = pa.schema([(c, pa.int64() if c == "n_sources" else pa.string()) for c in COLUMNS])
    table = pa.Table.from_pylist(
        [{c: (int(r[c]) if c == "n_sources" and r[c] is not None else r[c]) for c in COLUMNS}
         for r in rows], schema=schema)
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return _download(buf.getvalue(), "application/vnd.apache.parquet", "events.parquet")
