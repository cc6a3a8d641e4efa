"""Bytes -> text: UTF-8 when it is, else the encoding charset-normalizer detects; binary is refused."""
from __future__ import annotations

from ..errors import InputError

DEFAULT_MAX_BYTES = 5 * 1024 * 1024

# Control characters that never occur in text (tab, newline, form feed and carriage return do).
_TEXT_CONTROLS = {0x09, 0x0A, 0x0C, 0x0D}


def looks_binary(data: bytes) -> bool:
    """True for data that is not text: a NUL byte, or many control characters near the start."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 0x20 and b not in _TEXT_CONTROLS)
    return controls > max(2, len(head) // 100)


def check_size(size: int, source: str, max_bytes: int | None) -> None:
    if max_bytes is not None and size > max_bytes:
        raise InputError(source, f"file too large ({size:,} bytes; the limit is {max_bytes:,}; "
                                 "raise it with --max-bytes)")


def decode(data: bytes, source: str) -> str:
    """The text of `data`; InputError when it is empty, binary or in no recognisable encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise InputError(source, "empty file")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return _normalise_newlines(data.decode("utf-16"))
        except UnicodeDecodeError:
            pass
    if looks_binary(data):
        raise InputError(source, "binary file, not text")
    try:
        return _normalise_newlines(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # imported here: only needed for non-UTF-8 files

    best = from_bytes(data).best()
    if best is None:
        raise InputError(source, "not UTF-8 and no text encoding could be detected")
    return _normalise_newlines(str(best))


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
