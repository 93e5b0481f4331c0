"""assistant/after_sales.py: every rule of the store's after-sales policy (docs/store-data.md), each refusal too,
on orders as the database holds them; and the money property: what was paid less what was refunded is what the
shopper keeps, after any sequence of changes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.after_sales import (
    Change,
    Missing,
    Refusal,
    Request,
    apply,
    kept_value,
    net_paid,
    plan,
)
from core.product import ProductRecord
from db.models import Order, OrderItem, Shopper

SHOE = ProductRecord(
    id="p-shoe",
    title="Trail Runner Shoe",
    price=120.0,
    variants=[
        {"id": "shoe-9", "options": {"size": "9"}},
        {"id": "shoe-10", "options": {"size": "10"}},
        {"id": "shoe-11", "options": {"size": "11"}, "price": 125.0},
        {"id": "shoe-12", "options": {"size": "12"}, "available": False},
    ],
)
MUG = ProductRecord(id="p-mug", title="Enamel Mug", price=12.0)
PRODUCTS = {product.id: product for product in (SHOE, MUG)}


def shopper(gift_card: float = 30.0) -> Shopper:
    methods = [
        {"id": "card", "kind": "credit_card", "last4": "4242"},
        {"id": "paypal", "kind": "paypal"},
        {"id": "gift", "kind": "gift_card", "balance": gift_card},
    ]
    return Shopper(id="ana", record={"id": "ana", "payment_methods": methods})


def order(status: str = "pending", paid_with: str = "card") -> Order:
    items = [
        OrderItem(product_id="p-shoe", variant_id="shoe-10", title="Trail Runner Shoe", options={"size": "10"},
                  quantity=1, unit_price=120.0),
        OrderItem(product_id="p-mug", variant_id="p-mug", title="Enamel Mug", options={}, quantity=2,
                  unit_price=12.0),
    ]  # fmt: skip
    record = {"payments": [{"kind": "payment", "amount": 144.0, "payment_method_id": paid_with}]}
    return Order(number="#1", status=status, total=144.0, items=items, record=record, version=0,
                 shipping_address="14 Harbour Road", payment_method=paid_with)  # fmt: skip


def balance(who: Shopper) -> float:
    return next(m["balance"] for m in who.record["payment_methods"] if m["id"] == "gift")


# --- Cancel --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["processed", "delivered", "cancelled", "return requested"])
def test_only_a_pending_order_is_cancelled(status):
    result = plan(Request("cancel", "#1", reason="no longer needed"), order(status), shopper(), PRODUCTS)
    assert result == Refusal("only a pending order can be cancelled")


def test_a_cancellation_needs_one_of_the_policys_reasons_then_refunds_everything():
    assert plan(Request("cancel", "#1", reason="too slow"), order(), shopper(), PRODUCTS) == Missing(
        "reason", ["no longer needed", "ordered by mistake"]
    )
    change = plan(Request("cancel", "#1", reason="ordered by mistake"), order(), shopper(), PRODUCTS)
    assert change.status == "cancelled"
    assert change.payments == [{"kind": "refund", "amount": 144.0, "payment_method_id": "card"}]


# --- Modify a pending order ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["modify_address", "modify_payment", "modify_items"])
def test_a_delivered_order_is_not_modified(kind):
    result = plan(Request(kind, "#1", address={"line1": "x"}), order("delivered"), shopper(), PRODUCTS)
    assert isinstance(result, Refusal) and "pending" in result.rule


def test_the_address_is_asked_for_then_changed_and_nothing_else():
    assert plan(Request("modify_address", "#1"), order(), shopper(), PRODUCTS) == Missing("address")
    mine = order()
    change = plan(Request("modify_address", "#1", address={"line1": "5 Elm St"}), mine, shopper(), PRODUCTS)
    apply(change, mine, shopper())
    assert mine.status == "pending" and mine.shipping_address == "5 Elm St"
    assert mine.record["address"] == {"line1": "5 Elm St"} and len(mine.record["payments"]) == 1


def test_a_new_payment_method_must_be_the_shoppers_own_and_differ_from_the_one_that_paid():
    asked = plan(Request("modify_payment", "#1"), order(), shopper(), PRODUCTS)
    assert asked == Missing("method", ["paypal", "gift"])
    assert plan(Request("modify_payment", "#1", method="card"), order(), shopper(), PRODUCTS) == Refusal(
        "the new payment method must differ from the one that paid"
    )
    assert plan(
        Request("modify_payment", "#1", method="someone_elses"), order(), shopper(), PRODUCTS
    ) == Refusal("the new payment method must be one on your account")


def test_a_gift_card_pays_only_when_its_balance_covers_the_total():
    refused = plan(Request("modify_payment", "#1", method="gift"), order(), shopper(100.0), PRODUCTS)
    assert refused == Refusal("the gift card's balance (100.00) does not cover 144.00")
    mine, who = order(), shopper(150.0)
    change = plan(Request("modify_payment", "#1", method="gift"), mine, who, PRODUCTS)
    apply(change, mine, who)
    assert mine.payment_method == "gift" and balance(who) == 6.0
    assert mine.record["payments"][1:] == [
        {"kind": "refund", "amount": 144.0, "payment_method_id": "card"},
        {"kind": "payment", "amount": 144.0, "payment_method_id": "gift"},
    ]


def test_an_item_changes_to_another_variant_of_its_product_once_with_the_difference_paid():
    mine, who = order(), shopper()
    asked = plan(Request("modify_items", "#1", variant_ids=["shoe-10"]), mine, who, PRODUCTS)
    assert asked == Missing("variant", ["9", "11"])  # size 12 cannot be bought
    request = Request("modify_items", "#1", variant_ids=["shoe-10"], to={"shoe-10": "shoe-11"})
    change = plan(request, mine, who, PRODUCTS)
    assert change.payments == [{"kind": "payment", "amount": 5.0, "payment_method_id": "card"}]
    apply(change, mine, who)
    assert mine.status == "pending (items modified)" and mine.total == 149.0
    assert [item.variant_id for item in mine.items] == ["shoe-11", "p-mug"]
    again = Request("modify_items", "#1", variant_ids=["shoe-11"], to={"shoe-11": "shoe-9"})
    assert plan(again, mine, who, PRODUCTS) == Refusal(
        "the items of an order can be changed only once, while it is pending"
    )


@pytest.mark.parametrize(
    ("wanted", "rule"),
    [
        ("p-mug", "an item can only be swapped for another variant of the same product"),
        ("shoe-10", "an item can only be swapped for another variant of the same product"),
        ("shoe-12", "size 12 is not available"),
    ],
)
def test_a_swap_across_products_to_the_same_variant_or_to_one_not_for_sale_is_refused(wanted, rule):
    request = Request("modify_items", "#1", variant_ids=["shoe-10"], to={"shoe-10": wanted})
    assert plan(request, order(), shopper(), PRODUCTS) == Refusal(rule.replace("size 12", "12"))


def test_a_difference_paid_by_a_gift_card_must_be_covered_by_it():
    request = Request("modify_items", "#1", variant_ids=["shoe-10"], to={"shoe-10": "shoe-11"}, method="gift")
    assert plan(request, order(), shopper(gift_card=4.0), PRODUCTS) == Refusal(
        "the gift card's balance (4.00) does not cover 5.00"
    )


# --- Return and exchange a delivered order -----------------------------------------------------------------


@pytest.mark.parametrize(("kind", "verb"), [("return", "returned"), ("exchange", "exchanged")])
@pytest.mark.parametrize("status", ["pending", "processed", "cancelled"])
def test_only_a_delivered_order_is_returned_or_exchanged(kind, verb, status):
    result = plan(Request(kind, "#1", variant_ids=["p-mug"]), order(status), shopper(), PRODUCTS)
    assert result == Refusal(f"only a delivered order can be {verb}")


def test_a_return_asks_which_items_and_refunds_them_to_the_original_method():
    mine = order("delivered")
    assert plan(Request("return", "#1"), mine, shopper(), PRODUCTS) == Missing(
        "items", ["Trail Runner Shoe", "Enamel Mug"]
    )
    change = plan(Request("return", "#1", variant_ids=["p-mug"]), mine, shopper(), PRODUCTS)
    assert change.payments == [{"kind": "refund", "amount": 24.0, "payment_method_id": "card"}]
    apply(change, mine, shopper())
    assert mine.status == "return requested" and mine.record["return_items"] == ["p-mug"]
    assert net_paid(mine) == kept_value(mine) == 120.0


def test_a_refund_goes_to_the_original_method_or_a_gift_card_and_nowhere_else():
    request = Request("return", "#1", variant_ids=["p-mug"], method="paypal")
    assert plan(request, order("delivered"), shopper(), PRODUCTS) == Refusal(
        "a refund goes to the original payment method or to a gift card on your account"
    )
    mine, who = order("delivered"), shopper(30.0)
    change = plan(Request("return", "#1", variant_ids=["shoe-10"], method="gift"), mine, who, PRODUCTS)
    apply(change, mine, who)
    assert balance(who) == 150.0


def test_an_exchange_for_a_cheaper_variant_refunds_the_difference():
    mine = order("delivered")
    request = Request("exchange", "#1", variant_ids=["shoe-10"], to={"shoe-10": "shoe-11"})
    apply(plan(request, mine, shopper(), PRODUCTS), mine, shopper())
    assert mine.status == "exchange requested" and mine.record["exchange_items"] == [
        {"from": "shoe-10", "to": "shoe-11"}
    ]
    cheaper = order("delivered")
    cheaper.items[0].unit_price = 130.0
    cheaper.record["payments"][0]["amount"] = 154.0
    change = plan(request, cheaper, shopper(), PRODUCTS)
    assert change.payments == [{"kind": "refund", "amount": 5.0, "payment_method_id": "card"}]


def test_an_unknown_request_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown after-sales request"):
        plan(Request("teleport", "#1", variant_ids=["p-mug"]), order("delivered"), shopper(), PRODUCTS)


# --- Money always balances ---------------------------------------------------------------------------------

REQUESTS = st.sampled_from(
    [
        Request("cancel", "#1", reason="no longer needed"),
        Request("modify_address", "#1", address={"line1": "5 Elm St"}),
        Request("modify_payment", "#1", method="gift"),
        Request("modify_payment", "#1", method="paypal"),
        Request("modify_items", "#1", variant_ids=["shoe-10"], to={"shoe-10": "shoe-11"}),
        Request("modify_items", "#1", variant_ids=["shoe-10"], to={"shoe-10": "shoe-9"}, method="gift"),
        Request("return", "#1", variant_ids=["p-mug"]),
        Request("return", "#1", variant_ids=["shoe-10", "p-mug"], method="gift"),
        Request("exchange", "#1", variant_ids=["shoe-10"], to={"shoe-10": "shoe-11"}, method="paypal"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    status=st.sampled_from(["pending", "delivered"]),
    gift_card=st.sampled_from([0.0, 10.0, 500.0]),
    requests=st.lists(REQUESTS, max_size=5),
)
def test_payments_less_refunds_are_what_the_shopper_keeps_after_any_changes(status, gift_card, requests):
    mine, who = order(status), shopper(gift_card)
    start = balance(who)
    for request in requests:
        result = plan(request, mine, who, PRODUCTS)
        if isinstance(result, Change):
            apply(result, mine, who)
        assert net_paid(mine) == kept_value(mine)
        assert balance(who) >= 0
    # A gift card's balance moved by exactly what it paid less what it got back on this order.
    by_gift = sum(
        (1 if p["kind"] == "refund" else -1) * p["amount"]
        for p in mine.record["payments"]
        if p["payment_method_id"] == "gift"
    )
    assert round(balance(who) - start, 2) == round(by_gift, 2)
