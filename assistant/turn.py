"""One shopper turn as the five steps see it: the words, the conversation in its transaction, the dialogue state
the steps update, and what was known before the turn began.

Every step's `run` takes the turn first and then the outputs of the steps before it, in order:
`understand.run(turn)`, `decide.run(turn, understanding)`, `act.run(turn, decision)`,
`respond.run(turn, decision, outcome)`, `record.run(turn, understanding, outcome, reply)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from core.state import CartLine, Context, DialogueState
from core.taxonomy import Stage
from db.models import Conversation


@dataclass
class Turn:
    text: str  # the shopper's message, validated
    conversation: Conversation
    session: Session  # the turn's transaction: everything the steps store commits together or not at all
    state: DialogueState  # read at the start; the steps update it and record stores it
    context: Context  # what understanding may depend on besides the words
    cart: list[CartLine]  # the cart when the turn began
    started: float  # perf_counter() when the message arrived, for the turn's latency
    welcome_back: dict[str, Any] | None = None  # the cart a returning shopper left, when they return

    @property
    def stage(self) -> Stage:
        return self.context.stage
