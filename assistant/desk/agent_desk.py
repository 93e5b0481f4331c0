"""What an agent does from the console, each in its own transaction: log in, list and read conversations,
take over, write to the shopper, hand back, keep internal notes.

The console's handlers call these with the logged-in agent's username, so they stay one line each. The list
carries each live conversation's purchase propensity once `shopassist journey train` has saved a model. What
agents write is stored redacted by the deployment's redactor (the `redact_*` settings).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from assistant.cart import orders_of
from assistant.desk.agents import agent_named, authenticate
from assistant.desk.dialogue_view import dialogue_view
from assistant.desk.feedback import ratings
from assistant.desk.takeover import add_note, agent_says, hand_back, notes_of, take_over
from assistant.desk.transcripts import conversation_view, list_conversations
from assistant.privacy.redaction import REDACT_ALL, Redactor
from core.errors import ModelMismatch, TakeoverError
from db.models import Agent, Conversation
from db.session import Database
from journey.propensity import INFO_FILE, PropensityModel
from journey.timeline import journey_timeline
from retrieval.catalog import Catalog

# Scoring replays every live journey, so an open console rescores at most this often, not on every refresh.
PROPENSITY_TTL_SECONDS = 15.0


class AgentDesk:
    """The console's actions over one database; errors an agent can cause are `TakeoverError`s.

    `propensity_dir` is where `shopassist journey train` saves its model; without one the list shows none.
    `redactor` is the one the assistant stores shoppers' words with (`assistant.record.redactor`)."""

    def __init__(
        self,
        db: Database,
        catalog: Catalog,
        propensity_dir: Path | None = None,
        redactor: Redactor = REDACT_ALL,
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.propensity_dir = propensity_dir
        self.redactor = redactor
        self._model: tuple[float, PropensityModel] | None = None  # (info file mtime, model)
        self._scores: tuple[float, dict[str, float]] = (0.0, {})  # (when scored, scores)

    def login(self, username: str, password: str) -> bool:
        with self.db.transaction() as session:
            return authenticate(session, username, password) is not None

    def conversations(self) -> list[dict[str, Any]]:
        """The console's list: waiting for a person first, then the newest; `propensity` is None where there
        is no model or the journey is not live (bought already)."""
        with self.db.transaction() as session:
            rows = list_conversations(session)
        scores = self.propensities()
        for row in rows:
            row["propensity"] = scores.get(row["conversation_id"])
        return rows

    def propensities(self) -> dict[str, float]:
        """The live conversations' probabilities of purchase, rescored at most every PROPENSITY_TTL_SECONDS."""
        model = self._propensity_model()
        if model is None:
            return {}
        scored_at, scores = self._scores
        if time.monotonic() - scored_at > PROPENSITY_TTL_SECONDS:
            scores = model.score_live(self.db)
            self._scores = (time.monotonic(), scores)
        return scores

    def _propensity_model(self) -> PropensityModel | None:
        """The saved model, reloaded when `journey train` saves a new one; None when there is none."""
        info = self.propensity_dir / INFO_FILE if self.propensity_dir else None
        if info is None or not info.is_file():
            return None
        saved_at = info.stat().st_mtime
        if self._model is None or self._model[0] != saved_at:
            try:
                self._model = (saved_at, PropensityModel.load(self.propensity_dir))
            except ModelMismatch:  # trained by another version: the list goes without until it is retrained
                return None
            self._scores = (0.0, {})
        return self._model[1]

    def conversation(self, conversation_id: str) -> dict[str, Any] | None:
        """The transcript document with the internal notes, the journey timeline, the shopper's ratings of
        replies, the products last shown, the known shopper and their orders added, or None for an unknown id."""
        with self.db.transaction() as session:
            view = conversation_view(session, conversation_id)
            if view is not None:
                view["notes"] = notes_of(session, conversation_id)
                view["timeline"] = journey_timeline(session, conversation_id)
                view["ratings"] = ratings(session, conversation_id)
                dialogue = dialogue_view(session, conversation_id, self.catalog)
                view["shown"], view["focus"] = dialogue.results, dialogue.focus
                conversation = session.get(Conversation, conversation_id)
                view["shopper_id"] = (conversation.state or {}).get("shopper_id")
                view["orders"] = orders_of(session, conversation)
        return view

    def take_over(self, conversation_id: str, username: str) -> None:
        with self.db.transaction() as session:
            take_over(session, conversation_id, self._agent(session, username))

    def hand_back(self, conversation_id: str, username: str) -> None:
        with self.db.transaction() as session:
            hand_back(session, conversation_id, self._agent(session, username))

    def send(self, conversation_id: str, username: str, text: str) -> None:
        with self.db.transaction() as session:
            agent_says(session, conversation_id, self._agent(session, username), text, self.redactor)

    def note(self, conversation_id: str, username: str, text: str) -> None:
        with self.db.transaction() as session:
            add_note(session, conversation_id, self._agent(session, username), text, self.redactor)

    @staticmethod
    def _agent(session, username: str) -> Agent:
        agent = agent_named(session, username)
        if agent is None:  # deleted since logging in
            raise TakeoverError(f"no agent {username}; log in again")
        return agent
