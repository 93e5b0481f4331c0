"""Forgetting a shopper: erase a conversation's personal data on request (`shopassist privacy forget`), and
every conversation idle for longer than the retention period (`shopassist privacy sweep`, and the server's
periodic sweep).

shopassist has no shopper accounts: a conversation, opened by its bearer token, is the only thing that ties
data to a shopper, so a conversation is what is forgotten. A shopper who asks by email address has every
conversation forgotten in which that address was written (`shopassist privacy forget --email`); while emails
are redacted before they are stored (`redact_emails`, the default) none holds one, and there is nothing to find.

Forgetting deletes what the shopper wrote or was told (messages, the team's notes, the cart, the dialogue state)
and erases the token, so nobody can open the conversation again. What the store must keep stays, without
personal data: orders (items, totals, status — bookkeeping) with their address and payment method removed, and
the journey events (stages, times, product ids — the funnel statistics) with any free text removed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from assistant.privacy.redaction import EMAIL
from core.errors import NotAnEmailAddress, UnknownConversation, UnknownShopper
from db.models import AgentNote, Cart, CartItem, Conversation, JourneyEvent, Message, Order, Shopper, utcnow
from db.session import Database

ERASED = "[forgotten]"
# The journey event fields that hold names and ids, not words a shopper or a model wrote. Forgotten events keep
# these and their numbers (results, totals, quantities); every other text, list or mapping (search queries and
# slots, generated replies, error messages) is dropped.
STRUCTURAL_KEYS = frozenset(
    {"kind", "outcome", "product_id", "product_ids", "order_id", "missing", "backend", "reason", "stage"}
)


@dataclass
class Forgotten:
    """What forgetting removed, summed over the conversations it forgot."""

    conversations: int = 0
    messages: int = 0
    notes: int = 0
    cart_items: int = 0
    events_scrubbed: int = 0
    orders_anonymised: int = 0

    def add(self, other: Forgotten) -> None:
        for field in fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))

    def summary(self) -> str:
        """One line, e.g. "forgot 1 conversation: deleted 6 messages, 0 notes and 2 cart items; scrubbed …"."""
        return (
            f"forgot {self.conversations} conversation{'' if self.conversations == 1 else 's'}: "
            f"deleted {self.messages} messages, {self.notes} notes and {self.cart_items} cart items; "
            f"removed the free text of {self.events_scrubbed} journey events and the address and payment "
            f"method of {self.orders_anonymised} orders; erased the access tokens and dialogue state"
        )


def scrub_event_data(data: dict[str, Any]) -> dict[str, Any]:
    """An event's data without free text: the STRUCTURAL_KEYS and plain numbers (and flags) only."""
    return {
        key: value
        for key, value in data.items()
        if key in STRUCTURAL_KEYS or value is None or isinstance(value, bool | int | float)
    }


def forget_conversation(session: Session, conversation_id: str, now: datetime | None = None) -> Forgotten:
    """Erases one conversation's personal data (see the module docstring); UnknownConversation if none."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise UnknownConversation(f"no conversation {conversation_id}")
    result = Forgotten(conversations=1)
    result.messages = session.execute(
        delete(Message).where(Message.conversation_id == conversation_id)
    ).rowcount
    result.notes = session.execute(
        delete(AgentNote).where(AgentNote.conversation_id == conversation_id)
    ).rowcount
    cart_ids = select(Cart.id).where(Cart.conversation_id == conversation_id).scalar_subquery()
    result.cart_items = session.execute(delete(CartItem).where(CartItem.cart_id.in_(cart_ids))).rowcount
    session.execute(delete(Cart).where(Cart.conversation_id == conversation_id))
    for event in session.scalars(select(JourneyEvent).where(JourneyEvent.conversation_id == conversation_id)):
        scrubbed = scrub_event_data(event.data or {})
        if scrubbed != (event.data or {}):
            event.data = scrubbed
            result.events_scrubbed += 1
    result.orders_anonymised = session.execute(
        update(Order)
        .where(Order.conversation_id == conversation_id)
        .values(shipping_address=ERASED, payment_method=ERASED)
    ).rowcount
    session.expire(conversation)  # the cart and messages relationships were emptied behind its back
    conversation.token_hash = ""  # no token hashes to "", so the conversation can never be opened again
    conversation.token_expires_at = None
    conversation.state = {}
    conversation.forgotten_at = now or utcnow()
    return result


# Where a shopper's email address can be stored: what the shopper or an agent wrote, the team's notes, and the
# shipping address of an order.
EMAIL_HOLDERS = (
    (Message.conversation_id, Message.text),
    (AgentNote.conversation_id, AgentNote.text),
    (Order.conversation_id, Order.shipping_address),
)


def conversations_with_email(session: Session, email: str) -> list[str]:
    """The ids of the conversations not yet forgotten that hold this email address, oldest first; the address
    must appear whole ("ana@example.com" is not found in "hana@example.com"), in any letter case."""
    wanted = email.strip().lower()
    if not EMAIL.fullmatch(wanted):
        raise NotAnEmailAddress(f"not an email address: {email}")
    found: set[str] = set()
    for conversation_id, text in EMAIL_HOLDERS:
        rows = session.execute(
            select(conversation_id, text).where(func.lower(text).contains(wanted, autoescape=True))
        )
        found |= {owner for owner, words in rows if wanted in map(str.lower, EMAIL.findall(words))}
    return list(
        session.scalars(
            select(Conversation.id)
            .where(Conversation.id.in_(found), Conversation.forgotten_at.is_(None))
            .order_by(Conversation.created_at, Conversation.id)
        )
    )


def forget_conversations(db: Database, conversation_ids: list[str], now: datetime | None = None) -> Forgotten:
    """Forgets each conversation in its own transaction, so a long run never holds one huge transaction."""
    total = Forgotten()
    for conversation_id in conversation_ids:
        with db.transaction() as session:
            total.add(forget_conversation(session, conversation_id, now))
    return total


def forget_email(db: Database, email: str) -> tuple[list[str], Forgotten]:
    """Forgets every conversation that holds this email address (see `conversations_with_email`); their ids,
    and what was removed."""
    with db.transaction() as session:
        conversation_ids = conversations_with_email(session, email)
    return conversation_ids, forget_conversations(db, conversation_ids)


def forget_shopper(db: Database, shopper_id: str, now: datetime | None = None) -> tuple[list[str], Forgotten]:
    """Forgets a store's shopper: every conversation that knew them (as `forget_conversation`), the address and
    payment methods on each of their orders (the items and amounts stay: the store's books need them, tied to
    nobody), and their account record. UnknownShopper if the store has no such shopper."""
    with db.transaction() as session:
        if session.get(Shopper, shopper_id) is None:
            raise UnknownShopper(f"no shopper {shopper_id!r}")
        conversation_ids = [
            conversation_id
            for conversation_id, state in session.execute(select(Conversation.id, Conversation.state))
            if (state or {}).get("shopper_id") == shopper_id
        ]
    forgotten = forget_conversations(db, conversation_ids, now)
    with db.transaction() as session:
        for order in session.scalars(select(Order).where(Order.shopper_id == shopper_id)):
            record = dict(order.record or {})
            record["address"] = {}
            record.pop("shopper_id", None)
            record["payments"] = [
                {**line, "payment_method_id": ERASED} for line in record.get("payments", [])
            ]
            # An order placed in one of those conversations was counted with it already.
            forgotten.orders_anonymised += order.shipping_address != ERASED
            order.record, order.shipping_address, order.payment_method = record, ERASED, ERASED
            order.shopper_id = None
        session.delete(session.get(Shopper, shopper_id))
    return conversation_ids, forgotten


class RetentionSweep:
    """Forgets every conversation without shopper activity for `retention_days` (0: keeps everything)."""

    def __init__(self, db: Database, retention_days: float) -> None:
        if retention_days < 0:
            raise ValueError("retention_days must be 0 (keep everything) or more")
        self.db = db
        self.retention_days = retention_days

    def run(self, now: datetime | None = None) -> Forgotten:
        if not self.retention_days:
            return Forgotten()
        now = now or utcnow()
        cutoff = now - timedelta(days=self.retention_days)
        with self.db.transaction() as session:
            expired = session.scalars(
                select(Conversation.id).where(
                    Conversation.updated_at < cutoff, Conversation.forgotten_at.is_(None)
                )
            ).all()
        return forget_conversations(self.db, list(expired), now)
