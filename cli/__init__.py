"""The shopassist command line, one module per command group; `main` is the console script."""

from __future__ import annotations

import sys

# Each command group registers its commands on the root app when imported.
from cli import agents, catalog, dialogues, journey, nlu, privacy, serving, store  # noqa: F401
from cli.app import UserError, app
from core.errors import BackendUnavailable, IndexMismatch


def main() -> None:
    """The console script: user errors become one line on stderr."""
    try:
        app()
    except (UserError, BackendUnavailable, IndexMismatch) as error:
        print(f"shopassist: {error}", file=sys.stderr)
        sys.exit(1)
