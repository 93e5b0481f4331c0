"""Serving and chatting: `shopassist demo`, `serve` and `chat`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cli.app import DataDirOption, DbOption, HostOption, PortOption, app, settings_for


@app.command()
def demo(
    host: HostOption = None, port: PortOption = None, db: DbOption = None, data_dir: DataDirOption = None
) -> None:
    """Build what is missing (database, demo catalog, index, intent model) and serve everything on one port."""
    from assistant.bootstrap import open_database
    from assistant.desk.agents import DEMO_AGENT, agent_named, ensure_demo_agent
    from ui.server import serve as run_server

    settings = settings_for(db, data_dir, host=host, port=port)
    with open_database(settings).transaction() as session:
        ensure_demo_agent(session)
        has_demo_agent = agent_named(session, DEMO_AGENT[0]) is not None
    if has_demo_agent:
        username, password = DEMO_AGENT
        console = f"http://{settings.host}:{settings.port}/console"
        print(f"Agent console: {console} (log in as {username} / {password})", file=sys.stderr)
    run_server(settings)


@app.command()
def serve(
    host: HostOption = None, port: PortOption = None, db: DbOption = None, data_dir: DataDirOption = None
) -> None:
    """Serve the shopper chat, the widget, the agent console and the API on an existing database."""
    from ui.server import serve as run_server

    run_server(settings_for(db, data_dir, host=host, port=port))


@app.command()
def chat(
    as_json: Annotated[
        bool, typer.Option("--json", help="One message per stdin line, one turn result per stdout line.")
    ] = False,
    conversation: Annotated[
        str | None, typer.Option("--conversation", help="Continue or name a conversation.")
    ] = None,
    db: DbOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """A conversation in the terminal."""
    from assistant.bootstrap import build_assistant
    from core.errors import InvalidMessage, UnknownConversation

    assistant = build_assistant(settings_for(db, data_dir))
    conversation_id = conversation
    if conversation_id is None or not assistant.conversation_exists(conversation_id):
        conversation_id, _token = assistant.start_conversation(conversation_id)
    if not as_json:
        print(f"Conversation {conversation_id}. Type your message; Ctrl-D to leave.", file=sys.stderr)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            result = assistant.handle(conversation_id, line)
        except (InvalidMessage, UnknownConversation) as error:
            print(f"shopassist: {error}", file=sys.stderr)
            continue
        if as_json:
            print(result.model_dump_json(), flush=True)
        else:
            print(f"assistant [{result.stage}]: {result.reply}\n", flush=True)
