"""The `communique` command group; each command lives in a module of this package."""
from __future__ import annotations

import click

from .. import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="communique")
def main() -> None:
    """communique: official communications -> a source-linked knowledge base."""
