"""The append-only journey log: one row per stage change and per thing the shopper did on the way."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from assistant.taxonomy import Stage
from db.models import Conversation, JourneyEvent

EVENT_KINDS = (
    "stage_change",
    "search",
    "details_viewed",
    "comparison",
    "cart_add",
    "cart_remove",
    "checkout_step",
    "order_placed",
    "order_cancelled",
    "return_requested",
    "offer_declined",
    "clarification",
    "handoff",
)


def record_event(
    session: Session,
    conversation: Conversation,
    turn: int,
    kind: str,
    data: dict[str, Any],
    from_stage: Stage | None = None,
    to_stage: Stage | None = None,
) -> None:
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown journey event kind {kind!r}")
    session.add(
        JourneyEvent(
            conversation_id=conversation.id,
            journey=conversation.journey,
            turn=turn,
            kind=kind,
            from_stage=from_stage.value if from_stage else None,
            to_stage=to_stage.value if to_stage else None,
            data=data,
        )
    )
