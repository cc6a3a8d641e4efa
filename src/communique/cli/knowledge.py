"""Knowledge-base commands: timeline, dossier, search, export (rich tables, or --json)."""
from __future__ import annotations

import csv
import html
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import click

from .app import main

_DB = click.option("--db", default="communique.db", show_default=True, help="the SQLite store")
_JSON = click.option("--json", "as_json", is_flag=True, help="print JSON instead of a table")


def _open(db: str):
    from ..errors import CommuniqueError
    from ..store import Store

    if not Path(db).exists():
        raise click.ClickException(f"{db}: no such database (run `communique ingest` first)")
    try:
        return Store(db, readonly=True)
    except CommuniqueError as err:
        raise click.ClickException(str(err)) from err


def _print_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _console():
    from rich.console import Console
    return Console()


def _marked(snippet: str):
    """`a <mark>b</mark> c` (HTML-escaped) -> rich Text with b highlighted."""
    from rich.text import Text
    text = Text()
    for i, part in enumerate(re.split(r"</?mark>", snippet)):
        text.append(html.unescape(part), style="bold black on yellow" if i % 2 else None)
    return text


def _sources_cell(n: int, conflicts: int = 0) -> str:
    return f"{n}" + (f" [red]⚠ {conflicts}[/red]" if conflicts else "")


@main.command("timeline")
@_DB
@click.option("--actor", help="a country code (BE), an entity id or a name")
@click.option("--type", "type_", type=click.Choice(
    ["meeting", "deployment", "funding", "quote", "milestone", "membership"]))
@click.option("--from", "date_from", help="first date (2019, 2020-10, 2021-03-30)")
@click.option("--to", "date_to", help="last date, inclusive")
@_JSON
def timeline_command(db, actor, type_, date_from, date_to, as_json):
    """Merged events in date order, each with its number of independent sources."""
    from ..store import queries

    with _open(db) as store:
        rows = queries.timeline(store, actor=actor, type=type_, date_from=date_from,
                                date_to=date_to)
    if as_json:
        _print_json(rows)
        return
    from rich.table import Table
    table = Table(title=f"Timeline ({len(rows)} events)", show_lines=False)
    for col in ("date", "type", "event", "sources", "id"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["date"] or "—", r["type"], r["title"],
                      _sources_cell(r["n_sources"], r["n_conflicts"]), r["id"])
    _console().print(table)


@main.command("dossier")
@_DB
@click.argument("who")
@_JSON
def dossier_command(db, who, as_json):
    """A country's (BE) or a person's ("Sophie Wilmès") record across all documents."""
    from ..store import queries

    with _open(db) as store:
        data = None
        if len(who) == 2 and who.isalpha():
            data = queries.dossier_country(store, who)
        if data is None:
            data = queries.dossier_person(store, who)
        if data is None:
            data = queries.dossier_country(store, who)
    if data is None:
        raise click.ClickException(f"{who}: no such country or person in {db}")
    if as_json:
        _print_json(data)
        return
    if "country" in data:
        _show_country(data)
    else:
        _show_person(data)


def _show_country(d: dict) -> None:
    from rich.table import Table
    console = _console()
    console.print(f"[bold]{d['country']['name']}[/bold] ({d['country']['code']})")
    table = Table(title="Deployments")
    for col in ("asset", "period", "status", "quantity", "history", "sources"):
        table.add_column(col, overflow="fold")
    for dep in d["deployments"]:
        for p in dep["periods"]:
            steps = "; ".join(
                f"{h['published'] or '?'} {h['doc']}: " + (", ".join(
                    f"{k} {v[0]}→{v[1]}" if v[0] is not None else f"{k} {v[1]}"
                    for k, v in h["changes"].items()) or "confirms")
                for h in p["history"])
            qty = p["quantity"] if p["quantity"] is not None else ""
            table.add_row(dep["asset"], f"{p['start'] or '…'} – {p['end'] or '…'}",
                          p["status"] or "?", str(qty), steps,
                          _sources_cell(p["n_sources"], len(p["conflicts"])))
    console.print(table)
    if d["funding"]:
        table = Table(title="Funding")
        for col in ("currency", "year", "amount", "purpose", "sources"):
            table.add_column(col, overflow="fold")
        for f in d["funding"]:
            amount = f"{float(f['amount']):,.0f}" if f.get("amount") is not None else "?"
            table.add_row(str(f["currency"]), str(f["year"] or ""), amount, f["purpose"] or "",
                          str(f["n_sources"]))
        console.print(table)
    for key, label in (("meetings_hosted", "Meetings hosted"),
                       ("meetings_attended", "Meetings attended")):
        if d[key]:
            table = Table(title=label)
            for col in ("date", "meeting", "sources"):
                table.add_column(col, overflow="fold")
            for m in d[key]:
                table.add_row(m["date"] or "—", m["title"], str(m["n_sources"]))
            console.print(table)
    if d["people"]:
        table = Table(title="People")
        table.add_column("name")
        table.add_column("roles", overflow="fold")
        for p in d["people"]:
            table.add_row(p["name"], ", ".join(p["roles"]))
        console.print(table)
    _show_quotes(console, d["quotes"], with_speaker=True)


def _show_quotes(console, quotes: list[dict], with_speaker: bool) -> None:
    from rich.table import Table
    if not quotes:
        return
    table = Table(title="Quotes")
    table.add_column("date")
    if with_speaker:
        table.add_column("speaker")
    table.add_column("quote", overflow="fold")
    table.add_column("source", overflow="fold")
    for q in quotes:
        row = [q["date"] or "—"] + ([q.get("speaker") or ""] if with_speaker else [])
        text = q["text"] or ""
        text = text if len(text) <= 240 else text[:237].rstrip() + "…"
        row += [f"“{text}”", ", ".join(sorted({s['doc'] for s in q["sources"]}))]
        table.add_row(*row)
    console.print(table)


def _show_person(d: dict) -> None:
    from rich.table import Table
    console = _console()
    p = d["person"]
    roles = ", ".join(p["roles"])
    console.print(f"[bold]{p['name']}[/bold]" + (f" ({p['country']})" if p["country"] else "")
                  + (f" — {roles}" if roles else ""))
    if d["meetings"]:
        table = Table(title="Meetings")
        table.add_column("date")
        table.add_column("meeting", overflow="fold")
        for m in d["meetings"]:
            table.add_row(m["date"] or "—", m["title"])
        console.print(table)
    _show_quotes(console, d["quotes"], with_speaker=False)
    console.print(f"{len(d['documents'])} document(s): "
                  + ", ".join(doc["id"] for doc in d["documents"]))


@main.command("search")
@_DB
@click.argument("query")
@click.option("--limit", type=int, default=20, show_default=True)
@_JSON
def search_command(db, query, limit, as_json):
    """Full-text search over documents and evidence, names expanded across languages."""
    from ..store import queries

    with _open(db) as store:
        hits = queries.search(store, query, limit=limit)
    if as_json:
        _print_json(hits)
        return
    from rich.table import Table
    table = Table(title=f"{len(hits)} result(s) for {query!r}")
    for col in ("kind", "document", "title", "snippet"):
        table.add_column(col, overflow="fold")
    for h in hits:
        table.add_row(h["kind"], h["doc"], h.get("title") or "", _marked(h["snippet"]))
    _console().print(table)


EXPORT_FORMATS = ["facts", "jsonl", "events-jsonl", "csv", "parquet"]


@main.command("export")
@_DB
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="facts",
              show_default=True, help="facts/jsonl: per document as extracted; events-jsonl/csv/"
              "parquet: merged events with their sources")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="file to write (default stdout)")
def export_command(db, fmt, out):
    """Write the store's facts (per document) or merged events (one per row)."""
    from ..store import queries

    if fmt == "parquet" and not out:
        raise click.ClickException("--format parquet needs --out FILE")
    # written as read, in one read transaction: a store of any size, one state of it
    with _open(db) as store, store.snapshot():
        if fmt in ("facts", "jsonl"):
            lines = (json.dumps(ex.to_facts() if fmt == "facts" else ex.to_dict(),
                                ensure_ascii=False) for ex in store.extractions())
            _write_lines(lines, out)
            return
        events = queries.export_events(store)
        if fmt == "events-jsonl":
            _write_lines((json.dumps(e, ensure_ascii=False) for e in events), out)
        elif fmt == "csv":
            _write_csv(events, out)
        else:
            _write_parquet(events, out)


def _write_lines(lines: Iterable[str], out: str | None) -> None:
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            fh.writelines(line + "\n" for line in lines)
    else:
        for line in lines:
            click.echo(line)


_COLUMNS = ("id", "type", "date", "status", "title", "n_sources", "fields", "sources", "conflicts")


def _flat(event: dict) -> dict:
    row = {k: event.get(k) for k in _COLUMNS}
    for key in ("fields", "sources", "conflicts"):
        row[key] = json.dumps(event.get(key), ensure_ascii=False)
    return row


def _write_csv(events: Iterable[dict], out: str | None) -> None:
    fh = open(out, "w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        writer = csv.DictWriter(fh, fieldnames=list(_COLUMNS))
        writer.writeheader()
        for e in events:
            writer.writerow(_flat(e))
    finally:
        if out:
            fh.close()


def _write_parquet(events: Iterable[dict], out: str) -> None:
    import pyarrow as pa

    from ..web.exports import write_parquet  # (in row groups: any number of events)

    source = pa.struct([("doc", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
                        ("evidence", pa.string()), ("language", pa.string()),
                        ("extractor", pa.string()), ("published", pa.string())])
    schema = pa.schema([("id", pa.string()), ("type", pa.string()), ("date", pa.string()),
                        ("status", pa.string()), ("title", pa.string()),
                        ("n_sources", pa.int64()), ("fields", pa.string()),
                        ("conflicts", pa.string()), ("sources", pa.list_(source))])
    write_parquet(out, schema, ({
        "id": e["id"], "type": e["type"], "date": e["date"], "status": e["status"],
        "title": e["title"], "n_sources": e["n_sources"],
        "fields": json.dumps(e["fields"], ensure_ascii=False),
        "conflicts": json.dumps(e["conflicts"], ensure_ascii=False),
        "sources": e["sources"]} for e in events))
