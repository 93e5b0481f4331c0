"""The append-only journey log: one row per stage change and per thing the shopper did on the way.

What the data of the kinds that analytics reads must hold (journey/analytics.py):
- `search`: `query`, `slots`, `filters` (the slots that narrowed it), `results` (how many products matched and
  were shown; 0 is a search that found nothing), and when nothing matched but the reply relaxed a filter instead,
  `relaxed` (which: `color`, `max_price`, …, `all` or `budget`) and `shown` (how many it showed).
- `stage_change`: `from_stage` and `to_stage` on the row; an abandonment adds `idle_minutes`.
- `resumed`: `stage` (where the shopper picks up) and `idle_minutes` (how long they were away).
- `nudge_shown`: `kind` (e.g. `narrowing_question`, `cross_sell`, `cheaper_alternatives`).
- `nudge_outcome`: `kind` and `outcome` (`accepted`, `declined` or `ignored`), recorded up to two turns after
  the nudge, as its own row because the log is never updated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.taxonomy import Stage
from db.models import Conversation, JourneyEvent, utcnow

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
    # After-sales changes under the store's policy (assistant/after_sales.py): `order_id`, `status`, `payments`;
    # a refused one has `kind` and `rule`.
    "exchange_requested",
    "order_modified",
    "after_sales_refused",
    "shopper_identified",
    "order_access_refused",
    "offer_declined",
    "clarification",
    "handoff",
    "resumed",
    "nudge_shown",
    "nudge_outcome",
    # A generated reply replaced by its template draft: `backend` and `problems` (ungrounded statements) or
    # `error` (the backend failed).
    "ungrounded_reply",
    "llm_fallback",
)
NUDGE_OUTCOMES = ("accepted", "declined", "ignored")


def event_row(
    conversation: Conversation,
    turn: int,
    kind: str,
    data: dict[str, Any],
    from_stage: Stage | None = None,
    to_stage: Stage | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The journey_events row of one event of the conversation's current journey; `at` is when it happened
    (default: now). For `record_event`, or a bulk insert of a turn's events (assistant/record.py)."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown journey event kind {kind!r}")
    return {
        "conversation_id": conversation.id,
        "journey": conversation.journey,
        "turn": turn,
        "kind": kind,
        "from_stage": from_stage.value if from_stage else None,
        "to_stage": to_stage.value if to_stage else None,
        "data": data,
        "created_at": at or utcnow(),
    }


def record_event(session: Session, row: dict[str, Any]) -> None:
    """Appends one event (an `event_row`) to the session."""
    session.add(JourneyEvent(**row))
