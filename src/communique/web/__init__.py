"""The web app and JSON API over the knowledge base (FastAPI, server-rendered, fully offline).

    create_app(db_path, token=None) -> FastAPI
"""
from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
