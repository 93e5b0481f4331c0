"""Agent accounts: `shopassist agent create`."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.app import DataDirOption, DbOption, UserError, agent_app, settings_for


@agent_app.command("create")
def agent_create(
    username: Annotated[str, typer.Argument(help="The name the agent logs in with.")],
    password: Annotated[
        str | None, typer.Option("--password", help="The password (asked for, hidden, when left out).")
    ] = None,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Create an agent who can log into the console at /console (the password is stored hashed)."""
    from assistant.bootstrap import open_database
    from assistant.desk.agents import create_agent
    from core.errors import AgentError

    settings = settings_for(db, data_dir)
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with open_database(settings, demo_catalog=False).transaction() as session:
            create_agent(session, username, password)
    except AgentError as error:
        raise UserError(str(error)) from None
    print(f"created agent {username}; they can log in at /console")
