"""The shopper simulator behind `shopassist simulate`: personas (`harness/simulation/personas.py`) drive the real assistant
in-process, to fill a database with journeys for analytics, demos, the propensity model and load.

Time is simulated by back-dating, as dialogue tests do for `idle_minutes`: before each message the conversation's
records move into the past by the shopper's thinking time, and a shopper who stays away past the abandonment
timeout is found by the same sweep the server runs. Finally each conversation moves to its own start within the
last `days`, so the database reads as days of traffic with real times in each stage. A seed gives the same
shoppers, messages and outcomes on every run.
"""

from __future__ import annotations

import random
import secrets
import time
from dataclasses import dataclass, field

from sqlalchemy import select
from tqdm import tqdm

from assistant.pipeline import Assistant
from db.models import JourneyEvent
from harness.simulation.personas import PERSONAS, Shopper, persona_for
from harness.simulation.phrasebook import ShopperVocabulary
from journey.abandonment import AbandonmentSweep, let_time_pass

# A script that loops on misunderstandings stops here rather than filling the log with one conversation.
MAX_TURNS = 30
# Turns about products: one of these that shows nothing and changes no cart leaves the shopper at a dead end.
PRODUCT_INTENTS = frozenset(
    {"search_products", "refine_search", "recommend", "add_to_cart", "compare_products", "product_question"}
)


@dataclass
class ShopperRun:
    """One simulated shopper's conversation: what they said and where each turn left them."""

    persona: str
    conversation_id: str
    texts: list[str] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    orders: list[int] = field(default_factory=list)
    journeys: int = 1
    abandoned: bool = False
    # Per turn: the reply, how many products it showed, the cart's units after it.
    replies: list[str] = field(default_factory=list)
    shown: list[int] = field(default_factory=list)
    cart_units: list[int] = field(default_factory=list)

    def dead_ends(self) -> list[int]:
        """The turns (0-based) about products that showed none and changed nothing in the cart: a "which product
        do you mean?", a "couldn't find anything", a question about a need."""
        before = [0, *self.cart_units]
        return [
            turn
            for turn, intent in enumerate(self.intents)
            if intent in PRODUCT_INTENTS and not self.shown[turn] and self.cart_units[turn] == before[turn]
        ]


@dataclass
class SimulationSummary:
    runs: list[ShopperRun]
    seconds: float

    @property
    def turns(self) -> int:
        return sum(len(run.texts) for run in self.runs)

    def dead_end_share(self) -> tuple[int, int]:
        """(dead ends, turns about products) over every run."""
        ends = sum(len(run.dead_ends()) for run in self.runs)
        about = sum(intent in PRODUCT_INTENTS for run in self.runs for intent in run.intents)
        return ends, about

    def table(self) -> str:
        """Per persona: shoppers, journeys, orders placed and conversations abandoned."""
        rows = [f"{'persona':<20}{'shoppers':>9}{'journeys':>9}{'orders':>8}{'abandoned':>10}{'turns':>7}"]
        for persona in [*PERSONAS, None]:
            runs = [run for run in self.runs if persona in (None, run.persona)]
            if not runs:
                continue
            rows.append(
                f"{persona or 'all':<20}{len(runs):>9}{sum(r.journeys for r in runs):>9}"
                f"{sum(len(r.orders) for r in runs):>8}{sum(r.abandoned for r in runs):>10}"
                f"{sum(len(r.texts) for r in runs):>7}"
            )
        rate = self.turns / self.seconds if self.seconds else 0.0
        ends, about = self.dead_end_share()
        rows.append(
            f"{len(self.runs)} shoppers, {self.turns} turns in {self.seconds:.1f}s ({rate:.1f} turns/s); "
            f"{ends} of {about} turns about products showed nothing and changed no cart"
        )
        return "\n".join(rows)


class Simulator:
    """Runs simulated shoppers against an assistant and its database."""

    def __init__(self, assistant: Assistant, seed: int = 0, days: float = 14.0) -> None:
        if days <= 0:
            raise ValueError("days must be positive")
        self.assistant = assistant
        self.seed = seed
        self.days = days
        self.timeout = assistant.settings.abandon_after_minutes
        self.vocabulary = ShopperVocabulary(assistant.catalog)
        self.sweep = AbandonmentSweep(assistant.db, self.timeout, assistant.record.stages)

    def run(self, shoppers: int, progress: bool = False) -> SimulationSummary:
        """Simulates `shoppers` conversations, one after another, and marks those left idle in a cart."""
        if shoppers < 0:
            raise ValueError("shoppers must not be negative")
        started = time.perf_counter()
        runs = [self.run_shopper(i) for i in tqdm(range(shoppers), disable=not progress, unit="shopper")]
        abandoned: set[str] = set()
        # In batches: SQLite limits the parameters of one statement.
        for batch in range(0, len(runs), 500):
            ids = [run.conversation_id for run in runs[batch : batch + 500]]
            # What the server's sweep would have found meanwhile: carts left without a goodbye, now days old.
            self.sweep.run(conversation_ids=ids)
            abandoned |= self._abandoned(ids)
        for run in runs:
            run.abandoned = run.conversation_id in abandoned
        return SimulationSummary(runs, time.perf_counter() - started)

    def run_shopper(self, index: int) -> ShopperRun:
        """The `index`-th shopper of this seed: same persona, same messages, same outcomes on every run."""
        rng = random.Random(f"{self.seed}:{index}")
        shopper = Shopper(persona_for(index, rng), rng, self.vocabulary, self.timeout)
        conversation_id, _token = self.assistant.start_conversation(f"sim_{secrets.token_hex(8)}")
        run = ShopperRun(shopper.persona, conversation_id)
        step = shopper.next_step(None)
        while step is not None and len(run.texts) < MAX_TURNS:
            if run.texts:
                self._pass(conversation_id, step.wait_minutes)
            if step.text is None:
                break
            result = self.assistant.handle(conversation_id, step.text)
            run.texts.append(step.text)
            run.intents.append(result.intent)
            run.stages.append(result.stage)
            run.replies.append(result.reply)
            run.shown.append(len(result.products))
            run.cart_units.append(sum(item["quantity"] for item in result.cart.get("items", [])))
            run.journeys = max(run.journeys, result.journey)
            if result.order and result.order["id"] not in run.orders:
                run.orders.append(result.order["id"])
            step = shopper.next_step(result)
        let_time_pass(self.assistant.db, conversation_id, rng.uniform(0, self.days * 24 * 60))
        return run

    def _pass(self, conversation_id: str, minutes: float) -> None:
        """The shopper takes `minutes` before the next message; long enough, and the sweep finds the cart idle."""
        let_time_pass(self.assistant.db, conversation_id, minutes)
        if minutes > self.timeout:
            self.sweep.run(conversation_ids=[conversation_id])

    def _abandoned(self, conversation_ids: list[str]) -> set[str]:
        with self.assistant.db.transaction() as session:
            rows = session.scalars(
                select(JourneyEvent.conversation_id).where(
                    JourneyEvent.kind == "stage_change",
                    JourneyEvent.to_stage == "abandoned",
                    JourneyEvent.conversation_id.in_(conversation_ids),
                )
            )
            return set(rows)
