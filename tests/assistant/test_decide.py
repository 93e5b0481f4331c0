"""assistant/decide.py: the dialogue policy, turn by turn, on hand-built understandings (no model needed)."""

from __future__ import annotations

import pytest

from assistant.decide import Decide
from assistant.turn import Turn
from core.product import ProductRecord
from core.state import Action, CartLine, Context, DialogueState, Offer, Understanding
from core.taxonomy import Intent, Stage

THRESHOLD = 0.5
MUG = CartLine("sku-1", "Blue Enamel Mug", 1, 12.0)
LAMP = CartLine("sku-2", "Brass Desk Lamp", 2, 40.0)


def decide(
    intent: Intent,
    slots: dict | None = None,
    *,
    text: str = "words",
    confidence: float = 0.9,
    stage: Stage = Stage.BROWSING,
    cart: list[CartLine] | None = None,
    **state,
):
    """Decide's decision for one turn; conversation and session are not read by the policy."""
    turn = Turn(
        text=text,
        conversation=None,
        session=None,
        state=DialogueState(**state),
        context=Context(stage=stage),
        cart=cart or [],
        started=0.0,
    )
    return Decide(THRESHOLD).run(turn, Understanding(text, intent, confidence, slots or {}, "classifier"))


@pytest.mark.parametrize("threshold", [-0.01, 1.01])
def test_a_threshold_outside_zero_to_one_is_refused(threshold):
    with pytest.raises(ValueError, match=r"^confidence_threshold must be between 0 and 1$"):
        Decide(threshold)


@pytest.mark.parametrize("threshold", [0.0, 1.0])
def test_the_bounds_are_valid_thresholds(threshold):
    assert Decide(threshold).threshold == threshold


def test_an_unsure_reading_asks_instead_of_acting():
    decision = decide(Intent.ADD_TO_CART, {"quantity": 2}, confidence=0.49, shown=["sku-1"])
    assert (decision.action, decision.reason, decision.slots) == (
        Action.CLARIFY,
        "low_confidence",
        {"quantity": 2},
    )


def test_a_reading_at_the_threshold_is_acted_on():
    assert decide(Intent.GREET, confidence=THRESHOLD).action == Action.GREET


@pytest.mark.parametrize("intent", [Intent.SEARCH_PRODUCTS, Intent.REFINE_SEARCH, Intent.RECOMMEND])
def test_an_unsure_search_naming_a_category_still_searches(intent):
    assert decide(intent, {"category": "mugs"}, confidence=0.1).action == Action.SEARCH


def test_an_unsure_non_search_naming_a_category_still_asks():
    assert decide(Intent.ADD_TO_CART, {"category": "mugs"}, confidence=0.1).action == Action.CLARIFY
    assert decide(Intent.SEARCH_PRODUCTS, {"color": "red"}, confidence=0.1).action == Action.CLARIFY


@pytest.mark.parametrize(
    ("intent", "action"),
    [
        (Intent.GREET, Action.GREET),
        (Intent.GOODBYE, Action.GOODBYE),
        (Intent.THANKS, Action.THANK),
        (Intent.VIEW_CART, Action.SHOW_CART),
        (Intent.HUMAN_AGENT, Action.HANDOFF),
        (Intent.COMPLAINT, Action.COMPLAINT),
        (Intent.OUT_OF_SCOPE, Action.OUT_OF_SCOPE),
    ],
)
def test_simple_intents_map_to_their_action_with_their_slots(intent, action):
    decision = decide(intent, {"order_id": "7"})
    assert (decision.action, decision.slots) == (action, {"order_id": "7"})


@pytest.mark.parametrize("intent", [Intent.ORDER_STATUS, Intent.CANCEL_ORDER, Intent.RETURN_REFUND])
def test_order_questions_are_order_support_with_the_intent_as_reason(intent):
    decision = decide(intent, {"order_id": "1042"})
    assert (decision.action, decision.reason, decision.slots) == (
        Action.ORDER_SUPPORT,
        intent.value,
        {"order_id": "1042"},
    )


@pytest.mark.parametrize("intent", [Intent.SHIPPING_INFO, Intent.PAYMENT_INFO])
def test_policy_questions_name_their_policy(intent):
    decision = decide(intent)
    assert (decision.action, decision.reason) == (Action.POLICY, intent.value)


@pytest.mark.parametrize("intent", [Intent.SEARCH_PRODUCTS, Intent.RECOMMEND])
def test_a_search_uses_the_words_and_only_search_slots(intent):
    decision = decide(
        intent,
        {"category": "mugs", "max_price": 20, "quantity": 3},
        text="mugs under 20",
        last_slots={"color": "red"},
    )
    assert (decision.action, decision.query) == (Action.SEARCH, "mugs under 20")
    assert decision.slots == {"category": "mugs", "max_price": 20}  # nothing kept from the last search


def test_a_refinement_keeps_the_last_search_and_replaces_what_changed():
    decision = decide(
        Intent.REFINE_SEARCH,
        {"max_price": 15, "product_ref": [1]},
        text="cheaper",
        last_query="mugs",
        last_slots={"category": "mugs", "max_price": 30, "color": "blue", "quantity": 2},
    )
    assert (decision.action, decision.query) == (Action.SEARCH, "mugs")
    assert decision.slots == {"category": "mugs", "max_price": 15, "color": "blue"}


def test_a_refinement_without_a_last_search_searches_its_own_words():
    assert decide(Intent.REFINE_SEARCH, text="in blue").query == "in blue"


def test_yes_at_checkout_confirmation_places_the_order():
    assert (
        decide(Intent.AFFIRM, stage=Stage.CHECKOUT, last_act="ask_confirmation").action == Action.PLACE_ORDER
    )


def test_yes_to_a_confirmation_outside_checkout_places_nothing():
    decision = decide(Intent.AFFIRM, stage=Stage.CART, last_act="ask_confirmation")
    assert (decision.action, decision.reason) == (Action.CLARIFY, "nothing_to_confirm")


def test_yes_to_an_offer_to_add_adds_its_first_product():
    offer = Offer(kind="add_to_cart", product_ids=["sku-9", "sku-8"])
    decision = decide(Intent.AFFIRM, offer=offer)
    assert (decision.action, decision.product_ids) == (Action.ADD_TO_CART, ("sku-9",))


def test_yes_to_an_offer_to_check_out_checks_out():
    assert decide(Intent.AFFIRM, offer=Offer(kind="checkout")).action == Action.CHECKOUT


def test_yes_with_nothing_offered_asks_what_to_do():
    decision = decide(Intent.AFFIRM, offer=Offer(kind="something_else"))
    assert (decision.action, decision.reason) == (Action.CLARIFY, "nothing_to_confirm")


def test_no_at_confirmation_keeps_checkout_else_declines():
    assert decide(Intent.DENY, last_act="ask_confirmation").action == Action.KEEP_CHECKOUT
    assert decide(Intent.DENY, last_act="show_results").action == Action.DECLINE


def test_checkout_while_confirming_is_the_confirmation_unless_it_brings_details():
    assert decide(Intent.CHECKOUT, last_act="ask_confirmation").action == Action.PLACE_ORDER
    for slots in ({"address": "5 Oak Road"}, {"payment_method": "card"}):
        assert decide(Intent.CHECKOUT, slots, last_act="ask_confirmation").action == Action.CHECKOUT
    decision = decide(Intent.CHECKOUT, {"address": "5 Oak Road"}, last_act="show_cart")
    assert (decision.action, decision.slots) == (Action.CHECKOUT, {"address": "5 Oak Road"})


def test_removing_from_an_empty_cart_says_so():
    decision = decide(Intent.REMOVE_FROM_CART, text="remove the mug")
    assert (decision.action, decision.reason, decision.product_ids) == (
        Action.REMOVE_FROM_CART,
        "empty_cart",
        (),
    )


def test_removing_by_position_in_the_cart():
    decision = decide(
        Intent.REMOVE_FROM_CART, {"product_ref": [2, 3, 0]}, text="remove the second", cart=[MUG, LAMP]
    )
    assert (decision.action, decision.product_ids) == (Action.REMOVE_FROM_CART, ("sku-2",))


def test_removing_by_a_word_of_the_title():
    decision = decide(Intent.REMOVE_FROM_CART, text="take the lamp out of my cart", cart=[MUG, LAMP])
    assert decision.product_ids == ("sku-2",)


def test_removing_from_a_one_line_cart_needs_no_name():
    assert decide(Intent.REMOVE_FROM_CART, text="remove it", cart=[MUG]).product_ids == ("sku-1",)


def test_removing_an_unnamed_item_of_several_asks_which():
    decision = decide(Intent.REMOVE_FROM_CART, text="remove one from my cart", cart=[MUG, LAMP])
    assert (decision.action, decision.reason) == (Action.CLARIFY, "which_cart_item")


def test_an_ordinal_points_at_the_products_shown():
    decision = decide(Intent.PRODUCT_QUESTION, {"product_ref": [2, 2]}, shown=["a", "b", "c"], focus=["c"])
    assert (decision.action, decision.product_ids) == (Action.DETAILS, ("b",))


@pytest.mark.parametrize("position", [4, 0, -1])
def test_an_ordinal_beyond_what_was_shown_asks_which_product(position):
    decision = decide(
        Intent.PRODUCT_QUESTION, {"product_ref": [position]}, shown=["a", "b", "c"], focus=["c"]
    )
    assert (decision.action, decision.reason) == (Action.CLARIFY, "which_product")


def test_without_an_ordinal_the_product_in_focus_is_meant():
    assert decide(Intent.PRODUCT_QUESTION, shown=["a", "b"], focus=["b"]).product_ids == ("b",)


def test_a_single_product_shown_is_the_one_meant():
    assert decide(Intent.PRODUCT_QUESTION, shown=["a"]).product_ids == ("a",)


def test_several_shown_and_none_named_asks_which_product():
    decision = decide(Intent.PRODUCT_QUESTION, shown=["a", "b"])
    assert (decision.action, decision.reason) == (Action.CLARIFY, "which_product")
    assert decide(Intent.ADD_TO_CART).reason == "which_product"  # nothing shown at all


def test_comparing_one_named_product_adds_the_first_shown():
    decision = decide(Intent.COMPARE_PRODUCTS, {"product_ref": [3]}, shown=["a", "b", "c"])
    assert (decision.action, decision.product_ids) == (Action.COMPARE, ("c", "a", "b"))
    assert decide(Intent.COMPARE_PRODUCTS, {"product_ref": [1]}, shown=["a", "b"]).product_ids == ("a", "b")


def test_comparing_two_named_products_compares_those():
    decision = decide(Intent.COMPARE_PRODUCTS, {"product_ref": [3, 1]}, shown=["a", "b", "c"])
    assert decision.product_ids == ("c", "a")


def test_adding_several_adds_one_of_each_and_one_product_in_the_asked_quantity():
    several = decide(Intent.ADD_TO_CART, {"product_ref": [1, 2], "quantity": 3}, shown=["a", "b"])
    assert (several.action, several.product_ids, several.quantity) == (Action.ADD_TO_CART, ("a", "b"), 1)
    one = decide(Intent.ADD_TO_CART, {"product_ref": [2], "quantity": 3}, shown=["a", "b"])
    assert (one.product_ids, one.quantity) == (("b",), 3)
    assert decide(Intent.ADD_TO_CART, {"product_ref": [2]}, shown=["a", "b"]).quantity == 1


def test_a_question_about_several_focused_products_details_the_first():
    decision = decide(Intent.PRODUCT_QUESTION, {"color": "red"}, focus=["x", "y"])
    assert (decision.action, decision.product_ids, decision.slots) == (
        Action.DETAILS,
        ("x",),
        {"color": "red"},
    )


def test_every_decision_keeps_the_turns_slots():
    slots = {"color": "red", "quantity": 2}
    shown = {"shown": ["a", "b"]}
    decisions = [
        decide(Intent.SHIPPING_INFO, slots),
        decide(Intent.CHECKOUT, slots, last_act="ask_confirmation"),
        decide(Intent.PRODUCT_QUESTION, slots, **shown),  # which product?
        decide(Intent.COMPARE_PRODUCTS, {**slots, "product_ref": [1, 2]}, **shown),
        decide(Intent.ADD_TO_CART, {**slots, "product_ref": [1]}, **shown),
        decide(Intent.DENY, slots),
    ]
    assert [decision.slots.get("color") for decision in decisions] == ["red"] * len(decisions)


def test_comparing_one_named_product_adds_only_the_first_two_shown():
    decision = decide(Intent.COMPARE_PRODUCTS, {"product_ref": [4]}, shown=["a", "b", "c", "d"])
    assert decision.product_ids == ("d", "a", "b")


def test_removing_the_first_line_by_position():
    assert decide(
        Intent.REMOVE_FROM_CART, {"product_ref": [1]}, text="remove the first", cart=[MUG, LAMP]
    ).product_ids == ("sku-1",)


SHOWN = (
    ProductRecord(id="a", title="Oak Lamp", price=60.0, rating=4.1),
    ProductRecord(id="b", title="Brass Lamp", price=25.0, rating=3.9),
    ProductRecord(id="c", title="Paper Lamp", price=90.0, rating=4.8),
)


@pytest.mark.parametrize(
    ("intent", "sort", "picked"),
    [
        (Intent.ADD_TO_CART, "price_asc", "b"),  # "I'll take the cheapest"
        (Intent.PRODUCT_QUESTION, "price_desc", "c"),  # "tell me about the most expensive one"
        (Intent.ADD_TO_CART, "rating_desc", "c"),  # "add the best rated"
    ],
)
def test_a_superlative_picks_among_the_shown_products(intent, sort, picked):
    turn = Turn("words", None, None, DialogueState(shown=["a", "b", "c"]), Context(shown=SHOWN), [], 0.0)
    decision = Decide(THRESHOLD).run(turn, Understanding("words", intent, 0.9, {"sort": sort}, "classifier"))
    assert decision.product_ids == (picked,) and decision.action != Action.CLARIFY


def test_a_superlative_with_nothing_shown_still_asks_which_product():
    decision = decide(Intent.ADD_TO_CART, {"sort": "price_asc"})
    assert (decision.action, decision.reason) == (Action.CLARIFY, "which_product")


PENDING = {"reason": "cancel_order", "order_id": "1042", "cancel_reason": None}


def test_who_the_shopper_is_resumes_the_order_question_that_asked():
    decision = decide(Intent.SEARCH_PRODUCTS, text="ana@example.com", pending_support=dict(PENDING))
    assert (decision.action, decision.reason, decision.words) == (
        Action.ORDER_SUPPORT, "cancel_order", "ana@example.com"
    )  # fmt: skip
    assert decision.slots == {"order_id": "1042"}  # the reason not given yet is not made up
    with_reason = decide(
        Intent.GREET,
        text="Ana Ruiz 97201",
        pending_support={**PENDING, "cancel_reason": "ordered by mistake"},
    )
    assert with_reason.slots == {"order_id": "1042", "cancel_reason": "ordered by mistake"}


def test_words_that_say_nobody_or_a_new_order_question_do_not_resume():
    unrelated = decide(
        Intent.SEARCH_PRODUCTS, {"category": "mug"}, text="show me mugs", pending_support=PENDING
    )
    assert unrelated.action == Action.SEARCH
    asked = decide(Intent.ORDER_STATUS, text="where is order 2001", pending_support=PENDING)
    assert (asked.action, asked.reason, asked.words) == (
        Action.ORDER_SUPPORT, "order_status", "where is order 2001"
    )  # fmt: skip


def test_the_reason_for_cancelling_goes_on_to_the_confirmation():
    offer = Offer(kind="cancel_order", order_id="#1042", reason=None)
    decision = decide(Intent.COMPLAINT, {"cancel_reason": "no longer needed"}, offer=offer)
    assert (decision.action, decision.reason) == (Action.ORDER_SUPPORT, "cancel_order")
    assert decision.slots == {"order_id": "#1042", "cancel_reason": "no longer needed"}
    given = Offer(kind="cancel_order", order_id="#1042", reason="no longer needed")
    assert (
        decide(Intent.COMPLAINT, {"cancel_reason": "no longer needed"}, offer=given).action
        == Action.COMPLAINT
    )
    other = Offer(kind="add_to_cart", product_ids=["sku-1"])
    assert (
        decide(Intent.COMPLAINT, {"cancel_reason": "no longer needed"}, offer=other).action
        == Action.COMPLAINT
    )


def test_yes_to_a_cancellation_with_its_reason_confirms_it_and_without_one_confirms_nothing():
    given = Offer(kind="cancel_order", order_id="#1042", reason="ordered by mistake")
    decision = decide(Intent.AFFIRM, offer=given)
    assert (decision.action, decision.reason) == (Action.ORDER_SUPPORT, "confirm_cancel")
    assert decision.slots == {"order_id": "#1042", "cancel_reason": "ordered by mistake"}
    unasked = decide(Intent.AFFIRM, offer=Offer(kind="cancel_order", order_id="#1042", reason=None))
    assert (unasked.action, unasked.reason) == (Action.CLARIFY, "nothing_to_confirm")


@pytest.mark.parametrize(
    ("intent", "reason"),
    [(Intent.RETURN_REFUND, "return_refund"), (Intent.SEARCH_PRODUCTS, "order_status")],
)
def test_an_order_number_is_all_an_unsure_turn_needs(intent, reason):
    decision = decide(intent, {"order_id": "1043"}, text="what about 1043?", confidence=0.3)
    assert (decision.action, decision.reason, decision.slots, decision.words) == (
        Action.ORDER_SUPPORT, reason, {"order_id": "1043"}, "what about 1043?"
    )  # fmt: skip
    sure = decide(Intent.SEARCH_PRODUCTS, {"order_id": "1043"}, confidence=THRESHOLD)
    assert sure.action == Action.SEARCH


def test_a_need_that_says_what_they_enjoy_is_a_recommendation_with_its_budget():
    slots = {"recipient": "dad", "interest": "cooking", "max_price": 50}
    decision = decide(Intent.RECOMMEND, slots)
    assert (decision.action, decision.query, decision.slots) == (Action.RECOMMEND, "cooking", slots)


@pytest.mark.parametrize(
    ("slots", "reason"),
    [({"gift": True}, "need_open"), ({"recipient": "wife", "max_price": 40}, "need_interest")],
)
def test_a_need_too_open_to_answer_asks_the_one_question_that_would(slots, reason):
    decision = decide(Intent.SEARCH_PRODUCTS, slots)
    assert (decision.action, decision.reason, decision.slots) == (Action.CLARIFY, reason, slots)


def test_the_answer_adds_to_the_need_asked_about():
    decision = decide(Intent.RECOMMEND, {"interest": "gardening"}, need={"recipient": "dad", "max_price": 60})
    assert decision.action == Action.RECOMMEND and decision.query == "gardening"
    assert decision.slots == {"recipient": "dad", "max_price": 60, "interest": "gardening"}


def test_a_cheaper_refinement_goes_on_with_the_need_and_someone_else_starts_a_new_one():
    need = {"recipient": "dad", "interest": "cooking"}
    cheaper = decide(Intent.REFINE_SEARCH, {"max_price": 23.98}, need=need)
    assert cheaper.action == Action.RECOMMEND and cheaper.slots == {**need, "max_price": 23.98}
    other = decide(Intent.RECOMMEND, {"recipient": "mum", "gift": True}, need=need)
    assert (other.action, other.slots) == (Action.CLARIFY, {"recipient": "mum", "gift": True})


def test_a_need_with_a_named_kind_colour_or_brand_is_a_search_within_its_budget():
    decision = decide(
        Intent.SEARCH_PRODUCTS,
        {"category": "mugs", "interest": "hiking", "recipient": "dad"},
        text="mugs",
        need={"recipient": "dad", "max_price": 30},
    )
    assert decision.action == Action.SEARCH and decision.slots == {"category": "mugs", "max_price": 30}
    red = decide(Intent.SEARCH_PRODUCTS, {"color": "red", "recipient": "dad", "interest": "red shoes"})
    assert red.action == Action.SEARCH
