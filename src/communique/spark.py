"""The extraction pipeline over many documents: on PySpark (`mapPartitions`) or in one process.

    run_batch(inputs, out, engine="spark"|"local", master=...) -> BatchResult   facts as Parquet
    read_facts(out) -> Iterator[dict]                                        the rows, in input order
    load(out, store) -> Counter                                              Store.add per document

Both engines run the same code on the same work units, so they write the same rows:

    a folder or files  -> one unit per file (every worker must see the same paths: a shared disk)
    one JSON Lines file -> one unit per line (read by Spark, split across the cluster)
    Parquet            -> one unit per row (`id` and `text` columns; title, published, url,
                          language optional)

Each partition warms the extractor (gazetteer, language detector) once and then runs
`extract(prepare(document))` per document; a document that cannot be read or extracted becomes a
row with `error` set instead of stopping the others.

One row per document: doc, source, part, pos (input order), content_hash, languages, published,
title, entities (JSON), events (JSON), extraction (the full Extraction as JSON, for `load`), error.
"""
from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CommuniqueError, InputError
from .model import Document, Extraction

COLUMNS = ("doc", "source", "part", "pos", "content_hash", "languages", "published", "title",
           "entities", "events", "extraction", "error")
PARQUET_OPTIONAL = ("title", "published", "url", "language", "source")
JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass
class BatchResult:
    documents: int = 0
    errors: list[str] = field(default_factory=list)
    out: str = ""


# -- the work of one partition ------------------------------------------------------------------
def warm() -> None:
    """Load what every document needs once per worker process (cached there afterwards)."""
    from .extract.gazetteer import gazetteer
    from .language import detector

    gazetteer()
    detector()


def _row(extraction: Extraction, part: int, pos: int) -> dict:
    doc = extraction.document
    facts = extraction.to_facts()
    return {
        "doc": doc.id, "source": doc.source or "", "part": part, "pos": pos,
        "content_hash": doc.content_hash, "languages": list(doc.languages),
        "published": doc.published, "title": doc.title,
        "entities": json.dumps(facts["entities"], ensure_ascii=False),
        "events": json.dumps(facts["events"], ensure_ascii=False),
        "extraction": json.dumps(extraction.to_dict(), ensure_ascii=False),
        "error": None,
    }


def _error_row(message: str, source: str, part: int, pos: int, doc: str | None = None) -> dict:
    row = dict.fromkeys(COLUMNS)
    row.update(doc=doc, source=source, part=part, pos=pos, languages=[], error=message)
    return row


def _extract_rows(items: Iterable[Document | InputError], part: int, max_bytes) -> Iterator[dict]:
    from .extract.pipeline import extract
    from .ingest import prepare

    for pos, item in enumerate(items):
        if isinstance(item, InputError):
            yield _error_row(str(item), item.source, part, pos)
            continue
        try:
            yield _row(extract(prepare(item)), part, pos)
        except Exception as err:  # noqa: BLE001 - one bad document must not stop the partition
            where = item.source or item.id
            if item.meta.get("line"):
                where = f"{where}:{item.meta['line']}"
            yield _error_row(f"{where}: extraction failed: {type(err).__name__}: {err}",
                             item.source or "", part, pos, item.id)


def _unit_documents(unit: tuple, max_bytes) -> Iterable[Document | InputError]:
    """The documents of one work unit: ("path", path), ("line", source, number, text) or
    ("record", source, dict)."""
    from .ingest import read_sources
    from .ingest.jsonl import read_jsonl
    from .ingest.text import apply_conventions

    kind = unit[0]
    if kind == "path":
        return read_sources([unit[1]], max_bytes=max_bytes)
    if kind == "line":
        _, source, number, text = unit
        found = []
        for item in read_jsonl([text], source=source, max_bytes=max_bytes):
            if isinstance(item, InputError):
                item = InputError(source, item.message, number)
            else:
                item.meta["line"] = number
                item = apply_conventions(item)
            found.append(item)
        return found
    _, source, record = unit
    return [_record_document(record, source)]


def _record_document(record: dict, source: str) -> Document | InputError:
    from .ingest.text import apply_conventions

    doc_id, text = record.get("id"), record.get("text")
    if doc_id is None or str(doc_id).strip() == "":
        return InputError(source, "a row without 'id'")
    if not isinstance(text, str) or not text.strip():
        return InputError(source, f"row {doc_id}: missing or empty 'text'")
    return apply_conventions(Document(
        id=str(doc_id), text=text.replace("\r\n", "\n").replace("\r", "\n"),
        source=str(record.get("source") or source), title=record.get("title") or None,
        published=record.get("published") or None, url=record.get("url") or None,
        declared_language=record.get("language") or None))


def run_partition(units: Iterable[tuple[int, tuple]], max_bytes=None) -> Iterator[dict]:
    """(part, unit) pairs -> rows; the extractor is warmed once for the whole partition."""
    warmed = False
    for part, unit in units:
        if not warmed:
            warm()
            warmed = True
        yield from _extract_rows(_unit_documents(unit, max_bytes), part, max_bytes)


# -- planning the units -------------------------------------------------------------------------
def is_uri(path: str) -> bool:
    """hdfs://, s3a://, file:// …: read and written by Spark, not by this process."""
    return "://" in str(path)


def input_kind(inputs: list[str]) -> str:
    """"parquet" (a .parquet file or a folder of them), "jsonl" (one JSON Lines file) or "files".
    A URI (s3a://…, hdfs://…) is JSON Lines when it ends in .jsonl/.ndjson, Parquet otherwise."""
    if len(inputs) == 1 and is_uri(inputs[0]):
        return "jsonl" if inputs[0].lower().endswith(JSONL_SUFFIXES) else "parquet"
    if len(inputs) == 1:
        path = Path(inputs[0])
        if path.suffix.lower() == ".parquet" or (
                path.is_dir() and any(path.glob("*.parquet"))
                and not any(p.suffix.lower() in (".txt", ".html", ".htm", ".jsonl")
                            for p in path.rglob("*"))):
            return "parquet"
        if path.is_file() and path.suffix.lower() in JSONL_SUFFIXES:
            return "jsonl"
    return "files"


def _file_units(inputs: list[str]) -> list[tuple[int, tuple]]:
    from .ingest import expand

    units = []
    for i, path in enumerate(expand(inputs)):
        if isinstance(path, InputError):
            units.append((i, ("path", path.source)))  # read_sources reports it again, as a row
        else:
            units.append((i, ("path", path)))
    return units


def _jsonl_units(path: str) -> Iterator[tuple[int, tuple]]:
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, 1):
            text = raw.decode("utf-8", errors="surrogateescape")
            if text.strip():
                yield number, ("line", path, number, raw if _not_utf8(text) else text)


def _not_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def _parquet_units(path: str) -> Iterator[tuple[int, tuple]]:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    missing = [c for c in ("id", "text") if c not in table.column_names]
    if missing:
        raise InputError(path, f"Parquet input needs the columns id and text (missing: "
                               f"{', '.join(missing)})")
    keep = [c for c in ("id", "text", *PARQUET_OPTIONAL) if c in table.column_names]
    for i, record in enumerate(table.select(keep).to_pylist()):
        yield i, ("record", path, record)


def local_units(inputs: list[str]) -> Iterator[tuple[int, tuple]]:
    kind = input_kind(inputs)
    if kind == "parquet":
        return _parquet_units(inputs[0])
    if kind == "jsonl":
        return _jsonl_units(inputs[0])
    return iter(_file_units(inputs))


# -- writing and reading the facts --------------------------------------------------------------
def arrow_schema():
    import pyarrow as pa

    return pa.schema([
        ("doc", pa.string()), ("source", pa.string()), ("part", pa.int64()), ("pos", pa.int64()),
        ("content_hash", pa.string()), ("languages", pa.list_(pa.string())),
        ("published", pa.string()), ("title", pa.string()), ("entities", pa.string()),
        ("events", pa.string()), ("extraction", pa.string()), ("error", pa.string()),
    ])


def spark_schema():
    from pyspark.sql.types import ArrayType, LongType, StringType, StructField, StructType

    types = {"part": LongType(), "pos": LongType(), "languages": ArrayType(StringType())}
    return StructType([StructField(c, types.get(c, StringType()), True) for c in COLUMNS])


def _prepare_out(out: str, overwrite: bool) -> None:
    if is_uri(out):
        return  # Spark writes it (mode overwrite only with --overwrite)
    path = Path(out)
    if path.exists() and any(path.iterdir()):
        if not overwrite:
            raise CommuniqueError(f"{out}: exists and is not empty (use --overwrite)")
        if not (path / "_SUCCESS").exists() and not any(path.glob("*.parquet")):
            raise CommuniqueError(f"{out}: not a batch output folder; refusing to overwrite it")
        for child in path.iterdir():
            if child.name.startswith(("part-", "_SUCCESS", ".part-", "._SUCCESS")):
                child.unlink()


def run_local(inputs: list[str], out: str, *, max_bytes=None, overwrite=False,
              rows_per_file: int = 5000) -> BatchResult:
    """The batch in this process: same units, same rows, Parquet files in `out`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    _prepare_out(out, overwrite)
    Path(out).mkdir(parents=True, exist_ok=True)
    result = BatchResult(out=out)
    schema = arrow_schema()
    buffer: list[dict] = []
    n_file = 0

    def flush():
        nonlocal n_file
        pq.write_table(pa.Table.from_pylist(buffer, schema=schema),
                       Path(out) / f"part-{n_file:05d}.parquet")
        n_file += 1
        buffer.clear()

    for row in run_partition(local_units(inputs), max_bytes):
        _count(result, row)
        buffer.append(row)
        if len(buffer) >= rows_per_file:
            flush()
    if buffer or n_file == 0:
        flush()
    (Path(out) / "_SUCCESS").touch()
    return result


def _count(result: BatchResult, row: dict) -> None:
    if row["error"]:
        result.errors.append(row["error"])
    else:
        result.documents += 1


def read_facts(out: str, columns: list[str] | None = None) -> Iterator[dict]:
    """The rows of a batch output folder, in input order (part, then pos), file by file."""
    import pyarrow.parquet as pq

    files = sorted(p for p in Path(out).glob("*.parquet") if not p.name.startswith((".", "_")))
    if not files:
        raise InputError(out, "no Parquet files here (run `communique batch` first)")
    cols = list(columns) if columns else None
    if cols is not None:
        cols = list(dict.fromkeys(["part", "pos", *cols]))
    for path in files:
        pf = pq.ParquetFile(path)
        rows = pf.read(columns=cols).to_pylist()
        rows.sort(key=lambda r: (r["part"], r["pos"]))
        yield from rows


def load(out: str, store, *, on_error=None) -> Counter:
    """Merge a batch output into the store, document by document (Store.batch: each document
    whole, committed a few at a time); counts of added / unchanged / new_version / errors."""
    counts: Counter = Counter()
    with store.batch() as add:
        for row in read_facts(out, ["content_hash", "extraction", "error"]):
            if row["error"]:
                counts["errors"] += 1
                if on_error:
                    on_error(row["error"])
                continue
            if store.has_document(row["content_hash"]):
                counts["unchanged"] += 1
                continue
            counts[add(Extraction.from_dict(json.loads(row["extraction"])))] += 1
    return counts


# -- Spark --------------------------------------------------------------------------------------
def spark_session(master: str = "local[*]", *, app_name: str = "communique",
                  conf: dict[str, str] | None = None):
    """A SparkSession; a local master binds the driver to 127.0.0.1 (no network needed)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as err:
        raise CommuniqueError("the spark engine needs pyspark (pip install 'communique[spark]')"
                              ) from err
    # the workers must run the same Python (and see the same installed communique)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (SparkSession.builder.master(master).appName(app_name)
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.python.worker.reuse", "true"))
    if master.startswith("local"):
        builder = (builder.config("spark.driver.host", "127.0.0.1")
                   .config("spark.driver.bindAddress", "127.0.0.1"))
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def spark_units(spark, inputs: list[str], partitions: int | None = None):
    """An RDD of (part, unit) pairs for the input, split into `partitions` slices."""
    sc = spark.sparkContext
    n = partitions or max(sc.defaultParallelism * 2, 2)
    kind = input_kind(inputs)
    if kind == "files":
        units = _file_units(inputs)
        return sc.parallelize(units, max(1, min(n, len(units))))
    if kind == "jsonl":
        path = inputs[0] if is_uri(inputs[0]) else str(Path(inputs[0]).resolve())
        # line numbers follow the file: zipWithIndex counts every line, blank ones included
        lines = sc.textFile(path, n).zipWithIndex()
        return lines.filter(lambda li: li[0].strip()).map(
            lambda li: (li[1] + 1, ("line", inputs[0], li[1] + 1, li[0])))
    path = inputs[0]
    frame = spark.read.parquet(path)
    missing = [c for c in ("id", "text") if c not in frame.columns]
    if missing:
        raise InputError(path, f"Parquet input needs the columns id and text (missing: "
                               f"{', '.join(missing)})")
    keep = [c for c in ("id", "text", *PARQUET_OPTIONAL) if c in frame.columns]
    return frame.select(*keep).rdd.zipWithIndex().map(
        lambda ri: (ri[1], ("record", path, ri[0].asDict())))


def run_spark(inputs: list[str], out: str, *, master: str = "local[*]", spark=None,
              partitions: int | None = None, max_bytes=None, overwrite=False) -> BatchResult:
    """The batch on Spark: units -> mapPartitions(run_partition) -> Parquet in `out`."""
    _prepare_out(out, overwrite)
    own = spark is None
    spark = spark or spark_session(master)
    try:
        limit = max_bytes

        def partition(units):
            for row in run_partition(units, limit):
                yield tuple(row[c] for c in COLUMNS)

        rows = spark_units(spark, inputs, partitions).mapPartitions(partition)
        frame = spark.createDataFrame(rows, spark_schema())
        target = out if is_uri(out) else str(Path(out).resolve())
        frame.write.mode("overwrite" if overwrite or not is_uri(out) else "errorifexists"
                         ).parquet(target)
        written = spark.read.parquet(target)
        errors = [r["error"] for r in written.where("error IS NOT NULL")
                  .orderBy("part", "pos").select("error").collect()]
        return BatchResult(documents=written.where("error IS NULL").count(), errors=errors,
                           out=out)
    finally:
        if own:
            spark.stop()


def run_batch(inputs: list[str], out: str, *, engine: str = "local", master: str = "local[*]",
              partitions: int | None = None, max_bytes=None, overwrite=False) -> BatchResult:
    if engine == "spark":
        return run_spark(inputs, out, master=master, partitions=partitions, max_bytes=max_bytes,
                         overwrite=overwrite)
    if engine == "local":
        return run_local(inputs, out, max_bytes=max_bytes, overwrite=overwrite)
    raise CommuniqueError(f"unknown engine {engine!r}: use spark or local")
