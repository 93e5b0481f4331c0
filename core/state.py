"""What the assistant remembers between turns of one conversation, and what one turn passes between its steps.

The dialogue state is stored as JSON on the conversation row; the step results are plain typed objects so each
step of the turn (understand → decide → act → respond → record) can be read and tested on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from core.product import ProductRecord, options_label
from core.taxonomy import Intent, Stage


class Offer(BaseModel):
    """Something the assistant proposed that a "yes" accepts: add a product, start checkout."""

    kind: str  # add_to_cart | choose_variant | checkout | cancel_order | after_sales
    product_ids: list[str] = Field(default_factory=list)
    # For cancel_order: the store's order and the shopper's reason, once given.
    order_id: str | None = None
    reason: str | None = None
    # For after_sales: the request so far (assistant/after_sales.py `Request`), planned again on the next turn.
    request: dict[str, Any] | None = None


class CheckoutDetails(BaseModel):
    address: str | None = None
    payment: str | None = None

    @property
    def missing(self) -> list[str]:
        return [
            name
            for name, value in (("shipping address", self.address), ("payment method", self.payment))
            if not value
        ]


class Nudge(BaseModel):
    """A next step the assistant suggested, waiting to learn whether the shopper takes it (journey/guidance.py)."""

    kind: str  # narrowing_question | better_rated | cross_sell | cheaper_alternatives | checkout_reminder
    product_ids: list[str] = Field(default_factory=list)
    slot_keys: list[str] = Field(default_factory=list)
    turns_left: int = 2  # journey.guidance.WINDOW at first; its outcome is due when none are left


class GuidanceMemory(BaseModel):
    """What guidance must remember: nudges awaiting an outcome, kinds the shopper declined, the journey's cross-sell."""

    pending: list[Nudge] = Field(default_factory=list)
    declined: list[str] = Field(default_factory=list)
    cross_sold: bool = False


class DialogueState(BaseModel):
    """The conversation's memory: what was shown, what is being discussed, what was offered."""

    last_act: str = "none"
    shown: list[str] = Field(default_factory=list)
    focus: list[str] = Field(default_factory=list)
    last_query: str = ""
    last_slots: dict[str, Any] = Field(default_factory=dict)
    offer: Offer | None = None
    checkout: CheckoutDetails = Field(default_factory=CheckoutDetails)
    guidance: GuidanceMemory = Field(default_factory=GuidanceMemory)
    # The store's shopper this conversation has identified (docs/store-data.md): one per conversation.
    shopper_id: str | None = None
    # An order question that waits for the shopper to say who they are: {"reason": intent, "order_id": …}.
    pending_support: dict[str, Any] | None = None
    # The need being served (assistant/understanding/needs.py): its slots and budget, asked about or recommended
    # for, so that "he likes gardening" or "cheaper ones" go on with it; None once the shopper searches.
    need: dict[str, Any] | None = None


@dataclass(frozen=True)
class Context:
    """What understanding a turn may depend on besides its words."""

    stage: Stage = Stage.ENTRY
    last_act: str = "none"
    has_results: bool = False
    has_cart: bool = False
    last_query: str = ""  # the search a refinement refines, also when it found nothing
    need_asked: bool = False  # the last reply asked who a present is for or what they enjoy
    shown: tuple[ProductRecord, ...] = ()
    focus: tuple[ProductRecord, ...] = ()

    @classmethod
    def from_mapping(cls, given: Mapping[str, Any]) -> Context:
        """A context written as data (a training example's, an evaluation row's, a parse request's); results are
        on screen after `show_results` unless it says otherwise. ValueError names what is wrong."""
        if not isinstance(given, Mapping):
            raise ValueError(
                f"a context is a mapping of stage, last_act, has_results, has_cart, not {given!r}"
            )
        last_act = str(given.get("last_act", "none"))
        return cls(
            stage=Stage(given.get("stage", "entry")),
            last_act=last_act,
            has_results=bool(given.get("has_results", last_act == "show_results")),
            has_cart=bool(given.get("has_cart", False)),
        )


@dataclass(frozen=True)
class Understanding:
    text: str
    intent: Intent
    confidence: float
    slots: dict[str, Any]
    source: str  # classifier | rules | llm


class Action(StrEnum):
    GREET = "greet"
    GOODBYE = "goodbye"
    THANK = "thank"
    SEARCH = "search"
    RECOMMEND = "recommend"
    DETAILS = "details"
    COMPARE = "compare"
    ADD_TO_CART = "add_to_cart"
    REMOVE_FROM_CART = "remove_from_cart"
    SHOW_CART = "show_cart"
    CHECKOUT = "checkout"
    PLACE_ORDER = "place_order"
    KEEP_CHECKOUT = "keep_checkout"
    DECLINE = "decline"
    ORDER_SUPPORT = "order_support"
    POLICY = "policy"
    HANDOFF = "handoff"
    COMPLAINT = "complaint"
    CLARIFY = "clarify"
    OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Decision:
    """What the assistant will do this turn, with everything the action needs already resolved."""

    action: Action
    product_ids: tuple[str, ...] = ()
    query: str = ""
    slots: dict[str, Any] = field(default_factory=dict)
    quantity: int = 1
    reason: str = ""
    # The shopper's words, read by the action for what they name: the email or name and zip that identify them,
    # the options that pick a product's variant ("the blue one in size 10").
    words: str = ""


@dataclass
class CartLine:
    product_id: str
    title: str
    quantity: int
    unit_price: float
    # The variant in the cart (the product's own id for a product without variants) and its options.
    variant_id: str = ""
    options: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return line_name(self.title, self.options)


def line_name(title: str, options: dict[str, str]) -> str:
    """A cart or order line as a shopper reads it: the title and, for a variant, its options ("T-Shirt (blue,
    size M)")."""
    label = options_label(options)
    return f"{title} ({label})" if label else title


@dataclass
class Outcome:
    """What acting did: products to show, the cart after it, an order placed, facts for the reply."""

    products: list[ProductRecord] = field(default_factory=list)
    cart: list[CartLine] = field(default_factory=list)
    order: dict[str, Any] | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    checkout_started: bool = False
    handoff: bool = False

    @property
    def cart_total(self) -> float:
        return round(sum(line.quantity * line.unit_price for line in self.cart), 2)


@dataclass(frozen=True)
class Reply:
    """What responding wrote: the text, the quick replies, the act it performs, the products it shows (the act's,
    or those its next step shows instead), and the journey events of the reply itself (nudges shown and settled,
    a generated reply replaced by its draft), recorded after the act's."""

    text: str
    suggestions: list[str]
    act: str
    products: list[ProductRecord] = field(default_factory=list)
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


class TurnResult(BaseModel):
    """The turn result of `docs/interfaces.md`, whichever door the turn came through."""

    conversation_id: str
    turn: int
    intent: str
    confidence: float
    slots: dict[str, Any]
    stage: str
    journey: int
    reply: str
    products: list[dict[str, Any]]
    cart: dict[str, Any]
    order: dict[str, Any] | None
    suggestions: list[str]
    handoff: bool
    latency_ms: float
