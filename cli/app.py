"""The `shopassist` command's root and what every command shares: the options `--db` and `--data-dir`, the
settings built from them, and the one-line report of a user's mistake."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from core.settings import Settings

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    help="shopassist: a conversational shopping assistant.",
)
catalog_app = typer.Typer(help="Import and inspect the product catalog.")
nlu_app = typer.Typer(help="Intent and slot understanding.")
journey_app = typer.Typer(help="Journey analytics and maintenance.")
retrieval_app = typer.Typer(help="Product retrieval.")
agent_app = typer.Typer(help="Accounts of the people who log into the agent console.")
privacy_app = typer.Typer(help="Shoppers' personal data: forget a conversation, apply the retention period.")
shoppers_app = typer.Typer(help="The store's customers (docs/store-data.md).")
orders_app = typer.Typer(help="The store's orders, imported and placed in chat (docs/store-data.md).")
app.add_typer(catalog_app, name="catalog")
app.add_typer(nlu_app, name="nlu")
app.add_typer(journey_app, name="journey")
app.add_typer(retrieval_app, name="retrieval")
app.add_typer(agent_app, name="agent")
app.add_typer(privacy_app, name="privacy")
app.add_typer(shoppers_app, name="shoppers")
app.add_typer(orders_app, name="orders")

DbOption = Annotated[str | None, typer.Option("--db", help="SQLAlchemy database URL.")]
DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="Data directory (default ~/.shopassist).")
]
HostOption = Annotated[str | None, typer.Option("--host")]
PortOption = Annotated[int | None, typer.Option("--port")]


class UserError(Exception):
    """A mistake the user can fix; shown as one line."""


def settings_for(db: str | None, data_dir: Path | None, **overrides) -> Settings:
    given = {"db": db, "home": data_dir, **overrides}
    try:
        return Settings(**{key: value for key, value in given.items() if value is not None})
    except ValidationError as error:
        raise UserError(
            f"invalid setting: {error.errors()[0]['loc'][0]}: {error.errors()[0]['msg']}"
        ) from None


def fail(message: str, code: int = 1) -> None:
    print(f"shopassist: {message}", file=sys.stderr)
    raise typer.Exit(code)
