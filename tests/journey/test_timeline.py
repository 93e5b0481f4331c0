"""journey/timeline.py: each journey event in a few words for the console, after-sales changes with what they did
to which order and where the money went."""

from __future__ import annotations

import pytest

from db.models import JourneyEvent
from journey.timeline import describe


@pytest.mark.parametrize(
    ("kind", "data", "text"),
    [
        ("search", {"query": "mugs", "results": 1}, 'searched: "mugs" (1 result)'),
        ("cart_add", {"product_id": "p-tee", "quantity": 2}, "added to cart: 2 × p-tee"),
        (
            "return_requested",
            {"order_id": 7, "change": "return", "status": "return requested",
             "payments": [{"kind": "refund", "amount": 20, "payment_method_id": "paypal_ana"}]},
            "asked for a return: return of order 7 → return requested; refund 20.00 to paypal_ana",
        ),
        (
            "order_modified",
            {"order_id": 3, "change": "modify_address", "status": "pending", "payments": []},
            "changed an order: modify address of order 3 → pending",
        ),
        (
            "after_sales_refused",
            {"order_id": 3, "kind": "cancel", "rule": "only a pending order can be cancelled"},
            "was refused an order change: cancel of order 3: only a pending order can be cancelled",
        ),
    ],
)  # fmt: skip
def test_an_event_in_a_few_words(kind, data, text):
    assert describe(JourneyEvent(kind=kind, data=data)) == text
