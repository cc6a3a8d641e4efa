"""Sources -> Documents: text files, HTML pages, JSON Lines corpora, directories, standard input.

    read_sources(paths, max_bytes=...) -> Iterator[Document | InputError]
    prepare(document) -> Document          release conventions + language segments

A source that cannot be read yields an InputError naming the file (and line) instead of stopping
the others.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputError
from ..model import Document
from .decode import DEFAULT_MAX_BYTES, check_size, decode
from .html import read_html
from .jsonl import read_jsonl
from .text import apply_conventions

TEXT_SUFFIXES = (".txt", ".text", ".md")
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES

__all__ = ["read_sources", "read_file", "prepare", "expand", "DEFAULT_MAX_BYTES", "SUFFIXES"]


def expand(paths: Iterable[str]) -> Iterator[str | InputError]:
    """Each path; directories become their supported files, recursively and in sorted order."""
    for path in paths:
        if path == "-":
            yield path
        elif os.path.isdir(path):
            found = sorted(
                p for p in Path(path).rglob("*")
                if p.is_file() and p.suffix.lower() in SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts))
            yield from (str(p) for p in found)
        elif os.path.exists(path):
            yield path
        else:
            yield InputError(path, "no such file or directory")


def read_sources(paths: Iterable[str], *, max_bytes: int | None = DEFAULT_MAX_BYTES,
                 conventions: bool = True) -> Iterator[Document | InputError]:
    """Every document of every source, with title and published read off the text (`conventions`;
    without, as the source gives them: for a caller that `prepare`s each one, perhaps in another
    process); a source that cannot be read yields an InputError and the others go on."""
    for path in expand(paths):
        if isinstance(path, InputError):
            yield path
            continue
        try:
            for item in read_file(path, max_bytes=max_bytes):
                yield item if isinstance(item, InputError) or not conventions \
                    else apply_conventions(item)
        except InputError as err:
            yield err
        except OSError as err:
            yield InputError(path, f"cannot be read: {err.strerror or err}")


def read_file(path: str, *, max_bytes: int | None = DEFAULT_MAX_BYTES
              ) -> Iterator[Document | InputError]:
    """The documents of one file ("-" is standard input), as the source gives them."""
    suffix = Path(path).suffix.lower() if path != "-" else ""
    if suffix in JSONL_SUFFIXES:
        with open(path, "rb") as fh:
            yield from read_jsonl(fh, source=path, max_bytes=max_bytes)
        return
    if path == "-":
        data = sys.stdin.buffer.read() if max_bytes is None else sys.stdin.buffer.read(max_bytes + 1)
        check_size(len(data), path, max_bytes)
        yield from _read_stdin(data, max_bytes)
        return
    if suffix not in TEXT_SUFFIXES + HTML_SUFFIXES:
        raise InputError(path, f"unsupported file type {suffix or '(none)'}: "
                               f"use one of {', '.join(SUFFIXES)}")
    check_size(os.path.getsize(path), path, max_bytes)
    with open(path, "rb") as fh:
        data = fh.read()
    text = decode(data, path)
    name = Path(path).name
    if suffix in HTML_SUFFIXES:
        yield read_html(text, doc_id=name, source=path)
    else:
        yield Document(id=name, text=text, source=path)


def _read_stdin(data: bytes, max_bytes: int | None) -> Iterator[Document | InputError]:
    """Standard input is JSON Lines when every line is an object, HTML when it starts with a tag,
    plain text otherwise."""
    lines = [line for line in data.split(b"\n") if line.strip()]
    if lines and all(line.lstrip().startswith(b"{") for line in lines):
        yield from read_jsonl(data.split(b"\n"), source="-", max_bytes=max_bytes)
        return
    text = decode(data, "-")
    if text.lstrip().startswith("<"):
        yield read_html(text, doc_id="stdin", source="-")
    else:
        yield Document(id="stdin", text=text, source="-")


def prepare(document: Document) -> Document:
    """A document ready for extraction: release conventions applied, language segments filled."""
    from ..language import segment  # imported here: builds the language detector on first use

    return segment(apply_conventions(document))
