"""assistant/replies/templates.py: the wording a shop assistant would use — plurals, the shopper's details read
back as they are written, quick replies that fit what is on screen."""

from __future__ import annotations

from assistant.replies.templates import TemplateReplies
from core.product import ProductRecord
from core.settings import Settings
from core.state import Action, CartLine, Decision, DialogueState, Outcome

SOFA = ProductRecord(
    id="s1", title="Hearthstone Low-Profile Sofa", price=550.0, stock=3, category="Home > Sofas"
)
CART = [CartLine(product_id="s1", title=SOFA.title, quantity=1, unit_price=550.0)]


def render(decision: Decision, outcome: Outcome) -> tuple[str, list[str], str]:
    return TemplateReplies(Settings()).render(decision, outcome, DialogueState())


def test_one_result_is_one_option_without_a_comparison_chip():
    decision = Decision(Action.SEARCH, query="sofas", slots={"max_price": 639.99}, reason="relative_price")
    text, chips, _ = render(decision, Outcome(products=[SOFA], facts={"filters": {"max_price": 639.99}}))
    assert text.startswith("Here is 1 cheaper option:")
    assert "1 results" not in text and "one of them" not in text
    assert not any("Compare" in chip for chip in chips)


def test_a_resorted_list_says_its_order():
    decision = Decision(Action.SEARCH, query="sofas", slots={"category": "sofas", "sort": "price_asc"})
    outcome = Outcome(
        products=[SOFA, SOFA.model_copy(update={"id": "s2"})], facts={"filters": {"category": "sofas"}}
    )
    assert render(decision, outcome)[0].startswith("Here are 2 results for sofas, cheapest first:")


def test_checkout_offers_no_invented_details_to_a_stranger():
    facts = {"missing": ["shipping address", "payment method"], "checkout": {}, "saved_details": {}}
    text, chips, act = render(Decision(Action.CHECKOUT), Outcome(cart=CART, facts=facts))
    assert act == "ask_checkout_details" and chips == []
    assert "4242" not in text and "Main Street" not in text


def test_checkout_offers_a_known_shoppers_own_details_and_reads_a_correction_back():
    saved = {"payment method": ["Pay with PayPal"], "shipping address": ["Ship to 14 Harbour Road"]}
    facts = {
        "missing": ["payment method"],
        "checkout": {"address": "7 Oak Ave, Boston"},
        "saved_details": saved,
    }
    text, chips, _ = render(Decision(Action.CHECKOUT), Outcome(cart=CART, facts=facts))
    assert chips == ["Pay with PayPal"]
    assert "Shipping to: 7 Oak Ave, Boston." in text


def test_the_payment_method_is_read_back_by_its_name():
    facts = {"missing": [], "checkout": {"address": "7 Oak Ave, Boston", "payment": "paypal"}}
    text, _, act = render(Decision(Action.CHECKOUT), Outcome(cart=CART, facts=facts))
    assert act == "ask_confirmation"
    assert "Payment: PayPal." in text
