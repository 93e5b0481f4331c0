"""The assistant: one shopper turn as five named steps — understand → decide → act → respond → record.

Each turn runs in one database transaction, so its messages, cart changes, order and journey events are all
stored together or not at all.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from sqlalchemy import select

from assistant.act import Act
from assistant.cart import cart_lines
from assistant.decide import Decide
from assistant.record import Record, context_of
from assistant.respond import Respond
from assistant.settings import Settings
from assistant.state import DialogueState, TurnResult
from assistant.takeover import shopper_turn
from assistant.understand import Understand
from db.models import Conversation
from db.session import Database
from journey.abandonment import resume, welcome_back
from retrieval.catalog import Catalog


class InvalidMessage(ValueError):
    """The shopper's message cannot be processed (empty or too long); nothing was stored."""


class UnknownConversation(LookupError):
    """No conversation has this id."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Assistant:
    """Handles shopper turns for any number of conversations; build it once per process (see bootstrap)."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        catalog: Catalog,
        understand: Understand,
        decide: Decide,
        act: Act,
        respond: Respond,
        record: Record,
    ) -> None:
        self.settings = settings
        self.db = db
        self.catalog = catalog
        self.understand = understand
        self.decide = decide
        self.act = act
        self.respond = respond
        self.record = record

    def start_conversation(self, conversation_id: str | None = None) -> tuple[str, str]:
        """A new conversation's id and its bearer token (only the token's hash is stored)."""
        token = secrets.token_urlsafe(24)
        conversation_id = conversation_id or f"c_{secrets.token_hex(8)}"
        with self.db.transaction() as session:
            if session.get(Conversation, conversation_id) is not None:
                raise InvalidMessage(f"conversation {conversation_id} already exists")
            session.add(Conversation(id=conversation_id, token_hash=hash_token(token)))
        return conversation_id, token

    def token_matches(self, conversation_id: str, token: str) -> bool:
        with self.db.transaction() as session:
            stored = session.scalar(select(Conversation.token_hash).where(Conversation.id == conversation_id))
        return stored is not None and secrets.compare_digest(stored, hash_token(token))

    def validate(self, text: str) -> str:
        text = text.strip() if isinstance(text, str) else ""
        if not text:
            raise InvalidMessage("the message is empty")
        if len(text) > self.settings.max_message_chars:
            raise InvalidMessage(f"the message is longer than {self.settings.max_message_chars} characters")
        return text

    def handle(self, conversation_id: str, text: str) -> TurnResult:
        """One shopper turn, end to end."""
        started = time.perf_counter()
        text = self.validate(text)
        with self.db.transaction() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                raise UnknownConversation(f"no conversation {conversation_id}")
            state = DialogueState.model_validate(conversation.state or {})
            cart = cart_lines(conversation)
            resumed_at = resume(session, conversation, self.record.stages)
            if conversation.agent_id is not None:  # an agent has taken over: they answer, not the assistant
                return shopper_turn(session, conversation, text, started)
            context = context_of(conversation, state, self.catalog, bool(cart))

            understanding = self.understand.run(text, context)
            decision = self.decide.run(understanding, state, context.stage, cart)
            outcome = self.act.run(decision, conversation, state, session)
            if resumed_at is not None:
                outcome.facts["welcome_back"] = welcome_back(resumed_at, cart)
            reply = self.respond.run(text, conversation.stage, decision, outcome, state, session)
            return self.record.run(session, conversation, understanding, outcome, reply, state, started)

    def conversation_exists(self, conversation_id: str) -> bool:
        with self.db.transaction() as session:
            return session.get(Conversation, conversation_id) is not None
