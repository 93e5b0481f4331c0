"""assistant/act.py: each action on the small shop (tests/small_shop.py: a real SQLite database, index and
embedding model), one conversation per test."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assistant.act import Act
from assistant.turn import Turn
from core.state import Action, CheckoutDetails, Context, Decision, DialogueState, Offer
from db.models import Conversation, Message, Order
from db.session import Database
from tests.small_shop import PRODUCTS, small_shop


@pytest.fixture(scope="module")
def parts(tmp_path_factory, embedder) -> tuple[Database, Act]:
    shop = small_shop(tmp_path_factory.mktemp("act"), embedder)
    return shop.db, Act(shop.catalog, shop.search, shop.settings)


@pytest.fixture
def run(parts, request):
    """Runs decisions in one conversation of this test's own, each in its own transaction, like turns."""
    db, act = parts
    conversation_id = f"c_{request.node.name}"[:64]
    with db.transaction() as session:
        session.add(Conversation(id=conversation_id))
    state = DialogueState()

    def turn(action: Action, **decision) -> tuple:
        with db.transaction() as session:
            conversation = session.get(Conversation, conversation_id)
            here = Turn("words", conversation, session, state, Context(), [], 0.0)
            outcome = act.run(here, Decision(action, **decision))
            order = session.scalars(select(Order).where(Order.conversation_id == conversation_id)).first()
            return outcome, state, (None if order is None else (order.status, order.total, len(order.items)))

    return turn


def test_every_action_has_a_handler(parts):
    _db, act = parts
    assert set(act.handlers) == set(Action)


def test_a_search_shows_what_it_finds_and_remembers_it(run):
    outcome, state, _ = run(
        Action.SEARCH, query="mug", slots={"category": "mug", "max_price": 20, "sort": "price_asc"}
    )
    assert [p.id for p in outcome.products] == ["m1", "m2"]
    assert outcome.facts == {"query": "mug", "filters": {"category": "mug", "max_price": 20}}
    assert outcome.events == [
        (
            "search",
            {"query": "mug", "slots": {"category": "mug", "max_price": 20, "sort": "price_asc"},
             "filters": {"category": "mug", "max_price": 20}, "results": 2},
        )
    ]  # fmt: skip
    assert (state.shown, state.focus, state.offer, state.last_query) == (["m1", "m2"], [], None, "mug")
    assert state.last_slots == {"category": "mug", "max_price": 20, "sort": "price_asc"}
    assert outcome.cart == []


def test_a_search_shows_at_most_the_results_per_reply(run):
    outcome, _, _ = run(Action.SEARCH, query="kitchen", slots={"max_price": 100})
    assert 1 <= len(outcome.products) <= 3


def test_details_offer_to_add_only_what_is_in_stock(run):
    outcome, state, _ = run(Action.DETAILS, product_ids=("m2",))
    assert [p.id for p in outcome.products] == ["m2"] and outcome.events == [
        ("details_viewed", {"product_id": "m2"})
    ]
    assert state.focus == ["m2"] and state.offer == Offer(kind="add_to_cart", product_ids=["m2"])
    _, state, _ = run(Action.DETAILS, product_ids=("m3",))
    assert state.focus == ["m3"] and state.offer is None


def test_a_comparison_offers_the_best_rated(run):
    outcome, state, _ = run(Action.COMPARE, product_ids=("m1", "m2", "l2"))
    assert [p.id for p in outcome.products] == ["m1", "m2", "l2"]
    assert outcome.events == [("comparison", {"product_ids": ["m1", "m2", "l2"]})]
    assert state.focus == ["m2"] and state.offer == Offer(kind="add_to_cart", product_ids=["m2"])


def test_adding_adds_what_is_in_stock_and_says_what_is_not(run):
    outcome, state, _ = run(Action.ADD_TO_CART, product_ids=("m1", "m3"), quantity=2)
    assert outcome.facts == {"out_of_stock": ["Travel Mug"], "added": ["Blue Enamel Mug"]}
    assert outcome.events == [("cart_add", {"product_id": "m1", "quantity": 2})]
    assert [(line.product_id, line.quantity, line.unit_price) for line in outcome.cart] == [("m1", 2, 12.0)]
    assert state.focus == ["m1"] and state.offer == Offer(kind="checkout")


def test_adding_only_what_is_out_of_stock_offers_nothing(run):
    outcome, state, _ = run(Action.ADD_TO_CART, product_ids=("m3",))
    assert outcome.facts == {"out_of_stock": ["Travel Mug"], "added": []}
    assert outcome.cart == [] and outcome.events == [] and state.offer is None


def test_removing_takes_out_only_what_the_cart_holds(run):
    run(Action.ADD_TO_CART, product_ids=("m1", "l1"))
    outcome, state, _ = run(Action.REMOVE_FROM_CART, product_ids=("l1", "t1"))
    assert outcome.facts == {"removed": ["Brass Desk Lamp"]}
    assert outcome.events == [("cart_remove", {"product_id": "l1"})]
    assert [line.product_id for line in outcome.cart] == ["m1"] and state.offer is None


def test_checkout_with_an_empty_cart_says_so(run):
    outcome, _, _ = run(Action.CHECKOUT)
    assert outcome.facts == {"empty_cart": True} and not outcome.checkout_started and outcome.events == []


def test_checkout_collects_the_details_and_says_what_is_missing(run):
    run(Action.ADD_TO_CART, product_ids=("l1",))
    outcome, state, _ = run(Action.CHECKOUT, slots={"address": "5 Oak Road"})
    assert outcome.checkout_started and outcome.facts["missing"] == ["payment method"]
    assert outcome.facts["checkout"] == {"address": "5 Oak Road", "payment": None}
    assert outcome.events == [("checkout_step", {"missing": ["payment method"]})]
    outcome, state, _ = run(Action.CHECKOUT, slots={"payment_method": "card ending 4242"})
    assert outcome.facts["missing"] == [] and state.checkout.address == "5 Oak Road"
    assert state.checkout.payment == "card ending 4242"


def test_placing_an_order_needs_every_detail(run):
    run(Action.ADD_TO_CART, product_ids=("l1",))
    outcome, _, order = run(Action.PLACE_ORDER)
    assert outcome.facts == {"missing": ["shipping address", "payment method"]}
    assert outcome.checkout_started and outcome.order is None and order is None


def test_placing_an_order_with_nothing_to_order_is_refused(run):
    outcome, state, order = run(Action.PLACE_ORDER)
    assert outcome.facts == {"missing": ["shipping address", "payment method"]} and order is None
    state.checkout = CheckoutDetails(address="5 Oak Road", payment="cash")
    outcome, _, order = run(Action.PLACE_ORDER)
    assert outcome.facts == {"missing": ["items in the cart"]} and order is None


def test_an_order_is_placed_once_then_cancelled_and_found(run):
    run(Action.ADD_TO_CART, product_ids=("l1", "t1"))
    run(Action.CHECKOUT, slots={"address": "5 Oak Road", "payment_method": "cash on delivery"})
    outcome, state, order = run(Action.PLACE_ORDER)
    assert order == ("placed", 48.0, 2) and outcome.order["total"] == 48.0
    assert outcome.events == [("order_placed", {"order_id": int(outcome.order["id"]), "total": 48.0})]
    assert state.checkout == CheckoutDetails() and state.offer is None
    status, _, _ = run(Action.ORDER_SUPPORT, reason="order_status")
    assert status.facts["order"]["status"] == "placed" and status.events == []
    returned, _, _ = run(Action.ORDER_SUPPORT, reason="return_refund")
    assert returned.events == [("return_requested", {"order_id": int(outcome.order["id"])})]
    refund = [{"kind": "refund", "amount": 48.0, "payment_method_id": "cash on delivery"}]
    why, state, order = run(Action.ORDER_SUPPORT, reason="cancel_order")
    assert order[0] == "placed" and why.facts["cancel_reason"] is None and why.facts["refunds"] == refund
    assert state.offer.kind == "cancel_order" and state.offer.reason is None and why.events == []
    number = state.offer.order_id
    slots = {"order_id": number, "cancel_reason": "no longer needed"}
    confirm, state, order = run(Action.ORDER_SUPPORT, reason="cancel_order", slots=slots)
    assert order[0] == "placed" and state.offer.reason == "no longer needed" and confirm.events == []
    cancel, state, order = run(Action.ORDER_SUPPORT, reason="confirm_cancel", slots=slots)
    assert order[0] == "cancelled" and cancel.facts["cancelled"] is True and state.offer is None
    assert cancel.events == [
        (
            "order_cancelled",
            {"order_id": int(outcome.order["id"]), "reason": "no longer needed", "refunded": 48.0},
        )
    ]
    again, _, order = run(Action.ORDER_SUPPORT, reason="confirm_cancel", slots=slots)
    assert order[0] == "cancelled" and again.facts["refused"] and again.events == []


def test_order_support_without_an_order_finds_none(run):
    outcome, _, _ = run(Action.ORDER_SUPPORT, reason="cancel_order", slots={"order_id": "1042"})
    assert outcome.facts == {"order_id_asked": "1042", "order": None} and outcome.events == []


def test_keeping_checkout_restates_the_details(run):
    run(Action.ADD_TO_CART, product_ids=("t1",))
    outcome, _, _ = run(Action.KEEP_CHECKOUT)
    assert outcome.facts == {"checkout": {"address": None, "payment": None}} and outcome.checkout_started
    run(Action.REMOVE_FROM_CART, product_ids=("t1",))
    outcome, _, _ = run(Action.KEEP_CHECKOUT)
    assert not outcome.checkout_started


def test_declining_an_offer_logs_it_and_drops_it(run):
    _, state, _ = run(Action.DETAILS, product_ids=("m1",))
    outcome, state, _ = run(Action.DECLINE)
    assert outcome.events == [("offer_declined", {"kind": "add_to_cart"})] and state.offer is None
    outcome, _, _ = run(Action.DECLINE)
    assert outcome.events == []


def test_a_clarification_is_logged_with_its_reason(run):
    outcome, _, _ = run(Action.CLARIFY, reason="which_product")
    assert outcome.events == [("clarification", {"reason": "which_product"})] and outcome.products == []


def test_a_handoff_marks_the_conversation(run):
    outcome, _, _ = run(Action.HANDOFF)
    assert outcome.handoff and outcome.events == [("handoff", {})]


@pytest.mark.parametrize(
    "action", [Action.GREET, Action.THANK, Action.POLICY, Action.SHOW_CART, Action.OUT_OF_SCOPE]
)
def test_talk_only_actions_change_nothing(run, action):
    run(Action.ADD_TO_CART, product_ids=("t1",))
    outcome, _state, order = run(action)
    assert (outcome.products, outcome.facts, outcome.events, outcome.order) == ([], {}, [], None)
    assert [line.product_id for line in outcome.cart] == ["t1"] and order is None


def test_the_profile_reads_the_products_this_conversation_was_shown(parts, run):
    db, act = parts
    with db.transaction() as session:
        conversation = session.scalars(select(Conversation)).first()
        session.add(
            Message(
                conversation_id=conversation.id, turn=1, role="assistant", text="…", product_ids=["l1", "l2"]
            )
        )
        session.flush()
        profile = act._profile(conversation, session)
    assert profile.boost(PRODUCTS[3]) > profile.boost(PRODUCTS[0])
