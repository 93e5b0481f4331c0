"""The assistant: one shopper turn as five named steps — understand → decide → act → respond → record.

Each turn runs in one database transaction, so its messages, cart changes, order and journey events are all
stored together or not at all. Every turn, and every turn that fails, is counted once in the metrics
(assistant/metrics.py); the record step stores the shopper's words with personal data redacted. A message sent
with an idempotency key is one turn however often it is sent: a repeat gets the first turn's result.
"""

from __future__ import annotations

import re
import secrets
import time
import unicodedata
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from assistant import metrics
from assistant.act import Act
from assistant.cart import cart_lines
from assistant.decide import Decide
from assistant.desk.takeover import shopper_turn
from assistant.llm.protocol import LLMBackend, TemplateBackend
from assistant.record import Record, context_of
from assistant.respond import Respond
from assistant.shopper_tokens import InvalidShopperToken, shopper_of
from assistant.tokens import TokenCheck, check_token, hash_token, new_token, token_expiry
from assistant.turn import Turn
from assistant.turn_queue import TurnQueue
from assistant.understand import Understand
from core.errors import InvalidMessage, RepeatedKey, UnknownConversation
from core.settings import Settings
from core.state import DialogueState, TurnResult
from db.models import Conversation, Shopper, utcnow
from db.session import Database
from journey.abandonment import resume, welcome_back
from retrieval.catalog import Catalog

# Turns a process computes at once unless the settings say: with template replies a turn only computes, and
# more than 2 at a time in one interpreter lengthened the tail at 32 shoppers; a turn that waits for an LLM's
# reply needs company for its generation to share a batch.
TEMPLATE_TURNS_AT_ONCE = 2
LLM_TURNS_AT_ONCE = 8

# Control characters other than tab and newline carry nothing a shopper means (and PostgreSQL refuses NUL).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Of the invisible format characters (Unicode category Cf: zero-width spaces, byte-order marks, bidirectional
# overrides…), only the joiners carry meaning: they shape words in Indic and Persian scripts and emoji sequences.
JOINERS = frozenset("\u200c\u200d")


def without_invisible(text: str) -> str:
    """`text` without control characters and without format characters other than the joiners."""
    text = CONTROL_CHARACTERS.sub("", text)
    if text.isascii():
        return text
    return "".join(c for c in text if c in JOINERS or unicodedata.category(c) != "Cf")


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
        # Shared by every door (API, chat, CLI): a turn waits here, in order, rather than slow down all the others.
        at_once = (
            TEMPLATE_TURNS_AT_ONCE if isinstance(respond.backend, TemplateBackend) else LLM_TURNS_AT_ONCE
        )
        self.turn_slots = TurnQueue(settings.concurrent_turns or at_once)

    def replying_with(self, backend: LLMBackend) -> Assistant:
        """This assistant with its replies phrased by another LLM backend (same database, models, guard and
        guidance): to compare or try a backend without loading everything again."""
        respond = Respond(
            self.respond.templates,
            backend,
            self.respond.guard,
            self.respond.product_qa,
            self.respond.guidance,
        )
        parts = {"understand": self.understand, "decide": self.decide, "act": self.act, "record": self.record}
        return Assistant(self.settings, self.db, self.catalog, respond=respond, **parts)

    def start_conversation(
        self, conversation_id: str | None = None, shopper_id: str | None = None
    ) -> tuple[str, str]:
        """A new conversation's id and its bearer token (only the token's hash is stored, with its expiry); with
        `shopper_id` (from a signed shopper token) it is that known shopper's conversation from its first turn."""
        token = new_token()
        conversation_id = conversation_id or f"c_{secrets.token_hex(8)}"
        with self.db.transaction() as session:
            if session.get(Conversation, conversation_id) is not None:
                raise InvalidMessage(f"conversation {conversation_id} already exists")
            session.add(
                Conversation(
                    id=conversation_id,
                    token_hash=hash_token(token),
                    token_expires_at=token_expiry(utcnow(), self.settings.token_ttl_hours),
                    state=DialogueState(shopper_id=shopper_id).model_dump() if shopper_id else {},
                )
            )
        return conversation_id, token

    def shopper_from_token(self, token: str) -> str:
        """The store's shopper a signed shopper token names (assistant/shopper_tokens.py), or
        InvalidShopperToken saying why not."""
        secret = self.settings.shopper_token_secret
        if secret is None:
            raise InvalidShopperToken(
                "this store accepts no shopper tokens (SHOPASSIST_SHOPPER_TOKEN_SECRET is unset)"
            )
        shopper_id = shopper_of(token, secret.get_secret_value(), datetime.now(UTC))
        with self.db.transaction() as session:
            if session.get(Shopper, shopper_id) is None:
                raise InvalidShopperToken("the shopper token names no shopper of this store")
        return shopper_id

    def check_token(self, conversation_id: str, token: str) -> TokenCheck:
        """Whether `token` opens the conversation now: valid, expired, or wrong (also for unknown ids)."""
        # A plain connection, not an ORM session: every API request checks its token, and a session's set-up
        # and commit cost more than the two-column read itself.
        with self.db.engine.connect() as connection:
            return check_token(connection, conversation_id, token, utcnow())

    def token_matches(self, conversation_id: str, token: str) -> bool:
        return self.check_token(conversation_id, token) is TokenCheck.VALID

    def validate(self, text: str) -> str:
        """The message as it is processed: control and invisible format characters removed, trimmed;
        InvalidMessage when nothing visible is left, when it is too long, or when it is not text (unpaired
        surrogates cannot be stored)."""
        text = without_invisible(text).strip() if isinstance(text, str) else ""
        if all(c.isspace() or c in JOINERS for c in text):
            raise InvalidMessage("the message is empty")
        if len(text) > self.settings.max_message_chars:
            raise InvalidMessage(f"the message is longer than {self.settings.max_message_chars} characters")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidMessage("the message is not valid text") from None
        return text

    def handle(self, conversation_id: str, text: str, idempotency_key: str | None = None) -> TurnResult:
        """One shopper turn, end to end. With an `idempotency_key`, a message already handled with that key in
        this conversation is not handled again: its turn's result comes back (RepeatedKey if the key came with
        another message)."""
        started = time.perf_counter()
        text = self.validate(text)
        try:
            with self.turn_slots:
                return self.turn(conversation_id, text, started, idempotency_key)
        except (UnknownConversation, RepeatedKey):
            raise
        except IntegrityError as error:
            # A concurrent request with the same key committed its turn first: this one rolled back, and the
            # stored turn answers.
            replayed = self.replay(conversation_id, text, idempotency_key) if idempotency_key else None
            if replayed is None:
                metrics.turn_failed(error)
                raise
            return replayed
        except Exception as error:  # a bug or an outage: counted, and the traceback stays in the caller's log
            metrics.turn_failed(error)
            raise

    def replay(self, conversation_id: str, text: str, idempotency_key: str) -> TurnResult | None:
        with self.db.transaction() as session:
            return self.record.replay(session, conversation_id, idempotency_key, text)

    def turn(
        self, conversation_id: str, text: str, started: float, idempotency_key: str | None
    ) -> TurnResult:
        with self.db.transaction() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                raise UnknownConversation(f"no conversation {conversation_id}")
            if idempotency_key is not None:
                replayed = self.record.replay(session, conversation_id, idempotency_key, text)
                if replayed is not None:
                    return replayed  # not a new turn: nothing stored, nothing counted
            state = DialogueState.model_validate(conversation.state or {})
            cart = cart_lines(conversation)
            resumed_at = resume(session, conversation, self.record.stages)
            stage_before = conversation.stage
            if conversation.agent_id is not None:  # an agent has taken over: they answer, not the assistant
                result = shopper_turn(session, conversation, self.record.redactor.redact(text), started)
                answered_by = "agent"
            else:
                turn = Turn(
                    text=text,
                    conversation=conversation,
                    session=session,
                    state=state,
                    context=context_of(conversation, state, self.catalog, bool(cart)),
                    cart=cart,
                    started=started,
                    welcome_back=welcome_back(resumed_at, cart) if resumed_at is not None else None,
                )
                understanding = self.understand.run(turn)
                decision = self.decide.run(turn, understanding)
                outcome = self.act.run(turn, decision)
                reply = self.respond.run(turn, decision, outcome)
                result = self.record.run(turn, understanding, outcome, reply)
                answered_by = "assistant"
            if idempotency_key is not None:
                self.record.remember(session, idempotency_key, text, result)
        # Counted once the turn has committed: a turn that fails to save is an error, not a turn.
        metrics.turn_recorded(result, stage_before, answered_by)
        return result

    def conversation_exists(self, conversation_id: str) -> bool:
        with self.db.transaction() as session:
            return session.get(Conversation, conversation_id) is not None
