"""What every view needs: the store (opened per request), the templates, the write check."""
from __future__ import annotations

import hmac
import os
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from fastapi import HTTPException, Request
from fastapi.templating import Jinja2Templates

from . import links

HERE = Path(__file__).parent


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(HERE / "templates"))
    env = t.env
    env.globals.update(
        entity_url=links.entity_url, event_url=links.event_url, document_url=links.document_url,
        country_url=links.country_url, with_query=links.with_query,
    )
    env.filters["listing"] = listing
    return t


def listing(value) -> str:
    """A field value for display: lists joined, booleans as words."""
    if value is None:
        return ""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(listing(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {listing(v)}" for k, v in value.items())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and abs(value) >= 10000:
        return f"{value:,}".replace(",", "\u202f")
    return str(value)


_readers = threading.local()


def _reader(path) -> "Store":
    """This thread's read-only store of that file, opened once: its connection keeps SQLite's page
    cache and prepared statements from one request to the next (each request is still its own
    read transaction, so it sees what was written before it began)."""
    from ..store import Store

    stores = getattr(_readers, "stores", None)
    if stores is None:
        stores = _readers.stores = {}
    key = str(path)
    try:
        st = os.stat(key)
        file = (st.st_dev, st.st_ino)
    except OSError:
        file = None  # (Store says what is wrong)
    store, opened = stores.get(key, (None, None))
    if store is None or file is None or file != opened:  # none yet, or another file there now
        if store is not None:
            store.close()
            del stores[key]
        store = Store(path, readonly=True)
        stores[key] = (store, file)
    return store


@contextmanager
def open_store(request: Request, *, readonly: bool = True) -> Iterator:
    """A store for one request, in one thread: a read-only one is this thread's (reused), read in
    one snapshot; a writable one is opened for the request."""
    from ..store import Store

    if readonly:
        store = _reader(request.app.state.db_path)
        try:
            with store.snapshot():
                yield store
        except BaseException:
            # a connection left in a bad state is not reused
            _readers.stores.pop(str(request.app.state.db_path), None)
            store.close()
            raise
        return
    store = Store(request.app.state.db_path, readonly=readonly)
    try:
        yield store
    finally:
        store.close()


def render(request: Request, name: str, context: dict, status_code: int = 200):
    context = {"request": request, "writable": bool(request.app.state.token), **context}
    return templates().TemplateResponse(request, name, context, status_code=status_code)


def require_token(request: Request, form_token: str | None = None) -> None:
    """Writes need the server's token: none configured -> 403 (read-only), wrong/missing -> 401."""
    expected = request.app.state.token
    if not expected:
        raise HTTPException(403, "this server is read-only: start it with --token (or "
                                 "COMMUNIQUE_TOKEN) to accept uploads")
    given = None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        given = header[7:].strip()
    given = given or form_token
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(401, "a valid token is required", headers={"WWW-Authenticate": "Bearer"})


def not_found(what: str) -> HTTPException:
    return HTTPException(404, f"{what} not found")
