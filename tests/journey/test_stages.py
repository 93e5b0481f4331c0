"""journey/stages.py: every rule of the taxonomy's stage machine."""

from __future__ import annotations

import pytest

from core.taxonomy import Intent, Stage
from journey.stages import Position, StageMachine, TurnSignals

machine = StageMachine()


def advance(stage: Stage, intent: Intent, journey: int = 1, **signals) -> Position:
    return machine.advance(
        Position(stage, journey), TurnSignals(intent=intent, cart_lines=signals.pop("cart", 0), **signals)
    )


@pytest.mark.parametrize(
    ("stage", "intent", "signals", "expected"),
    [
        (Stage.ENTRY, Intent.GREET, {}, Stage.ENTRY),
        (Stage.ENTRY, Intent.SEARCH_PRODUCTS, {}, Stage.BROWSING),
        (Stage.ENTRY, Intent.RECOMMEND, {}, Stage.BROWSING),
        (Stage.BROWSING, Intent.PRODUCT_QUESTION, {}, Stage.CONSIDERATION),
        (Stage.BROWSING, Intent.COMPARE_PRODUCTS, {}, Stage.CONSIDERATION),
        (Stage.CONSIDERATION, Intent.ADD_TO_CART, {"cart": 1}, Stage.CART),
        (Stage.BROWSING, Intent.AFFIRM, {"cart": 1}, Stage.CART),
        (Stage.CART, Intent.CHECKOUT, {"cart": 1, "checkout_started": True}, Stage.CHECKOUT),
        (Stage.CHECKOUT, Intent.AFFIRM, {"order_placed": True}, Stage.PURCHASED),
        # forward only: searching again from the cart keeps the cart stage
        (Stage.CART, Intent.SEARCH_PRODUCTS, {"cart": 1}, Stage.CART),
        (Stage.CONSIDERATION, Intent.SEARCH_PRODUCTS, {}, Stage.CONSIDERATION),
        # removing the last item steps back
        (Stage.CART, Intent.REMOVE_FROM_CART, {"cart": 0}, Stage.CONSIDERATION),
        (Stage.CART, Intent.REMOVE_FROM_CART, {"cart": 1}, Stage.CART),
        # support intents move to post_purchase; shipping and payment questions do not move
        (Stage.BROWSING, Intent.ORDER_STATUS, {}, Stage.POST_PURCHASE),
        (Stage.PURCHASED, Intent.RETURN_REFUND, {}, Stage.POST_PURCHASE),
        # ... but a question about the return policy is about no order
        (Stage.BROWSING, Intent.RETURN_REFUND, {"policy_question": True}, Stage.BROWSING),
        (Stage.CART, Intent.SHIPPING_INFO, {"cart": 1}, Stage.CART),
        (Stage.BROWSING, Intent.PAYMENT_INFO, {}, Stage.BROWSING),
        # an empty-cart checkout does not enter checkout
        (Stage.BROWSING, Intent.CHECKOUT, {}, Stage.BROWSING),
        # a turn the assistant could not read moves nothing, whatever its guessed intent
        (Stage.ENTRY, Intent.SEARCH_PRODUCTS, {"unread": True}, Stage.ENTRY),
        (Stage.PURCHASED, Intent.SEARCH_PRODUCTS, {"unread": True}, Stage.PURCHASED),
        (Stage.BROWSING, Intent.ORDER_STATUS, {"unread": True}, Stage.BROWSING),
    ],
)
def test_transitions(stage, intent, signals, expected):
    assert advance(stage, intent, **signals).stage == expected


@pytest.mark.parametrize("stage", [Stage.PURCHASED, Stage.POST_PURCHASE])
def test_shopping_after_a_purchase_starts_a_new_journey(stage):
    assert advance(stage, Intent.SEARCH_PRODUCTS, journey=1) == Position(Stage.BROWSING, 2)
    assert advance(stage, Intent.ADD_TO_CART, journey=3, cart=1) == Position(Stage.CART, 4)
    assert advance(stage, Intent.THANKS, journey=1) == Position(stage, 1)


@pytest.mark.parametrize("stage", [Stage.CART, Stage.CHECKOUT])
def test_an_idle_cart_or_checkout_is_abandoned_and_resumes_where_it_was(stage):
    abandoned = machine.abandon(Position(stage, 2))
    assert abandoned == Position(Stage.ABANDONED, 2)
    assert machine.resume(abandoned, stage) == Position(stage, 2)


@pytest.mark.parametrize("stage", [Stage.ENTRY, Stage.BROWSING, Stage.CONSIDERATION, Stage.PURCHASED])
def test_idling_elsewhere_abandons_nothing(stage):
    assert machine.abandon(Position(stage, 1)) is None


def test_only_an_abandoned_conversation_resumes():
    with pytest.raises(ValueError):
        machine.resume(Position(Stage.CART, 1), Stage.CART)


@pytest.mark.parametrize(
    ("stage", "intent", "signals", "expected"),
    [
        (Stage.CHECKOUT, Intent.AFFIRM, {"order_placed": True, "cart": 1}, Position(Stage.PURCHASED, 3)),
        (Stage.BROWSING, Intent.ORDER_STATUS, {}, Position(Stage.POST_PURCHASE, 3)),
        (Stage.CART, Intent.REMOVE_FROM_CART, {"cart": 0}, Position(Stage.CONSIDERATION, 3)),
        (Stage.PURCHASED, Intent.CHECKOUT, {"cart": 0}, Position(Stage.PURCHASED, 3)),
        (
            Stage.PURCHASED,
            Intent.CHECKOUT,
            {"cart": 2, "checkout_started": True},
            Position(Stage.CHECKOUT, 4),
        ),
        (Stage.PURCHASED, Intent.GREET, {}, Position(Stage.PURCHASED, 3)),
        # A question about a product while the cart holds something is consideration, not the cart.
        (Stage.BROWSING, Intent.PRODUCT_QUESTION, {"cart": 1}, Position(Stage.CONSIDERATION, 3)),
        (Stage.BROWSING, Intent.AFFIRM, {"cart": 0}, Position(Stage.BROWSING, 3)),
    ],
)
def test_the_journey_number_is_kept_within_a_journey_and_counted_on_a_new_one(
    stage, intent, signals, expected
):
    assert advance(stage, intent, journey=3, **signals) == expected


def test_resuming_from_a_stage_that_was_not_abandoned_names_both():
    with pytest.raises(ValueError, match="cannot resume at cart from browsing"):
        machine.resume(Position(Stage.BROWSING, 1), Stage.CART)
