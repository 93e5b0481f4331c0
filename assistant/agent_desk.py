"""What an agent does from the console, each in its own transaction: log in, list and read conversations,
take over, write to the shopper, hand back, keep internal notes.

The console's handlers call these with the logged-in agent's username, so they stay one line each.
"""

from __future__ import annotations

from typing import Any

from assistant.agents import agent_named, authenticate
from assistant.takeover import TakeoverError, add_note, agent_says, hand_back, notes_of, take_over
from assistant.transcripts import conversation_view, list_conversations
from db.models import Agent
from db.session import Database


class AgentDesk:
    """The console's actions over one database; errors an agent can cause are `TakeoverError`s."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def login(self, username: str, password: str) -> bool:
        with self.db.transaction() as session:
            return authenticate(session, username, password) is not None

    def conversations(self) -> list[dict[str, Any]]:
        with self.db.transaction() as session:
            return list_conversations(session)

    def conversation(self, conversation_id: str) -> dict[str, Any] | None:
        """The transcript document with the internal notes added, or None for an unknown id."""
        with self.db.transaction() as session:
            view = conversation_view(session, conversation_id)
            if view is not None:
                view["notes"] = notes_of(session, conversation_id)
        return view

    def take_over(self, conversation_id: str, username: str) -> None:
        with self.db.transaction() as session:
            take_over(session, conversation_id, self._agent(session, username))

    def hand_back(self, conversation_id: str, username: str) -> None:
        with self.db.transaction() as session:
            hand_back(session, conversation_id, self._agent(session, username))

    def send(self, conversation_id: str, username: str, text: str) -> None:
        with self.db.transaction() as session:
            agent_says(session, conversation_id, self._agent(session, username), text)

    def note(self, conversation_id: str, username: str, text: str) -> None:
        with self.db.transaction() as session:
            add_note(session, conversation_id, self._agent(session, username), text)

    @staticmethod
    def _agent(session, username: str) -> Agent:
        agent = agent_named(session, username)
        if agent is None:  # deleted since logging in
            raise TakeoverError(f"no agent {username}; log in again")
        return agent
