"""Batch commands: `batch` (extract many documents on Spark or in one process, facts to Parquet)
and `load` (merge a batch output into the store)."""
from __future__ import annotations

import sys

import click

from .app import main


def _conf(pairs: tuple[str, ...]) -> dict[str, str]:
    conf = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r}: use KEY=VALUE", param_hint="--conf")
        conf[key.strip()] = value
    return conf


@main.command("batch")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", required=True, help="folder for the facts (Parquet, one row per document)")
@click.option("--engine", type=click.Choice(["spark", "local"]), default="spark",
              show_default=True, help="spark: PySpark mapPartitions; local: this process")
@click.option("--master", default="local[*]", show_default=True,
              help="Spark master: local[*], local[4], spark://host:7077, yarn, k8s://…")
@click.option("--partitions", type=int, default=None,
              help="number of Spark partitions (default: twice the default parallelism)")
@click.option("--conf", "confs", multiple=True, metavar="KEY=VALUE",
              help="extra Spark configuration, repeatable")
@click.option("--overwrite", is_flag=True, help="replace an earlier batch output in --out")
@click.option("--max-bytes", type=int, default=5 * 1024 * 1024, show_default=True,
              help="skip files larger than this many bytes (JSON Lines: lines); 0 = no limit")
def batch_command(inputs, out, engine, master, partitions, confs, overwrite, max_bytes):
    """Extract INPUT (a folder of files, files, one JSON Lines file, or Parquet with id and text
    columns) as `extract` does, on Spark or in one process, and write the facts as Parquet to
    --out. Load them with `communique load`. Exit status 1 when a document was skipped."""
    from .. import spark as batch
    from ..errors import CommuniqueError

    limit = max_bytes if max_bytes > 0 else None
    try:
        if engine == "spark":
            session = batch.spark_session(master, conf=_conf(confs))
            try:
                result = batch.run_spark(list(inputs), out, spark=session, partitions=partitions,
                                         max_bytes=limit, overwrite=overwrite)
            finally:
                session.stop()
        else:
            result = batch.run_local(list(inputs), out, max_bytes=limit, overwrite=overwrite)
    except CommuniqueError as err:
        raise click.ClickException(str(err)) from err
    for message in result.errors:
        click.echo(message, err=True)
    click.echo(f"{result.documents} document{'s' if result.documents != 1 else ''} extracted "
               f"({engine}) into {out}; {len(result.errors)} skipped with errors")
    sys.exit(1 if result.errors else 0)


@main.command("load")
@click.argument("folder")
@click.option("--db", default="communique.db", show_default=True, help="the SQLite store")
def load_command(folder, db):
    """Merge the facts of a `communique batch` output FOLDER into the store, one transaction per
    document; documents already stored are skipped. Exit status 1 when the batch had errors."""
    from .. import spark as batch
    from ..errors import CommuniqueError
    from ..store import Store

    try:
        with Store(db) as store:
            counts = batch.load(folder, store, on_error=lambda m: click.echo(m, err=True))
    except CommuniqueError as err:
        raise click.ClickException(str(err)) from err
    n = sum(counts.values())
    click.echo(f"{n} row{'s' if n != 1 else ''} from {folder} into {db}: {counts['added']} added, "
               f"{counts['unchanged']} unchanged, {counts['new_version']} new versions, "
               f"{counts['errors']} errors in the batch")
    sys.exit(1 if counts["errors"] else 0)
