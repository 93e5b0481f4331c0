"""The store's shoppers and orders: `shopassist shoppers import`, `orders import`, `orders export`
(docs/store-data.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.app import DataDirOption, DbOption, UserError, orders_app, settings_for, shoppers_app


def _lines(file: Path) -> list[str]:
    try:
        return file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read {file}: {error}") from None


def _load(file: Path, db: str | None, data_dir: Path | None, what: str) -> None:
    from assistant.bootstrap import open_database
    from db.store_data import import_orders, import_shoppers

    lines = _lines(file)
    settings = settings_for(db, data_dir)
    database = open_database(settings, log=lambda _message: None)
    with database.transaction() as session:
        if what == "shoppers":
            report = import_shoppers(session, lines)
        else:
            report = import_orders(session, lines, settings.currency)
    for problem in report.problems:
        print(f"skipped {problem}", file=sys.stderr)
    print(report.summary(), file=sys.stderr)


@shoppers_app.command("import")
def shoppers_import(file: Path, db: DbOption = None, data_dir: DataDirOption = None) -> None:
    """Upsert the store's shoppers by id from JSON lines; a bad line is reported and skipped, the rest loads."""
    _load(file, db, data_dir, "shoppers")


@orders_app.command("import")
def orders_import(file: Path, db: DbOption = None, data_dir: DataDirOption = None) -> None:
    """Upsert the store's orders by id from JSON lines; an order whose shopper, product or variant is unknown is
    reported and skipped."""
    _load(file, db, data_dir, "orders")


@orders_app.command("export")
def orders_export(
    shopper: Annotated[str | None, typer.Option("--shopper", help="Only this shopper's orders.")] = None,
    order: Annotated[str | None, typer.Option("--order", help="Only this order.")] = None,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Write the store's orders, those placed in chat too, as JSON lines on stdout."""
    from assistant.bootstrap import open_database
    from db.store_data import export_orders

    database = open_database(settings_for(db, data_dir), log=lambda _message: None)
    with database.transaction() as session:
        lines = export_orders(session, shopper, order)
    for line in lines:
        print(json.dumps(line, ensure_ascii=False))
    print(f"{len(lines)} exported", file=sys.stderr)


@shoppers_app.command("token")
def shoppers_token(
    shopper: str,
    minutes: Annotated[float, typer.Option("--minutes", min=1, help="How long the token is valid.")] = 60,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Print a signed shopper token for the widget's data-shopper-token, as the store's backend makes one (signed
    with SHOPASSIST_SHOPPER_TOKEN_SECRET; for trying it out, and as the reference for a backend's own code)."""
    from datetime import UTC, datetime

    from assistant.shopper_tokens import expiry, sign_shopper

    settings = settings_for(db, data_dir)
    if settings.shopper_token_secret is None:
        raise UserError("set SHOPASSIST_SHOPPER_TOKEN_SECRET first: the token is signed with it")
    print(
        sign_shopper(
            shopper, settings.shopper_token_secret.get_secret_value(), expiry(datetime.now(UTC), minutes)
        )
    )
