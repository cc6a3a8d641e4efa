"""The app factory: routers, static files, local API docs, security headers, error pages."""
from __future__ import annotations

import os
from contextlib import asynccontextmanager

import anyio.to_thread

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException, RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from .. import __version__
from .deps import HERE, render

# Everything is served from this origin; a document's own markup can never run or fetch.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


VIEW_THREADS = 4

_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer")]


class SecurityHeaders:
    """Adds the security headers to every HTTP answer that does not set them itself. A plain ASGI
    middleware: Starlette's `@app.middleware("http")` runs each request through an extra task and
    memory streams, which cost more CPU than most of our answers."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                have = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((n, v) for n, v in _HEADERS if n not in have)]
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(db_path: str | os.PathLike, token: str | None = None) -> FastAPI:
    """The web app over the store at `db_path`; uploads are accepted only when `token` is set."""
    from . import api, apidocs, exports, pages_documents, pages_dossier, pages_events, uploads

    app = FastAPI(
        lifespan=_warm,
        title="communique",
        version=__version__,
        description="Source-linked knowledge base of official communications about the Global "
                    "Coalition against Daesh. Every page of the web app has a JSON twin here.",
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",
    )
    app.state.db_path = str(db_path)
    app.state.token = token or None
    _ensure_store(app.state.db_path)

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (apidocs, api, exports, uploads, pages_events, pages_documents, pages_dossier):
        app.include_router(module.router)

    app.add_middleware(SecurityHeaders)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        return render(request, "error.html", {"title": str(exc.status_code), "status": exc.status_code,
                                              "detail": exc.detail},
                      status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        if _wants_json(request):
            return JSONResponse({"detail": jsonable(exc.errors())}, status_code=422)
        detail = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}"
                           for e in exc.errors())
        return render(request, "error.html", {"title": "422", "status": 422, "detail": detail},
                      status_code=422)

    return app


@asynccontextmanager
async def _warm(app: FastAPI):
    """A server loads what searches need before its first request, not during it."""
    from ..store.search import warm

    warm()
    # the threads that run the (synchronous) views: a few are enough to overlap SQLite's reads,
    # and more only fight over the GIL (40, the default: 8-9 ms of CPU per API request in one
    # process, against 5 with 4 threads)
    anyio.to_thread.current_default_thread_limiter().total_tokens = VIEW_THREADS
    yield


def app_from_environment() -> FastAPI:
    """The app of one `communique serve` process: the store in COMMUNIQUE_DB, the upload token in
    COMMUNIQUE_TOKEN (empty: read-only)."""
    return create_app(os.environ["COMMUNIQUE_DB"], token=os.environ.get("COMMUNIQUE_TOKEN") or None)


def jsonable(value):
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(value, custom_encoder={Exception: str})


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/openapi.json" or (
        "application/json" in request.headers.get("accept", "")
        and "text/html" not in request.headers.get("accept", ""))


def _ensure_store(db_path: str) -> None:
    """Create (and migrate) the database once, so that read-only requests find its tables."""
    from ..store import Store

    with Store(db_path):
        pass


__all__ = ["create_app", "app_from_environment", "HTMLResponse"]
