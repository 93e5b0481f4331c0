"""assistant/understanding/order_requests.py: what an after-sales request says about the order it is about."""

from __future__ import annotations

import pytest

from assistant.after_sales import Request
from assistant.understanding.order_requests import read_request, request_kind
from core.product import ProductRecord

SHOE = ProductRecord(
    id="p-shoe",
    title="Trail Runner Shoe",
    price=120.0,
    variants=[
        {"id": f"shoe-{color}-{size}", "options": {"color": color, "size": size}}
        for color in ("blue", "grey")
        for size in ("9", "10", "11")
    ],
)
BOTTLE = ProductRecord(id="p-bottle", title="Steel Water Bottle", price=20.0)
LAMP = ProductRecord(id="p-lamp", title="Brass Desk Lamp", price=40.0)
PRODUCTS = {p.id: p for p in (SHOE, BOTTLE, LAMP)}
LINES = [
    {"product_id": "p-shoe", "variant_id": "shoe-blue-10", "title": "Trail Runner Shoe",
     "options": {"color": "blue", "size": "10"}, "quantity": 1, "unit_price": 120.0},
    {"product_id": "p-bottle", "variant_id": "p-bottle", "title": "Steel Water Bottle", "options": {},
     "quantity": 1, "unit_price": 20.0},
]  # fmt: skip
METHODS = [
    {"id": "card_ana", "kind": "credit_card", "brand": "visa", "last4": "4242"},
    {"id": "paypal_ana", "kind": "paypal"},
    {"id": "gift_ana", "kind": "gift_card", "balance": 30.0},
]


@pytest.mark.parametrize(
    ("reason", "text", "status", "kind"),
    [
        ("cancel_order", "cancel it", "pending", "cancel"),
        ("return_refund", "I want to return the shoes", "delivered", "return"),
        ("return_refund", "can I swap them for a bigger size", "delivered", "exchange"),
        ("return_refund", "exchange the shoes for size 11", "pending", "modify_items"),
        ("modify_order", "change the size of the shoes to 11", "delivered", "exchange"),
        ("modify_order", "change the shipping address to 5 Elm St", "pending", "modify_address"),
        ("modify_order", "pay with my gift card instead", "pending", "modify_payment"),
        ("order_status", "where is it", "pending", None),
    ],
)
def test_the_kind_of_change(reason, text, status, kind):
    assert request_kind(reason, text, status) == kind


def read(kind: str, text: str, slots=None, lines=LINES) -> Request:
    return read_request(Request(kind, "#1"), text, slots or {}, lines, PRODUCTS, METHODS)


def test_the_lines_are_named_by_their_titles_or_positions():
    assert read("return", "return the water bottle from that order").variant_ids == ["p-bottle"]
    assert read("return", "the second item").variant_ids == ["p-bottle"]
    assert read("return", "return the trail shoes").variant_ids == ["shoe-blue-10"]
    assert read("return", "I want to return something").variant_ids == []
    assert read("return", "return it", lines=LINES[:1]).variant_ids == ["shoe-blue-10"]


def test_the_variant_wanted_keeps_the_options_not_named():
    request = read("exchange", "exchange the shoes for a size 11", {"size": "11"})
    assert request.to == {"shoe-blue-10": "shoe-blue-11"}
    assert read("exchange", "the shoes in grey instead", {"color": "grey"}).to == {
        "shoe-blue-10": "shoe-grey-10"
    }


def test_another_product_named_is_kept_for_the_policy_to_refuse():
    assert read("exchange", "exchange the water bottle for the brass desk lamp").to == {"p-bottle": "p-lamp"}


@pytest.mark.parametrize(
    ("text", "method"),
    [
        ("refund it to my gift card", "gift_ana"),
        ("use the card ending 4242", "card_ana"),
        ("pay with paypal", "paypal_ana"),
        ("refund me please", None),
    ],
)
def test_the_payment_method_named(text, method):
    assert read("return", text).method == method


def test_a_new_address_is_the_words_after_to():
    request = read(
        "modify_address",
        "please change the shipping address of order #5001 to 5 Elm Street, Springfield, IL 62701",
    )
    assert request.address == {"line1": "5 Elm Street, Springfield, IL 62701"}
    assert read("modify_address", "change my address").address is None


def test_what_an_earlier_turn_said_carries_over():
    first = read("exchange", "I want to exchange the shoes")
    later = read_request(first, "size 11", {"size": "11"}, LINES, PRODUCTS, METHODS)
    assert later.variant_ids == ["shoe-blue-10"] and later.to == {"shoe-blue-10": "shoe-blue-11"}
