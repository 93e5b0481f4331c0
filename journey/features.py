"""What the propensity model sees of a journey at a point in time, rebuilt from the journey log.

A conversation's log is replayed moment by moment: each shopper turn (its message and the events it caused) and
each abandonment (the sweep's stage change, which comes later than the turn it names). After every moment the
journey's state gives one snapshot of features. Only what had happened by then goes in, so a snapshot taken
before the order cannot see it: training uses the snapshots before a journey's purchase turn, and a live
conversation is scored on its latest one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.taxonomy import FUNNEL, Stage

SUPPORT_INTENTS = {"order_status", "cancel_order", "return_refund"}
POLICY_INTENTS = {"shipping_info", "payment_info"}
LEAVING_INTENTS = {"goodbye", "thanks"}
# Stages a journey can be in before its order (purchased itself is the label, never a feature).
OPEN_STAGES = ("entry", "browsing", "consideration", "cart", "checkout", "post_purchase", "abandoned")
# Event kinds counted per journey, and the feature each count is.
COUNTED_EVENTS = {
    "search": "searches",
    "details_viewed": "products_viewed",
    "comparison": "comparisons",
    "cart_add": "cart_adds",
    "cart_remove": "cart_removes",
    "checkout_step": "checkout_steps",
    "clarification": "clarifications",
    "offer_declined": "offers_declined",
    "handoff": "handoffs",
    "nudge_shown": "nudges_shown",
    "resumed": "returns",
}
FEATURES = (
    *(f"stage_{stage}" for stage in OPEN_STAGES),
    "furthest_stage",
    "journey",
    "turns",
    "minutes",
    "zero_result_searches",
    "refinements",
    *COUNTED_EVENTS.values(),
    "nudges_accepted",
    "cart_lines",
    "cart_value",
    "checkout_details_given",
    "support_intents",
    "policy_questions",
    "complaints",
    "leaving",
    "abandonments",
)


@dataclass
class LogEvent:
    """One journey-log row, as the replay needs it."""

    journey: int
    turn: int
    kind: str
    from_stage: str | None
    to_stage: str | None
    data: dict[str, Any]
    at: datetime

    @property
    def abandons(self) -> bool:
        return self.kind == "stage_change" and self.to_stage == Stage.ABANDONED.value


@dataclass
class Moment:
    """A turn (with the shopper's intent) or an abandonment, and the events that came with it."""

    at: datetime
    intent: str | None
    events: list[LogEvent]


def moments(events: list[LogEvent], intents: dict[int, tuple[str | None, datetime]]) -> list[Moment]:
    """A conversation's log in time order; `intents` maps each turn to its shopper intent and time."""
    by_turn: dict[int, list[LogEvent]] = {turn: [] for turn in intents}
    found: list[Moment] = []
    for event in events:
        if event.abandons:
            found.append(Moment(event.at, None, [event]))
        else:
            by_turn.setdefault(event.turn, []).append(event)
    for turn, turn_events in by_turn.items():
        intent, at = intents.get(turn, (None, min((e.at for e in turn_events), default=None)))
        if at is not None:
            found.append(Moment(at, intent, turn_events))
    return sorted(found, key=lambda moment: moment.at)


@dataclass
class JourneyState:
    """Everything counted in one journey so far; the cart belongs to the conversation and carries over."""

    journey: int
    started: datetime
    cart: dict[str, int]
    stage: str = Stage.ENTRY.value
    furthest: int = 0
    turns: int = 0
    at: datetime | None = None
    counts: dict[str, float] = field(default_factory=dict)
    checkout_given: int = 0
    ordered: bool = False

    def add(self, name: str, amount: float = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + amount

    def apply(self, moment: Moment) -> None:
        self.at = moment.at
        if moment.intent is not None:
            self.turns += 1
            self._count_intent(moment.intent)
        for event in moment.events:
            self._apply_event(event)

    def _count_intent(self, intent: str) -> None:
        for name, intents in (
            ("refinements", {"refine_search"}),
            ("support_intents", SUPPORT_INTENTS),
            ("policy_questions", POLICY_INTENTS),
            ("complaints", {"complaint"}),
            ("leaving", LEAVING_INTENTS),
        ):
            if intent in intents:
                self.add(name)

    def _apply_event(self, event: LogEvent) -> None:
        if event.kind in COUNTED_EVENTS:
            self.add(COUNTED_EVENTS[event.kind])
        if event.kind == "stage_change" and event.to_stage:
            self.stage = event.to_stage
            if event.to_stage in {stage.value for stage in FUNNEL}:
                self.furthest = max(self.furthest, FUNNEL.index(Stage(event.to_stage)))
            if event.abandons:
                self.add("abandonments")
        elif event.kind == "search" and event.data.get("results") == 0:
            self.add("zero_result_searches")
        elif event.kind == "cart_add":
            product = str(event.data.get("product_id"))
            self.cart[product] = self.cart.get(product, 0) + int(event.data.get("quantity") or 1)
        elif event.kind == "cart_remove":
            self.cart.pop(str(event.data.get("product_id")), None)
        elif event.kind == "checkout_step":
            self.checkout_given = 2 - len(event.data.get("missing") or ())
        elif event.kind == "nudge_outcome" and event.data.get("outcome") == "accepted":
            self.add("nudges_accepted")
        elif event.kind == "order_placed":
            self.ordered = True
            self.cart.clear()

    def features(self, prices: dict[str, float]) -> list[float]:
        """The snapshot, in `FEATURES` order."""
        values: dict[str, float] = {f"stage_{stage}": float(self.stage == stage) for stage in OPEN_STAGES}
        values.update(self.counts)
        values.update(
            furthest_stage=self.furthest,
            journey=self.journey,
            turns=self.turns,
            minutes=((self.at or self.started) - self.started).total_seconds() / 60,
            cart_lines=len(self.cart),
            cart_value=sum(prices.get(pid, 0.0) * quantity for pid, quantity in self.cart.items()),
            checkout_details_given=self.checkout_given,
        )
        return [float(values.get(name, 0.0)) for name in FEATURES]


@dataclass
class Snapshot:
    journey: int
    at: datetime
    features: list[float]


def replay(
    started: datetime, log: list[Moment], prices: dict[str, float]
) -> Iterator[tuple[JourneyState, Snapshot | None]]:
    """Each moment's journey state, with its snapshot (None once the journey's order is placed)."""
    cart: dict[str, int] = {}
    state = JourneyState(1, started, cart)
    for moment in log:
        new = max((e.journey for e in moment.events if e.kind == "stage_change"), default=state.journey)
        if new > state.journey:
            state = JourneyState(new, moment.at, cart)
        was_ordered = state.ordered
        state.apply(moment)
        open_journey = not (state.ordered or was_ordered)
        yield state, Snapshot(state.journey, moment.at, state.features(prices)) if open_journey else None
