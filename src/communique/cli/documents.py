"""Commands over documents: `ingest` (into a store), `extract` (to standard output), `eval`."""
from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import click

from .app import main

MAX_BYTES_HELP = "skip files larger than this many bytes (JSON Lines: lines); 0 = no limit"


def _sample_paths() -> list[str]:
    from .. import resources

    return [str(resources.sample_dir() / "seeds")]


def _paths(paths: tuple[str, ...], sample: bool) -> list[str]:
    paths = list(paths) + (_sample_paths() if sample else [])
    if not paths:
        raise click.UsageError("give at least one PATH (a file, a directory, or - for stdin), "
                               "or --sample")
    return paths


def _limit(max_bytes: int) -> int | None:
    return max_bytes if max_bytes > 0 else None


def _err(message: str) -> None:
    click.echo(message, err=True)


def _skip(message: str, skipped: list[str]) -> None:
    """A document or source left out: said on stderr, counted in the summary."""
    _err(message)
    skipped.append(message)


def _where(doc) -> str:
    """Where a document came from: its file, and its line in a JSON Lines file."""
    where = doc.source or doc.id
    return f"{where}:{doc.meta['line']}" if doc.meta.get("line") else where


def _extractions(paths: list[str], max_bytes: int | None, skipped: list[str]) -> Iterator:
    """The Extraction of every readable document; problems go to `skipped` and stderr."""
    from ..errors import InputError
    from ..ingest import read_sources
    from ..ingest.workers import extracted

    for item, outcome in extracted(read_sources(paths, max_bytes=max_bytes, conventions=False)):
        if isinstance(item, InputError):
            _skip(str(item), skipped)
        elif isinstance(outcome, str):
            _skip(f"{_where(item)}: extraction failed: {outcome}", skipped)
        else:
            yield outcome


@main.command("extract")
@click.argument("paths", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["facts", "jsonl"]), default="facts",
              show_default=True, help="facts: one line of docs/SCHEMA.md per document; "
                                      "jsonl: the full extraction (text, segments, spans)")
@click.option("--sample", is_flag=True, help="also read the bundled sample corpus")
@click.option("--max-bytes", type=int, default=5 * 1024 * 1024, show_default=True,
              help=MAX_BYTES_HELP)
def extract_command(paths, fmt, sample, max_bytes):
    """Extract the facts of PATH... (files, directories, - for stdin) to standard output, one JSON
    line per document. No database. Exit status 1 when an input was skipped."""
    skipped: list[str] = []
    out = sys.stdout
    for extraction in _extractions(_paths(paths, sample), _limit(max_bytes), skipped):
        record = extraction.to_facts() if fmt == "facts" else extraction.to_dict()
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
    sys.exit(1 if skipped else 0)


@main.command("ingest")
@click.argument("paths", nargs=-1)
@click.option("--db", default="communique.db", show_default=True, help="the SQLite store")
@click.option("--quiet", "-q", is_flag=True, help="no progress bar, only the summary")
@click.option("--sample", is_flag=True, help="also ingest the bundled sample corpus")
@click.option("--max-bytes", type=int, default=5 * 1024 * 1024, show_default=True,
              help=MAX_BYTES_HELP)
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="processes that extract in parallel  [default: the number of CPUs]; "
                   "1 = extract in this process")
@click.option("--commit-every", type=click.IntRange(min=1), default=50, show_default=True,
              help="documents stored per commit (at least one commit a second): more is faster, "
                   "1 makes each document visible and durable as soon as it is stored")
def ingest_command(paths, db, quiet, sample, max_bytes, workers, commit_every):
    """Read PATH... (files, directories, - for stdin), extract and store each new document.
    Documents already stored unchanged are skipped; each document is stored whole or not at all
    (committed a few at a time, at least every second), in the order of the input while the next
    ones are extracted in parallel."""
    from ..errors import InputError
    from ..ingest import expand, read_sources
    from ..ingest.workers import default_workers, extracted
    from ..store import Store

    paths = _paths(paths, sample)
    counts: Counter = Counter()
    skipped: list[str] = []
    show_bar = not quiet and sys.stderr.isatty()
    files = [p for p in expand(paths) if isinstance(p, str)]
    total = None if any(p == "-" or p.lower().endswith((".jsonl", ".ndjson")) for p in files) \
        else len(files)
    with Store(db) as store, _progress(show_bar, total) as advance, store.batch(commit_every) as add:
        def new(doc) -> bool:
            return not store.has_document(doc.content_hash)

        # the release conventions (title, date) are applied where each text is extracted
        sources = read_sources(paths, max_bytes=_limit(max_bytes), conventions=False)
        for item, outcome in extracted(sources, workers or default_workers(), new, sign=True):
            if isinstance(item, InputError):
                _skip(str(item), skipped)
                advance(str(item.source))
                continue
            name = _where(item)
            if outcome is None:
                counts["unchanged"] += 1
            elif isinstance(outcome, str):
                _skip(f"{name}: not ingested: {outcome}", skipped)
            else:
                try:
                    counts[add(outcome)] += 1
                except Exception as err:  # noqa: BLE001 - one bad document must not stop the others
                    _skip(f"{name}: not ingested: {type(err).__name__}: {err}", skipped)
            advance(name)
    n = sum(counts.values()) + len(skipped)
    click.echo(f"{n} document{'s' if n != 1 else ''} into {db}: {counts['added']} added, "
               f"{counts['unchanged']} unchanged, {counts['new_version']} new versions, "
               f"{len(skipped)} skipped with errors")
    sys.exit(1 if skipped else 0)


class _progress:
    """A rich progress bar on stderr (a no-op when hidden); calling it advances by one."""

    def __init__(self, show: bool, total: int | None):
        self.show, self.total, self.bar, self.task = show, total, None, None

    def __enter__(self):
        if self.show:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeElapsedColumn)

            self.bar = Progress(TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), TextColumn("{task.description}"),
                                console=Console(stderr=True), transient=True)
            self.bar.__enter__()
            self.task = self.bar.add_task("", total=self.total)
        return self

    def __call__(self, name: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=Path(name).name)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False


@main.command("eval")
@click.argument("gold", required=False)
@click.argument("predicted", required=False)
@click.option("--sample", is_flag=True,
              help="extract the bundled sample corpus and score it against its bundled gold")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
@click.option("--misses", is_flag=True, help="list every miss and extra")
def eval_command(gold, predicted, sample, as_json, misses):
    """Score PREDICTED facts against GOLD facts (JSON Lines, docs/SCHEMA.md), or --sample (exit
    status 1 when a sample document could not be extracted)."""
    from .. import eval as scoring
    from .. import resources
    from ..errors import InputError

    skipped: list[str] = []
    try:
        if sample:
            if gold or predicted:
                raise click.UsageError("--sample takes no GOLD or PREDICTED")
            gold_docs = scoring.load(str(resources.sample_dir() / "seeds.gold.jsonl"))
            predicted_docs = {x.document.id: x.to_facts()
                              for x in _extractions(_sample_paths(), None, skipped)}
        else:
            if not gold or not predicted:
                raise click.UsageError("give GOLD and PREDICTED, or --sample")
            gold_docs, predicted_docs = scoring.load(gold), scoring.load(predicted)
    except InputError as err:
        _err(str(err))
        sys.exit(2)
    result = scoring.score(gold_docs, predicted_docs)
    click.echo(scoring.to_json(result, misses) if as_json else scoring.report(result, misses))
    sys.exit(1 if skipped else 0)
