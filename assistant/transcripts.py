"""Read models of conversations for the API and the agent console: transcripts, stages, carts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.cart import cart_lines
from db.models import Cart, CartItem, Conversation, Message


def conversation_view(session: Session, conversation_id: str) -> dict[str, Any] | None:
    """The GET /api/v1/conversations/{id} document: stage, journey, cart and every message."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    lines = cart_lines(conversation)
    return {
        "conversation_id": conversation.id,
        "stage": conversation.stage,
        "journey": conversation.journey,
        "handoff": conversation.handoff,
        "cart": {
            "items": [vars(line) for line in lines],
            "total": round(sum(line.quantity * line.unit_price for line in lines), 2),
        },
        "messages": [
            {
                "role": message.role,
                "text": message.text,
                "intent": message.intent,
                "created_at": message.created_at.isoformat() + "Z",
            }
            for message in conversation.messages
        ],
    }


def list_conversations(session: Session, limit: int = 200) -> list[dict[str, Any]]:
    """The newest conversations first, each with its stage, cart value and last message."""
    cart_value = (
        select(
            Cart.conversation_id,
            func.coalesce(func.sum(CartItem.quantity * CartItem.unit_price), 0).label("value"),
        )
        .join(CartItem, CartItem.cart_id == Cart.id, isouter=True)
        .group_by(Cart.conversation_id)
        .subquery()
    )
    last_message = (
        select(Message.conversation_id, func.max(Message.id).label("last_id"))
        .group_by(Message.conversation_id)
        .subquery()
    )
    rows = session.execute(
        select(Conversation, cart_value.c.value, Message.text)
        .join(cart_value, cart_value.c.conversation_id == Conversation.id, isouter=True)
        .join(last_message, last_message.c.conversation_id == Conversation.id, isouter=True)
        .join(Message, Message.id == last_message.c.last_id, isouter=True)
        .order_by(Conversation.handoff.desc(), Conversation.updated_at.desc())
        .limit(limit)
    ).all()
    return [
        {
            "conversation_id": conversation.id,
            "stage": conversation.stage,
            "journey": conversation.journey,
            "turns": conversation.turns,
            "handoff": conversation.handoff,
            "cart_value": round(float(value or 0), 2),
            "last_message": text or "",
            "updated_at": conversation.updated_at.isoformat(timespec="seconds") + "Z",
        }
        for conversation, value, text in rows
    ]
