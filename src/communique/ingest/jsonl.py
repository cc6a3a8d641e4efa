"""JSON Lines corpora: one document per line (`id`, `text`, optional `title`, `url`, `published`,
`language`). A broken line is reported with its number; the other lines are still read."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from ..errors import InputError
from ..model import Document

OPTIONAL = ("title", "url", "published", "language")


def read_jsonl(lines: Iterable[bytes | str], *, source: str,
               max_bytes: int | None = None) -> Iterator[Document | InputError]:
    """Documents (or InputErrors naming the line) from the lines of a JSON Lines file."""
    for number, raw in enumerate(lines, 1):
        if max_bytes is not None and len(raw) > max_bytes:
            yield InputError(source, f"line too large ({len(raw):,} bytes; the limit is "
                                     f"{max_bytes:,})", number)
            continue
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                yield InputError(source, f"not UTF-8 at byte {err.start}", number)
                continue
        if not raw.strip():
            continue
        try:
            yield _record(json.loads(raw.rstrip("\r\n")), source, number)
        except json.JSONDecodeError as err:
            yield InputError(source, f"not valid JSON: {err.msg} (column {err.colno})", number)
        except InputError as err:
            yield err


def _record(record, source: str, number: int) -> Document:
    if not isinstance(record, dict):
        raise InputError(source, "each line must be a JSON object", number)
    doc_id, text = record.get("id"), record.get("text")
    if doc_id is None or str(doc_id).strip() == "":
        raise InputError(source, "missing 'id'", number)
    if not isinstance(text, str) or not text.strip():
        raise InputError(source, "missing or empty 'text'", number)
    for key in OPTIONAL:
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            raise InputError(source, f"'{key}' must be a string", number)
    return Document(
        id=str(doc_id),
        text=text.replace("\r\n", "\n").replace("\r", "\n"),
        source=source,
        title=record.get("title") or None,
        published=record.get("published") or None,
        url=record.get("url") or None,
        declared_language=record.get("language") or None,
        meta={"line": number},
    )
