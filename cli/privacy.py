"""Shoppers' personal data: `shopassist privacy forget` and `sweep`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cli.app import DataDirOption, DbOption, UserError, privacy_app, settings_for


@privacy_app.command("forget")
def privacy_forget(
    conversation: Annotated[
        str | None, typer.Option("--conversation", help="The id of the conversation to forget.")
    ] = None,
    email: Annotated[
        str | None,
        typer.Option("--email", help="Forget every conversation in which this email address was written."),
    ] = None,
    shopper: Annotated[
        str | None,
        typer.Option(
            "--shopper", help="Forget a store's shopper: their account, conversations and order details."
        ),
    ] = None,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Erase a shopper's personal data: one conversation, every conversation holding their email address, or a
    store's shopper (docs/store-data.md) with everything tied to them; prints what was removed."""
    from assistant.bootstrap import open_database
    from assistant.privacy.erasure import forget_conversation, forget_email, forget_shopper
    from core.errors import NotAnEmailAddress, UnknownConversation, UnknownShopper

    if sum(given is not None for given in (conversation, email, shopper)) != 1:
        raise UserError("give one of --conversation ID, --email ADDRESS or --shopper ID")
    settings = settings_for(db, data_dir)
    database = open_database(settings, demo_catalog=False)
    if shopper is not None:
        try:
            conversation_ids, forgotten = forget_shopper(database, shopper)
        except UnknownShopper as error:
            raise UserError(str(error)) from None
        print(f"{forgotten.summary()}; removed shopper {shopper}")
        if conversation_ids:
            print(f"conversations: {', '.join(conversation_ids)}")
        return
    if conversation is not None:
        try:
            with database.transaction() as session:
                forgotten = forget_conversation(session, conversation)
        except UnknownConversation as error:
            raise UserError(str(error)) from None
        print(forgotten.summary())
        return
    try:
        conversation_ids, forgotten = forget_email(database, email)
    except NotAnEmailAddress as error:
        raise UserError(str(error)) from None
    print(forgotten.summary())
    if conversation_ids:
        print(f"conversations: {', '.join(conversation_ids)}")
    elif settings.redact_emails:
        print(
            "shopassist: no conversation holds that address; emails are redacted before they are stored "
            "(SHOPASSIST_REDACT_EMAILS), so only those stored with redaction off could",
            file=sys.stderr,
        )


@privacy_app.command("sweep")
def privacy_sweep(db: DbOption = None, data_dir: DataDirOption = None) -> None:
    """Forget every conversation idle for longer than SHOPASSIST_RETENTION_DAYS (the server does it too)."""
    from assistant.bootstrap import open_database
    from assistant.privacy.erasure import RetentionSweep

    settings = settings_for(db, data_dir)
    if not settings.retention_days:
        print("retention_days is 0: conversations are kept, nothing to sweep")
        return
    print(
        RetentionSweep(open_database(settings, demo_catalog=False), settings.retention_days).run().summary()
    )
