"""`communique serve`: the web app and JSON API over a knowledge base."""
from __future__ import annotations

import os

import click

from .app import main


@main.command()
@click.option("--db", "db_path", default="communique.db", show_default=True,
              help="The SQLite knowledge base to serve (created if missing).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--token", envvar="COMMUNIQUE_TOKEN", default=None,
              help="Accept uploads from requests that carry this token (also read from "
                   "COMMUNIQUE_TOKEN); without it the server is read-only.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Server processes answering requests side by side (reads scale with the CPUs; "
                   "each process opens the store per request).")
def serve(db_path: str, host: str, port: int, token: str | None, workers: int) -> None:
    """Serve the timeline, dossiers, documents, map and JSON API on http://HOST:PORT/."""
    import uvicorn

    from ..web import create_app

    app = create_app(db_path, token=token or None)  # creates or migrates the store, fails early
    mode = "uploads need the token" if token else "read-only"
    click.echo(f"communique: serving {db_path} on http://{host}:{port}/ ({mode}, {workers} "
               f"process{'es' if workers > 1 else ''}); API docs at /docs", err=True)
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    # uvicorn starts each worker process from an import string: the app is built from these
    os.environ["COMMUNIQUE_DB"] = db_path
    os.environ["COMMUNIQUE_TOKEN"] = token or ""
    uvicorn.run("communique.web.app:app_from_environment", factory=True, host=host, port=port,
                workers=workers, log_level="warning")
