"""Thin command line: parses arguments, calls the importable API, prints (rich) or --json.

One module per group of commands; importing them registers their commands on `main`.
Heavy or optional dependencies are imported inside the commands, never here.
"""
from __future__ import annotations

import importlib

from .app import main

for _module in ("documents", "knowledge", "serve", "batch"):
    try:
        importlib.import_module(f"{__name__}.{_module}")
    except ModuleNotFoundError as err:  # a command module not written yet
        if err.name != f"{__name__}.{_module}":
            raise

__all__ = ["main"]
