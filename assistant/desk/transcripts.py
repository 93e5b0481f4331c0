"""Read models of conversations for the API and the agent console: transcripts, stages, carts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from assistant.cart import cart_lines
from db.models import Agent, Cart, CartItem, Conversation, Message

# The roles whose messages a shopper receives: everything except their own.
TO_SHOPPER = ("assistant", "agent", "system")


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
        "taken_over": conversation.agent_id is not None,
        "cart": {
            "items": [vars(line) for line in lines],
            "total": round(sum(line.quantity * line.unit_price for line in lines), 2),
        },
        "messages": [message_document(message) for message in conversation.messages],
    }


def message_document(message: Message) -> dict[str, Any]:
    """One message as the API and the events stream show it; `id` orders messages and resumes a stream."""
    return {
        "id": message.id,
        "turn": message.turn,
        "role": message.role,
        "text": message.text,
        "intent": message.intent,
        "created_at": message.created_at.isoformat() + "Z",
    }


def messages_after(
    session: Session, conversation_id: str, after_id: int, roles: tuple[str, ...] = TO_SHOPPER
) -> list[dict[str, Any]]:
    """The conversation's messages with an id above `after_id` and one of `roles`, oldest first."""
    messages = session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.id > after_id, Message.role.in_(roles))
        .order_by(Message.id)
    )
    return [message_document(message) for message in messages]


def list_conversations(session: Session, limit: int = 200) -> list[dict[str, Any]]:
    """Conversations waiting for a person first (asked for one, not yet taken over), then the newest first,
    each with its stage, cart value, last message and the agent who has taken it over."""
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
    waiting = and_(Conversation.handoff, Conversation.agent_id.is_(None))
    rows = session.execute(
        select(Conversation, cart_value.c.value, Message.text, Agent.username)
        .join(cart_value, cart_value.c.conversation_id == Conversation.id, isouter=True)
        .join(last_message, last_message.c.conversation_id == Conversation.id, isouter=True)
        .join(Message, Message.id == last_message.c.last_id, isouter=True)
        .join(Agent, Agent.id == Conversation.agent_id, isouter=True)
        .order_by(case((waiting, 0), else_=1), Conversation.updated_at.desc())
        .limit(limit)
    ).all()
    return [
        {
            "conversation_id": conversation.id,
            "stage": conversation.stage,
            "journey": conversation.journey,
            "turns": conversation.turns,
            "handoff": conversation.handoff,
            "waiting": conversation.handoff and conversation.agent_id is None,
            "agent": agent or "",
            "cart_value": round(float(value or 0), 2),
            "last_message": text or "",
            "updated_at": conversation.updated_at.isoformat(timespec="seconds") + "Z",
        }
        for conversation, value, text, agent in rows
    ]
