"""HTML pages -> Document: main text, title and date through trafilatura (no network)."""
from __future__ import annotations

from ..errors import InputError
from ..model import Document


def read_html(html: str, *, doc_id: str, source: str) -> Document:
    """The page's main text (boilerplate removed), its title and publication date."""
    import trafilatura  # imported here: heavy, and only HTML needs it

    try:
        result = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=True)
    except Exception as err:  # noqa: BLE001 - lxml raises many kinds on broken markup
        raise InputError(source, f"HTML could not be parsed: {err}") from err
    if result is None:
        raise InputError(source, "no main text found in the HTML page")
    def meta(key: str):
        value = result.get(key) if isinstance(result, dict) else getattr(result, key, None)
        return value or None

    text = (meta("text") or "").strip()
    if not text:
        raise InputError(source, "no main text found in the HTML page")
    return Document(
        id=doc_id,
        text=text,
        source=source,
        title=meta("title"),
        published=meta("date"),
        url=meta("url"),
        declared_language=meta("language"),
    )
