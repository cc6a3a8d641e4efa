"""The knowledge base in SQLite: documents, their facts, and the facts merged across documents.

Nothing outside this package writes SQL; read through `communique.store.queries`.
"""
from .db import Store

__all__ = ["Store"]
