"""Abandonment and return: the sweep that marks idle carts abandoned, and the resume when the shopper comes back.

A conversation idle longer than `Settings.abandon_after_minutes` while in cart or checkout becomes `abandoned`
(`docs/journey.md`). The server runs the sweep every `sweep_interval_seconds`; `shopassist journey
sweep` runs it once. The shopper's next message resumes the conversation at the stage they left, and the reply
welcomes them back with their cart.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.state import CartLine
from core.taxonomy import Stage
from db.models import Conversation, JourneyEvent, Message, Order, utcnow
from db.session import Database
from journey.events import event_row, record_event
from journey.stages import ABANDONABLE, Position, StageMachine


class AbandonmentSweep:
    """Marks conversations idle past the timeout in cart or checkout as abandoned, one stage-change event each."""

    def __init__(
        self, db: Database, abandon_after_minutes: float, stages: StageMachine | None = None
    ) -> None:
        if abandon_after_minutes <= 0:
            raise ValueError("abandon_after_minutes must be positive")
        self.db = db
        self.timeout = timedelta(minutes=abandon_after_minutes)
        self.stages = stages or StageMachine()

    def run(self, now: datetime | None = None, conversation_ids: Iterable[str] | None = None) -> int:
        """How many conversations were marked; `conversation_ids` limits the sweep (dialogue tests use it)."""
        cutoff = (now or utcnow()) - self.timeout
        query = select(Conversation).where(
            Conversation.stage.in_([stage.value for stage in ABANDONABLE]), Conversation.updated_at < cutoff
        )
        if conversation_ids is not None:
            query = query.where(Conversation.id.in_(list(conversation_ids)))
        marked = 0
        with self.db.transaction() as session:
            for conversation in session.scalars(query).all():
                marked += self._abandon(session, conversation)
        return marked

    def _abandon(self, session: Session, conversation: Conversation) -> bool:
        before = Position(Stage(conversation.stage), conversation.journey)
        after = self.stages.abandon(before)
        if after is None:
            return False
        # Conditional on the row being as read: a turn that lands meanwhile wins, and the cart is not abandoned.
        changed = session.execute(
            update(Conversation)
            .where(
                Conversation.id == conversation.id,
                Conversation.stage == before.stage.value,
                Conversation.updated_at == conversation.updated_at,
            )
            .values(stage=after.stage.value)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:
            return False
        # The moment the timeout passed, not the moment the sweep ran: times in stage do not depend on how
        # often the sweep runs.
        record_event(
            session,
            event_row(
                conversation,
                conversation.turns,
                "stage_change",
                {"idle_minutes": self.timeout.total_seconds() / 60},
                before.stage,
                after.stage,
                at=conversation.updated_at + self.timeout,
            ),
        )
        return True


def resume(session: Session, conversation: Conversation, stages: StageMachine) -> Stage | None:
    """Puts an abandoned conversation back at the stage it left, before its next turn is understood.

    Records the `resumed` event and the stage change, both caused by the coming turn; returns the stage resumed
    at, or None when the conversation was not abandoned.
    """
    if conversation.stage != Stage.ABANDONED.value:
        return None
    left = session.scalar(
        select(JourneyEvent.from_stage)
        .where(
            JourneyEvent.conversation_id == conversation.id,
            JourneyEvent.kind == "stage_change",
            JourneyEvent.to_stage == Stage.ABANDONED.value,
        )
        .order_by(JourneyEvent.id.desc())
        .limit(1)
    )
    before = Position(Stage.ABANDONED, conversation.journey)
    after = stages.resume(before, Stage(left or Stage.CART))
    turn = conversation.turns + 1
    away = round((utcnow() - conversation.updated_at).total_seconds() / 60, 1)
    conversation.stage = after.stage.value
    record_event(
        session, event_row(conversation, turn, "resumed", {"stage": after.stage.value, "idle_minutes": away})
    )
    record_event(session, event_row(conversation, turn, "stage_change", {}, before.stage, after.stage))
    return after.stage


def welcome_back(stage: Stage, cart: list[CartLine]) -> dict[str, Any]:
    """The facts a welcome-back reply restates: where the shopper was and the cart they left."""
    return {
        "stage": stage.value,
        "items": [vars(line) for line in cart],
        "total": round(sum(line.quantity * line.unit_price for line in cart), 2),
    }


def let_time_pass(db: Database, conversation_id: str, minutes: float) -> None:
    """Moves everything the conversation recorded `minutes` into the past, as if the shopper had been away.

    For dialogue tests and simulations: the sweep then finds the conversation exactly as it would after a
    real wait, and the log's times stay in order.
    """
    delta = timedelta(minutes=minutes)
    with db.transaction() as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            raise LookupError(f"no conversation {conversation_id}")
        conversation.created_at -= delta
        conversation.updated_at -= delta
        for model in (Message, JourneyEvent, Order):
            for row in session.scalars(select(model).where(model.conversation_id == conversation_id)):
                row.created_at -= delta
