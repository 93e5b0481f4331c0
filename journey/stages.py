"""The journey stage machine of `docs/journey.md`.

Within a journey the funnel only moves forward (entry → browsing → consideration → cart → checkout →
purchased), with the taxonomy's exceptions: emptying the cart steps back to consideration, shopping after a
purchase starts a new journey, support questions move to post_purchase (a question about the return policy,
which is about no order, does not), and a conversation left idle in cart or checkout is abandoned until the
shopper returns to the stage they left.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.taxonomy import FUNNEL, Intent, Stage

BROWSING_INTENTS = {Intent.SEARCH_PRODUCTS, Intent.REFINE_SEARCH, Intent.RECOMMEND}
CONSIDERATION_INTENTS = {Intent.PRODUCT_QUESTION, Intent.COMPARE_PRODUCTS}
SHOPPING_INTENTS = BROWSING_INTENTS | CONSIDERATION_INTENTS | {Intent.ADD_TO_CART, Intent.CHECKOUT}
SUPPORT_INTENTS = {Intent.ORDER_STATUS, Intent.CANCEL_ORDER, Intent.RETURN_REFUND}
# Only a shopper with something in the cart can abandon it; idling while browsing is just browsing.
ABANDONABLE = (Stage.CART, Stage.CHECKOUT)


@dataclass(frozen=True)
class TurnSignals:
    """What happened in a turn that the stage depends on."""

    intent: Intent
    cart_lines: int
    checkout_started: bool = False
    order_placed: bool = False
    engaged_product: bool = False
    # The assistant could not read the turn and asked again: a guess at its intent must not move the journey.
    unread: bool = False
    # The turn asked about the store's rules ("what's your return policy?"), not about an existing order.
    policy_question: bool = False


@dataclass(frozen=True)
class Position:
    stage: Stage
    journey: int


class StageMachine:
    """Computes the stage after a turn; the caller records every change as an event."""

    def advance(self, current: Position, signals: TurnSignals) -> Position:
        stage, journey = current.stage, current.journey
        if signals.order_placed:
            return Position(Stage.PURCHASED, journey)
        if signals.unread:
            return current
        if signals.intent in SUPPORT_INTENTS and not signals.policy_question:
            return Position(Stage.POST_PURCHASE, journey)
        if stage in (Stage.PURCHASED, Stage.POST_PURCHASE):
            if signals.intent not in SHOPPING_INTENTS or (
                signals.intent == Intent.CHECKOUT and not signals.cart_lines
            ):
                return Position(stage, journey)
            stage, journey = Stage.BROWSING, journey + 1
        target = self._target(signals)
        if (
            stage in (Stage.CART, Stage.CHECKOUT)
            and signals.cart_lines == 0
            and signals.intent == Intent.REMOVE_FROM_CART
        ):
            return Position(Stage.CONSIDERATION, journey)
        if target is not None and FUNNEL.index(target) > FUNNEL.index(stage):
            stage = target
        return Position(stage, journey)

    @staticmethod
    def abandon(current: Position) -> Position | None:
        """The position of a conversation that went idle past the timeout, or None if idling changes nothing."""
        return Position(Stage.ABANDONED, current.journey) if current.stage in ABANDONABLE else None

    @staticmethod
    def resume(current: Position, left: Stage) -> Position:
        """A shopper returning to an abandoned conversation picks up, in the same journey, where they left."""
        if current.stage != Stage.ABANDONED or left not in ABANDONABLE:
            raise ValueError(f"cannot resume at {left} from {current.stage}")
        return Position(left, current.journey)

    @staticmethod
    def _target(signals: TurnSignals) -> Stage | None:
        if signals.checkout_started and signals.cart_lines:
            return Stage.CHECKOUT
        if signals.cart_lines and signals.intent in (Intent.ADD_TO_CART, Intent.AFFIRM):
            return Stage.CART
        if signals.engaged_product or signals.intent in CONSIDERATION_INTENTS:
            return Stage.CONSIDERATION
        if signals.intent in BROWSING_INTENTS:
            return Stage.BROWSING
        return None
