"""The misreadings seen on real shoppers' words (issue 22), each read right now by the whole understanding
step: the classifier with its second opinion and open-set test, two-act turns and the on-screen rules."""

from __future__ import annotations

import pytest

from core.product import ProductRecord
from core.state import Context
from core.taxonomy import Intent, Stage

COATS = (
    ProductRecord(id="c1", title="Blue Wool Coat", category="Clothing > Coats", price=120.0, color="blue"),
    ProductRecord(id="c2", title="Grey Parka Coat", category="Clothing > Coats", price=95.0, color="grey"),
    ProductRecord(id="c3", title="Red Rain Jacket", category="Clothing > Coats", price=60.0, color="red"),
)
SHOWING = Context(stage=Stage.BROWSING, last_act="show_results", has_results=True, shown=COATS)
FRESH = Context()


@pytest.mark.parametrize(
    ("text", "context", "expected"),
    [
        ("hello! got any jeans?", FRESH, Intent.SEARCH_PRODUCTS),
        ("hi, do you have jeans?", FRESH, Intent.SEARCH_PRODUCTS),
        ("thanks! now show me some belts", FRESH, Intent.SEARCH_PRODUCTS),
        ("what brands are those two coats?", SHOWING, Intent.COMPARE_PRODUCTS),
        ("tell me about the blue jacket and the grey one", SHOWING, Intent.COMPARE_PRODUCTS),
        ("tell me about the first and the third", SHOWING, Intent.COMPARE_PRODUCTS),
        ("which of your coats are cheap?", FRESH, Intent.SEARCH_PRODUCTS),
        ("what else have you got?", SHOWING, Intent.REFINE_SEARCH),
        ("show me backpacks", FRESH, Intent.SEARCH_PRODUCTS),
        ("show me my bag", FRESH, Intent.VIEW_CART),
        ("owl", FRESH, Intent.SEARCH_PRODUCTS),
        ("recliner", FRESH, Intent.SEARCH_PRODUCTS),
        ("blue and white bedsheet", FRESH, Intent.SEARCH_PRODUCTS),
        ("I am still waiting for my 200 dollar refund", FRESH, Intent.RETURN_REFUND),
        ("what's the share price of apple today", FRESH, Intent.OUT_OF_SCOPE),
        ("transfer 300 dollars to my savings account", FRESH, Intent.OUT_OF_SCOPE),
        ("book me a hotel in lisbon for friday", FRESH, Intent.OUT_OF_SCOPE),
        ("set a timer for ten minutes", FRESH, Intent.OUT_OF_SCOPE),
        ("what's the exchange rate for my order in euros", FRESH, Intent.OUT_OF_SCOPE),
    ],
)
def test_real_shoppers_misreadings_are_read_right(assistant, text, context, expected):
    assert assistant.understand.read(text, context).intent == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("hi there!", Intent.GREET), ("thanks so much", Intent.THANKS), ("bye for now", Intent.GOODBYE)],
)
def test_small_talk_alone_stays_small_talk(assistant, text, expected):
    assert assistant.understand.read(text, FRESH).intent == expected


def test_yes_with_a_request_is_the_request(assistant):
    offered = Context(stage=Stage.CONSIDERATION, last_act="offer_cross_sell", has_results=True, shown=COATS)
    assert assistant.understand.read("yes and add a belt too", offered).intent == Intent.ADD_TO_CART
