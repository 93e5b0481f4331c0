"""assistant/understanding/intent_rules.py: the intents the screen decides, rule by rule, without a model."""

from __future__ import annotations

import pytest

from assistant.understanding.intent_rules import asks_policy, reconcile
from core.product import ProductRecord
from core.state import Context
from core.taxonomy import Intent

SHOWN = Context(
    has_results=True,
    shown=(
        ProductRecord(id="a", title="Oak Lamp", price=60.0),
        ProductRecord(id="b", title="Brass Lamp", price=25.0),
    ),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'll take the cheapest", Intent.ADD_TO_CART),
        ("add the best rated one to my cart", Intent.ADD_TO_CART),
        ("tell me about the most expensive one", Intent.PRODUCT_QUESTION),
        ("what's the cheapest made of?", Intent.PRODUCT_QUESTION),
        ("the cheapest first please", Intent.REFINE_SEARCH),
        ("show me the cheapest lamps", Intent.REFINE_SEARCH),
        ("sort by price", Intent.REFINE_SEARCH),
    ],
)
def test_a_superlative_picks_one_shown_product_and_a_sort_stays_a_sort(text, expected):
    assert reconcile(Intent.REFINE_SEARCH, text, {"sort": "price_asc"}, SHOWN) == expected


def test_a_question_naming_another_kind_than_the_shown_is_a_search():
    asked = {"color": "blue", "category": "backpacks"}
    assert (
        reconcile(Intent.PRODUCT_QUESTION, "do you have blue backpacks?", asked, SHOWN)
        == Intent.SEARCH_PRODUCTS
    )
    lamps = {"color": "blue", "category": "lamps"}
    assert reconcile(Intent.PRODUCT_QUESTION, "do you have blue lamps?", lamps, SHOWN) == Intent.REFINE_SEARCH
    assert reconcile(Intent.PRODUCT_QUESTION, "does this lamp come in blue?", lamps, SHOWN) == (
        Intent.PRODUCT_QUESTION
    )
    assert reconcile(Intent.PRODUCT_QUESTION, "is the cheapest lamp brass?", lamps, SHOWN) == (
        Intent.PRODUCT_QUESTION
    )


def test_with_nothing_shown_a_superlative_is_a_search():
    assert (
        reconcile(Intent.SEARCH_PRODUCTS, "I'll take the cheapest", {}, Context()) == Intent.SEARCH_PRODUCTS
    )


@pytest.mark.parametrize("intent", [Intent.GREET, Intent.OUT_OF_SCOPE, Intent.COMPLAINT])
def test_a_product_named_is_a_search_whatever_the_classifier_read(intent):
    assert reconcile(intent, "Hoka Clifton 9", {}, Context(), names_model=True) == Intent.SEARCH_PRODUCTS
    assert reconcile(intent, "Hoka Clifton 9", {}, Context(), names_model=False) == intent


@pytest.mark.parametrize(
    ("text", "policy"),
    [
        ("what's your return policy?", True),
        ("can I return shoes if they don't fit?", True),
        ("do you accept returns on sale items?", True),
        ("how many days do I have to send something back", True),
        ("are returns free?", True),
        ("is this jacket returnable", True),
        ("I want to return the shoes", False),
        ("refund please", False),
        ("where is my refund for order 1042", False),
        ("how long will my refund take", False),
    ],
)
def test_a_question_about_the_return_rules_is_told_from_a_return(text: str, policy: bool) -> None:
    assert asks_policy(text) is policy
