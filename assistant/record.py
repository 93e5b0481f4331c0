"""Step 5 of a turn — record: the messages, the journey events and the stage, then the turn result.

Everything stored here passes through the redactor first (assistant/privacy/redaction.py), so an email address, phone
number or card number the shopper typed never reaches the database; the turn result, which goes back to the
shopper who typed it, is left as it is.

A message sent with an idempotency key (the API's Idempotency-Key header) is recorded once: its shopper
message keeps the key and a redacted copy of the turn result, in the turn's own transaction, and a retry with
the same key is answered from that copy instead of running the turn again (`Record.replay`).
"""

from __future__ import annotations

import hashlib
import secrets
import time

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from assistant.privacy.redaction import Redactor
from assistant.turn import Turn
from core.errors import RepeatedKey
from core.state import Context, DialogueState, Outcome, Reply, TurnResult, Understanding
from core.taxonomy import Stage
from db.models import Conversation, JourneyEvent, Message, Order, utcnow
from journey.events import event_row
from journey.stages import Position, StageMachine, TurnSignals
from retrieval.catalog import Catalog

ENGAGING_EVENTS = {"details_viewed", "comparison"}


class Record:
    """Persists one turn inside the turn's transaction and builds its result."""

    def __init__(self, stages: StageMachine, redactor: Redactor) -> None:
        self.stages = stages
        # What of the shopper's words is personal data that storage must not keep (settings.redact_*).
        self.redactor = redactor

    def run(self, turn: Turn, understanding: Understanding, outcome: Outcome, reply: Reply) -> TurnResult:
        session, conversation, state, started = turn.session, turn.conversation, turn.state, turn.started
        conversation.turns += 1
        turn = conversation.turns
        signals = TurnSignals(
            intent=understanding.intent,
            cart_lines=len(outcome.cart),
            checkout_started=outcome.checkout_started,
            order_placed=outcome.order is not None,
            engaged_product=any(kind in ENGAGING_EVENTS for kind, _ in outcome.events),
            unread=("clarification", {"reason": "low_confidence"}) in outcome.events,
            policy_question="policy" in outcome.facts,
        )
        before = Position(Stage(conversation.stage), conversation.journey)
        after = self.stages.advance(before, signals)
        # The turn that starts a new journey (a search after a purchase) belongs to the new journey, events included.
        conversation.journey = after.journey
        events = [
            event_row(conversation, turn, kind, self.redactor.redact_value(data))
            for kind, data in (*outcome.events, *reply.events)
        ]
        if after != before:
            conversation.stage = after.stage.value
            events.append(event_row(conversation, turn, "stage_change", {}, before.stage, after.stage))

        state.last_act = reply.act
        conversation.state = self.redactor.redact_value(state.model_dump(mode="json"))
        if outcome.order is not None:  # placed this turn, from details typed this turn: not yet redacted
            order = session.get(Order, int(outcome.order["id"]))
            order.shipping_address = self.redactor.redact(order.shipping_address)
            order.payment_method = self.redactor.redact(order.payment_method)
        conversation.updated_at = utcnow()
        latency_ms = round((time.perf_counter() - started) * 1000, 2)
        # The rows this turn appends (messages, events) go in as plain INSERTs: as ORM objects, the unit of work's
        # bookkeeping for them cost more CPU than the statements. What the turn changed through the ORM (earlier
        # events, cart, order, the conversation) is flushed first, so the log keeps the order things happened in.
        session.flush()
        if events:
            session.execute(insert(JourneyEvent.__table__), events)
        # One statement each: a column left out is NULL, where a JSON column given None would store JSON null.
        session.execute(
            insert(Message.__table__),
            {
                "conversation_id": conversation.id,
                "turn": turn,
                "role": "shopper",
                "text": self.redactor.redact(understanding.text),
                "intent": understanding.intent.value,
                "confidence": round(understanding.confidence, 4),
                "slots": self.redactor.redact_value(understanding.slots),
            },
        )
        session.execute(
            insert(Message.__table__),
            {
                "conversation_id": conversation.id,
                "turn": turn,
                "role": "assistant",
                "text": self.redactor.redact(reply.text),
                "product_ids": [product.id for product in reply.products],
                "latency_ms": latency_ms,
            },
        )
        return TurnResult(
            conversation_id=conversation.id,
            turn=turn,
            intent=understanding.intent.value,
            confidence=round(understanding.confidence, 4),
            slots=understanding.slots,
            stage=after.stage.value,
            journey=after.journey,
            reply=reply.text,
            products=[
                {
                    "id": p.id,
                    "title": p.title,
                    "price": p.price,
                    "currency": p.currency,
                    "rating": p.rating,
                    "stock": p.stock,
                    "category": p.category,
                    "brand": p.brand,
                    "color": p.color,
                    "position": i,
                }
                for i, p in enumerate(reply.products, start=1)
            ],
            cart={
                "items": [vars(line) for line in outcome.cart],
                "total": outcome.cart_total,
            },
            order=outcome.order,
            suggestions=reply.suggestions,
            handoff=outcome.handoff,
            latency_ms=latency_ms,
        )

    def replay(self, session: Session, conversation_id: str, key: str, text: str) -> TurnResult | None:
        """The result of the turn that a request with idempotency `key` recorded in this conversation (with
        personal data redacted, as stored), or None when the key is new; RepeatedKey when that request's
        message was another one."""
        message = session.scalar(
            select(Message).where(Message.conversation_id == conversation_id, Message.idempotency_key == key)
        )
        if message is None:
            return None
        # The message as sent is compared by its hash; a message stored before hashes were kept, redacted.
        if message.text_hash is not None:
            same = secrets.compare_digest(message.text_hash, text_hash(conversation_id, key, text))
        else:
            same = message.text == self.redactor.redact(text)
        if not same:
            raise RepeatedKey(
                "this Idempotency-Key was already used in this conversation for another message; "
                "send a new message with a new key"
            )
        return TurnResult.model_validate(message.turn_result)

    def remember(self, session: Session, key: str, text: str, result: TurnResult) -> None:
        """Marks the shopper message of the turn that produced `result` with the request's idempotency key and
        the result, so that a retry finds the turn (see `replay`). The unique index on (conversation, key)
        refuses a concurrent request with the same key when it commits (IntegrityError)."""
        message = session.scalars(
            select(Message)
            .where(
                Message.conversation_id == result.conversation_id,
                Message.turn == result.turn,
                Message.role == "shopper",
                # A concurrent request with the same key may have committed a message with this turn number
                # meanwhile; this turn's own message is the one without a key.
                Message.idempotency_key.is_(None),
            )
            .order_by(Message.id.desc())
        ).first()
        message.idempotency_key = key
        message.text_hash = text_hash(result.conversation_id, key, text)
        message.turn_result = self.redactor.redact_value(result.model_dump(mode="json"))


def text_hash(conversation_id: str, key: str, text: str) -> str:
    """The salted SHA-256 of a shopper message as sent, which a retry with the same idempotency key must match."""
    salted = "\x00".join((conversation_id, key, text))
    return hashlib.sha256(salted.encode("utf-8", "surrogatepass")).hexdigest()


def context_of(conversation: Conversation, state: DialogueState, catalog: Catalog, has_cart: bool) -> Context:
    return Context(
        stage=Stage(conversation.stage),
        last_act=state.last_act,
        has_results=bool(state.shown),
        last_query=state.last_query,
        need_asked=state.need is not None and state.last_act == "ask_need",
        has_cart=has_cart,
        shown=tuple(catalog.by_id[pid] for pid in state.shown if pid in catalog.by_id),
        focus=tuple(catalog.by_id[pid] for pid in state.focus if pid in catalog.by_id),
    )
