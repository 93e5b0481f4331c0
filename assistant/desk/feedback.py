"""Shoppers' thumbs up or down on the assistant's replies, kept on the reply's message for the merchant.

The chat calls `rate_reply` when a shopper clicks a thumb; clicking it again takes the rating back. Only an
assistant reply of the shopper's own conversation can be rated, so a forged message id changes nothing.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import FeedbackError
from db.models import Message

Rating = Literal["up", "down"]
RATINGS = ("up", "down")


def rate_reply(session: Session, conversation_id: str, message_id: int, rating: Rating | None) -> None:
    """Stores the shopper's rating of one assistant reply; None removes it."""
    if rating is not None and rating not in RATINGS:
        raise FeedbackError(f"a rating is one of {', '.join(RATINGS)}")
    message = session.get(Message, message_id)
    if message is None or message.conversation_id != conversation_id or message.role != "assistant":
        raise FeedbackError(f"message {message_id} is not a reply in conversation {conversation_id}")
    message.feedback = rating


def reply_of_turn(session: Session, conversation_id: str, turn: int) -> int | None:
    """The id of the assistant's reply to the shopper's turn, or None (a taken-over turn has none)."""
    return session.scalar(
        select(Message.id).where(
            Message.conversation_id == conversation_id, Message.turn == turn, Message.role == "assistant"
        )
    )


def ratings(session: Session, conversation_id: str) -> dict[int, str]:
    """The rated replies of a conversation: message id → "up" or "down"."""
    rows = session.execute(
        select(Message.id, Message.feedback).where(
            Message.conversation_id == conversation_id, Message.feedback.is_not(None)
        )
    )
    return dict(rows.all())
