"""The project's own errors: each names the file (and line) it is about."""
from __future__ import annotations


class CommuniqueError(Exception):
    """Base class: anything the project raises on purpose."""


class InputError(CommuniqueError):
    """A source that cannot be read as a document; names the file and, where known, the line."""

    def __init__(self, source: str, message: str, line: int | None = None):
        self.source = source
        self.line = line
        self.message = message
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")


class DataError(CommuniqueError):
    """A language-data or gazetteer file that does not follow its schema."""


class ParseError(CommuniqueError):
    """A value (date, number, amount) that a parser was asked to read and could not."""
