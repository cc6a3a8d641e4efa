"""Downloads of the events: CSV, JSON Lines and Parquet, serialised from the events query as
they are read (CSV and JSON Lines streamed; Parquet written in row groups)."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

router = APIRouter(prefix="/api/export", tags=["exports"])

# The SCHEMA.md fields of every event type, in a stable column order.
FIELDS = ("date", "place", "virtual", "country", "level", "hosts", "participants", "invited",
          "actor", "asset", "quantity", "base", "area", "start", "end", "status",
          "amount", "currency", "donor", "purpose", "since", "year",
          "speaker", "text", "language", "what", "count", "new_members")
COLUMNS = ("id", "type") + FIELDS + ("n_sources", "sources", "evidence")
ROW_GROUP = 5_000  # events per Parquet row group: what is held in memory at a time


def exported_events(request: Request) -> Iterator[dict]:
    """Every event with its sources, one at a time (queries.export_events), read in one
    transaction of a connection of its own: a download is streamed, and the thread that reads
    the next chunk may not be the one that read the last."""
    from ..store import Store, queries

    store = Store(request.app.state.db_path, readonly=True)
    try:
        store.execute("BEGIN")
        yield from queries.export_events(store)
        store.execute("COMMIT")
    finally:
        store.close()


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


def _download(body: bytes | Iterator[bytes], media_type: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if isinstance(body, bytes):
        return Response(body, media_type=media_type, headers=headers)
    return StreamingResponse(body, media_type=media_type, headers=headers)


def _chunks(lines: Iterable[str], size: int = 1 << 16) -> Iterator[bytes]:
    """Lines of text sent in chunks of about `size` bytes."""
    buf, n = [], 0
    for line in lines:
        buf.append(line)
        n += len(line)
        if n >= size:
            yield "".join(buf).encode("utf-8")
            buf, n = [], 0
    if buf:
        yield "".join(buf).encode("utf-8")


def _csv_lines(events: Iterable[dict]) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for event in events:
        writer.writerow(flat(event))
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue()


@router.get("/events.csv", summary="Every event as CSV (one row per event)")
def events_csv(request: Request) -> Response:
    return _download(_chunks(_csv_lines(exported_events(request))), "text/csv; charset=utf-8",
                     "events.csv")


@router.get("/events.jsonl", summary="Every event as JSON Lines, as the API gives it")
def events_jsonl(request: Request) -> Response:
    lines = (json.dumps(e, ensure_ascii=False, default=str) + "\n"
             for e in exported_events(request))
    return _download(_chunks(lines), "application/x-ndjson", "events.jsonl")


@router.get("/events.parquet", summary="Every event as Parquet (the CSV's columns)")
def events_parquet(request: Request) -> Response:
    import pyarrow as pa

    schema = pa.schema([(c, pa.int64() if c == "n_sources" else pa.string()) for c in COLUMNS])
    rows = ({c: (int(r[c]) if c == "n_sources" and r[c] is not None else r[c]) for c in COLUMNS}
            for r in map(flat, exported_events(request)))
    buf = io.BytesIO()   # (Parquet's footer comes last: the file is sent once written)
    write_parquet(buf, schema, rows)
    return _download(buf.getvalue(), "application/vnd.apache.parquet", "events.parquet")


def write_parquet(sink, schema, rows: Iterable[dict]) -> None:
    """Rows written to Parquet (a path or a file) in row groups of ROW_GROUP: what is held in
    memory at a time, however many rows there are."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with pq.ParquetWriter(sink, schema) as writer:
        group: list[dict] = []
        for row in rows:
            group.append(row)
            if len(group) >= ROW_GROUP:
                writer.write_table(pa.Table.from_pylist(group, schema=schema))
                group = []
        if group:
            writer.write_table(pa.Table.from_pylist(group, schema=schema))
