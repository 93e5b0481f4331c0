"""assistant/act.py: each action on the small shop (tests/small_shop.py: a real SQLite database, index and
embedding model), one conversation per test."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from assistant.act import Act
from assistant.turn import Turn
from core.state import Action, CheckoutDetails, Context, Decision, DialogueState, Offer
from db.models import Conversation, Message, Order
from db.session import Database
from db.store_data import import_orders, import_shoppers
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


def test_a_kind_the_shop_lacks_is_said_with_its_nearest_categories(run):
    outcome, _, _ = run(Action.SEARCH, query="a kettle", slots={"not_carried": "kettle"})
    assert outcome.facts["not_carried"] == "kettle"
    assert outcome.facts["carried"][0] == "mugs" and len(outcome.facts["carried"]) == 3


def test_a_kind_named_differently_is_searched_in_its_category(run):
    outcome, _, _ = run(Action.SEARCH, query="cups", slots={"not_carried": "cups"})
    assert "not_carried" not in outcome.facts
    assert outcome.products and {p.id for p in outcome.products} <= {"m1", "m2", "m3"}


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
    assert outcome.events == [("cart_add", {"product_id": "m1", "variant_id": "m1", "quantity": 2})]
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
    assert outcome.facts == {"missing": ["shipping address", "payment method"], "saved_details": {}}
    assert outcome.checkout_started and outcome.order is None and order is None


def test_placing_an_order_with_nothing_to_order_is_refused(run):
    outcome, state, order = run(Action.PLACE_ORDER)
    assert (
        outcome.facts == {"missing": ["shipping address", "payment method"], "saved_details": {}}
        and order is None
    )
    state.checkout = CheckoutDetails(address="5 Oak Road", payment="cash")
    outcome, _, order = run(Action.PLACE_ORDER)
    assert outcome.facts == {"missing": ["items in the cart"], "saved_details": {}} and order is None


def test_an_order_is_placed_once_then_cancelled_and_found(run):
    run(Action.ADD_TO_CART, product_ids=("l1", "t1"))
    run(Action.CHECKOUT, slots={"address": "5 Oak Road", "payment_method": "cash on delivery"})
    outcome, state, order = run(Action.PLACE_ORDER)
    assert order == ("placed", 48.0, 2) and outcome.order["total"] == 48.0
    assert outcome.events == [("order_placed", {"order_id": int(outcome.order["id"]), "total": 48.0})]
    assert state.checkout == CheckoutDetails() and state.offer is None
    status, _, _ = run(Action.ORDER_SUPPORT, reason="order_status")
    assert status.facts["order"]["status"] == "placed" and status.events == []
    # Not delivered yet: the store's policy returns only delivered orders, and says so.
    returned, _, _ = run(Action.ORDER_SUPPORT, reason="return_refund")
    rule = "only a delivered order can be returned"
    assert returned.facts["after_sales"] == {"kind": "return", "refused": rule}
    assert returned.events == [
        ("after_sales_refused", {"order_id": int(outcome.order["id"]), "kind": "return", "rule": rule})
    ]
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


def test_a_handoff_marks_the_conversation(parts, run, request):
    outcome, _, _ = run(Action.HANDOFF)
    assert outcome.handoff and outcome.events == [("handoff", {})]
    db, _act = parts
    with db.transaction() as session:
        assert session.get(Conversation, f"c_{request.node.name}"[:64]).handoff is True


@pytest.mark.parametrize("action", [Action.GREET, Action.THANK, Action.SHOW_CART, Action.OUT_OF_SCOPE])
def test_talk_only_actions_change_nothing(run, action):
    run(Action.ADD_TO_CART, product_ids=("t1",))
    outcome, _state, order = run(action)
    assert (outcome.products, outcome.facts, outcome.events, outcome.order) == ([], {}, [], None)
    assert [line.product_id for line in outcome.cart] == ["t1"] and order is None


def test_a_policy_question_names_its_policy_and_changes_nothing(run):
    run(Action.ADD_TO_CART, product_ids=("t1",))
    outcome, _state, order = run(Action.POLICY, reason="return_refund")
    assert (outcome.products, outcome.facts, outcome.events) == ([], {"policy": "return_refund"}, [])
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


def test_a_fresh_act_reads_its_catalog_search_and_settings(tmp_path, embedder):
    # Built here, not in the module's fixture, so that what the constructor keeps is what these turns use.
    shop = small_shop(tmp_path, embedder)
    act = Act(shop.catalog, shop.search, shop.settings)
    with shop.db.transaction() as session:
        session.add(Conversation(id="fresh"))
        session.flush()
        here = Turn("words", session.get(Conversation, "fresh"), session, DialogueState(), Context(), [], 0.0)
        found = act.run(here, Decision(Action.SEARCH, query="lamp", slots={"category": "lamp"}))
        shown = act.run(here, Decision(Action.DETAILS, product_ids=("m2",)))
        talk = act.run(here, Decision(Action.GREET))
    assert {p.id for p in found.products} == {"l1", "l2"}
    assert [p.title for p in shown.products] == ["Stoneware Mug"] and talk.facts == {}


SHOPPERS = [
    {"id": "ana", "email": "ana@example.com", "name": {"first": "Ana", "last": "Ruiz"},
     "address": {"zip": "97201"}},
    {"id": "omar", "email": "omar@example.org", "name": {"first": "Omar", "last": "Haddad"},
     "address": {"zip": "H2X 1Y4"}},
]  # fmt: skip
STORE_ORDERS = [
    {"id": "#1042", "shopper_id": "ana", "status": "pending",
     "items": [{"product_id": "l1", "options": {"finish": "brass"}, "quantity": 1, "unit_price": 40.0}],
     "payments": [{"kind": "payment", "amount": 30.0, "payment_method_id": "card"},
                  {"kind": "payment", "amount": 10.0, "payment_method_id": "gift_card"}]},
    {"id": "#1043", "shopper_id": "ana", "status": "delivered",
     "items": [{"product_id": "m2", "quantity": 2, "unit_price": 18.0}],
     "fulfillments": [{"tracking_ids": ["1Z999"]}],
     "payments": [{"kind": "payment", "amount": 36.0, "payment_method_id": "card"}]},
    {"id": "#2001", "shopper_id": "omar", "status": "pending",
     "items": [{"product_id": "t1", "quantity": 1, "unit_price": 8.0}],
     "payments": [{"kind": "payment", "amount": 8.0, "payment_method_id": "paypal"}]},
]  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory, embedder) -> tuple[Database, Act]:
    """A shop whose own shoppers and orders are loaded, as `shopassist shoppers import` and `orders import` do."""
    shop = small_shop(tmp_path_factory.mktemp("store"), embedder)
    with shop.db.transaction() as session:
        assert import_shoppers(session, [json.dumps(line) for line in SHOPPERS]).loaded == 2
        assert import_orders(session, [json.dumps(line) for line in STORE_ORDERS], "USD").loaded == 3
    return shop.db, Act(shop.catalog, shop.search, shop.settings)


@pytest.fixture
def support(store, request):
    """Order-support turns of one conversation of this test's own; returns the outcome and the state, and
    `status(number)` reads an order's status from the database."""
    db, act = store
    conversation_id = f"s_{request.node.name}"[:64]
    with db.transaction() as session:
        session.add(Conversation(id=conversation_id))
    state = DialogueState()

    def turn(reason: str, identity: str = "", **slots) -> tuple:
        with db.transaction() as session:
            conversation = session.get(Conversation, conversation_id)
            here = Turn(identity, conversation, session, state, Context(), [], 0.0)
            decision = Decision(Action.ORDER_SUPPORT, reason=reason, slots=slots, words=identity)
            return act.run(here, decision), state

    def status(number: str) -> tuple[str, list]:
        with db.transaction() as session:
            order = session.scalar(select(Order).where(Order.number == number))
            return order.status, order.record.get("payments", [])

    turn.status = status
    return turn


def test_a_store_order_waits_for_its_owner_to_say_who_they_are(support):
    outcome, state = support("order_status", order_id="1042")
    assert outcome.facts == {"order_id_asked": "1042", "needs_identity": True, "order": None}
    assert state.pending_support == {
        "reason": "order_status", "order_id": "1042", "cancel_reason": None, "words": ""
    }  # fmt: skip
    assert outcome.events == [] and state.shopper_id is None


def test_where_is_my_order_asks_who_before_any_store_order_is_looked_up(support):
    outcome, state = support("order_status", cancel_reason="late")
    assert outcome.facts["needs_identity"] is True and outcome.facts["order"] is None
    assert state.pending_support == {
        "reason": "order_status", "order_id": None, "cancel_reason": "late", "words": ""
    }  # fmt: skip


def test_the_owner_named_by_email_gets_the_order_with_its_items_and_tracking(support):
    outcome, state = support("order_status", "it's ana@example.com, order #1043", order_id="#1043")
    assert state.shopper_id == "ana" and state.pending_support is None
    assert outcome.facts["identified"] == "Ana"
    assert outcome.events == [("shopper_identified", {"shopper_id": "ana"})]
    order = outcome.facts["order"]
    assert (order["id"], order["status"], order["total"], order["tracking"]) == (
        "1043",
        "delivered",
        36.0,
        ["1Z999"],
    )
    assert order["items"] == [
        {
            "product_id": "m2",
            "title": "Stoneware Mug",
            "quantity": 2,
            "unit_price": 18.0,
            "variant_id": "m2",
            "options": {},
        }
    ]
    again, _ = support("order_status", "ana@example.com")
    # Known now: the latest of the shopper's own orders, with nothing logged again.
    assert again.events == [] and "identified" not in again.facts and again.facts["order"]["id"] == "1043"


def test_name_and_zip_identify_and_the_order_number_is_not_read_as_a_zip(support):
    outcome, state = support("order_status", "Omar Haddad, H2X 1Y4, order 2001", order_id="2001")
    assert state.shopper_id == "omar" and outcome.facts["order"]["id"] == "2001"
    assert outcome.facts["order"]["status"] == "pending"


def test_words_that_identify_nobody_are_said_to_identify_nobody(support):
    outcome, state = support("order_status", "Ana Ruiz 11111", order_id="1042")
    assert state.shopper_id is None and outcome.facts["not_identified"] is True
    assert outcome.facts["needs_identity"] is True and outcome.events == []
    plain, _ = support("order_status", "hmm not sure", order_id="1042")
    assert "not_identified" not in plain.facts


def test_another_shoppers_order_is_refused_and_logged(support):
    outcome, state = support("order_status", "ana@example.com", order_id="2001")
    assert state.shopper_id == "ana" and outcome.facts["not_yours"] is True and outcome.facts["order"] is None
    assert outcome.events == [
        ("shopper_identified", {"shopper_id": "ana"}),
        ("order_access_refused", {"order_id": "2001", "shopper_id": "ana"}),
    ]
    cancel, _ = support("cancel_order", order_id="2001", cancel_reason="changed my mind")
    assert cancel.facts["not_yours"] is True and cancel.facts["order"] is None
    assert support.status("#2001") == (
        "pending",
        [{"kind": "payment", "amount": 8.0, "payment_method_id": "paypal"}],
    )


def test_a_store_return_states_its_refund_and_waits_for_a_yes(support):
    outcome, state = support("return_refund", "ana@example.com", order_id="1043")
    change = outcome.facts["after_sales"]["change"]
    assert (change["kind"], change["status"]) == ("return", "return requested")
    assert [line["variant_id"] for line in change["lines"]] == ["m2"]
    assert change["payments"] == [{"kind": "refund", "amount": 36.0, "payment_method_id": "card"}]
    assert state.offer.kind == "after_sales" and state.offer.reason == "change"
    assert outcome.events == [("shopper_identified", {"shopper_id": "ana"})]
    assert support.status("#1043")[0] == "delivered"  # nothing changes before the yes


def test_a_delivered_store_order_is_not_cancelled(support):
    outcome, state = support("cancel_order", "ana@example.com", order_id="1043", cancel_reason="too late")
    assert outcome.facts["refused"] == "only a pending order can be cancelled" and state.offer is None
    assert "after_sales" not in outcome.facts and support.status("#1043")[0] == "delivered"


def test_a_pending_store_order_is_cancelled_after_a_yes_and_refunded_per_payment(support):
    asked, state = support("cancel_order", "ana@example.com", order_id="1042")
    refunds = [
        {"kind": "refund", "amount": 30.0, "payment_method_id": "card"},
        {"kind": "refund", "amount": 10.0, "payment_method_id": "gift_card"},
    ]
    assert asked.facts["refunds"] == refunds and asked.facts["cancel_reason"] is None
    assert state.offer == Offer(kind="cancel_order", order_id="#1042", reason=None)
    assert "after_sales" not in asked.facts and support.status("#1042")[0] == "pending"
    done, state = support("confirm_cancel", order_id="1042", cancel_reason="no longer needed")
    assert done.facts["cancelled"] is True and state.offer is None
    assert done.events == [
        ("order_cancelled", {"order_id": 1, "reason": "no longer needed", "refunded": 40.0})
    ]
    status, payments = support.status("#1042")
    assert status == "cancelled" and payments[-2:] == refunds and len(payments) == 4
    assert done.facts["order"]["status"] == "cancelled"


def test_a_yes_without_a_reason_asks_for_the_reason_and_cancels_nothing(support):
    outcome, state = support("confirm_cancel", "omar@example.org", order_id="2001")
    assert "cancelled" not in outcome.facts and state.offer.kind == "cancel_order"
    assert support.status("#2001")[0] == "pending" and outcome.events == [
        ("shopper_identified", {"shopper_id": "omar"})
    ]


def shown(db: Database, conversation_id: str, product_ids: list[str]) -> None:
    with db.transaction() as session:
        session.merge(Conversation(id=conversation_id))
        session.add(
            Message(
                conversation_id=conversation_id, turn=1, role="assistant", text="…", product_ids=product_ids
            )
        )


def test_a_search_ranks_what_is_like_what_this_conversation_was_shown_first(parts, run, request):
    plain, _, _ = run(Action.SEARCH, query="something for the house")
    assert [p.id for p in plain.products][:3] == ["l2", "m2", "l1"]
    shown(parts[0], f"c_{request.node.name}"[:64], ["l1", "l2"])
    boosted, _, _ = run(Action.SEARCH, query="something for the house")
    assert [p.id for p in boosted.products][:3] == ["l2", "l1", "m2"]


def test_the_profile_is_only_this_conversations(parts):
    db, act = parts
    shown(db, "saw_lamps", ["l1", "l2"])
    shown(db, "saw_towels", ["t1"])
    with db.transaction() as session:
        profile = act._profile(session.get(Conversation, "saw_towels"), session)
    assert profile.categories == {"Kitchen > Towels"}


def test_an_order_placed_by_a_known_shopper_is_theirs(store):
    db, act = store
    state = DialogueState(
        shopper_id="omar", checkout=CheckoutDetails(address="2 Rue Verte", payment="paypal")
    )
    with db.transaction() as session:
        session.add(Conversation(id="known"))
        session.flush()
        here = Turn("words", session.get(Conversation, "known"), session, state, Context(), [], 0.0)
        act.run(here, Decision(Action.ADD_TO_CART, product_ids=("t1",)))
        placed = act.run(here, Decision(Action.PLACE_ORDER))
    with db.transaction() as session:
        order = session.get(Order, int(placed.order["id"]))
        assert (order.shopper_id, order.conversation_id, order.total) == ("omar", "known", 8.0)
