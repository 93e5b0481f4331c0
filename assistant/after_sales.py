"""The store's after-sales policy (docs/store-data.md) as rules over one order: what a request would change, or
the rule that forbids it, or what is still to be asked.

`plan` reads and never writes, so the assistant can state the exact change and wait for a yes; `apply` writes a
planned change inside the turn's transaction, after the yes, and is given a plan made again from the order as it
is then (another conversation may have changed it meanwhile: the second request is refused by the rule the first
one's change now triggers). Every amount moves as a payment line on the order and, for a gift card, on the
shopper's balance, so what was paid less what was refunded is always what the shopper keeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from core.product import ProductRecord, Variant
from db.models import Order, Shopper
from db.store_data import chat_order_record, item_line, net_payments, refund_lines

KINDS = ("cancel", "modify_address", "modify_payment", "modify_items", "return", "exchange")
CANCEL_REASONS = ("no longer needed", "ordered by mistake")
# The journey event each change records (journey/events.py).
EVENTS = {
    "cancel": "order_cancelled",
    "return": "return_requested",
    "exchange": "exchange_requested",
    "modify_address": "order_modified",
    "modify_payment": "order_modified",
    "modify_items": "order_modified",
}
# An order placed in chat is stored as "placed" until the store processes it: the contract's "pending".
PENDING = ("pending", "placed")


@dataclass
class Request:
    """What the shopper asked for, as far as they said it; `plan` says what is still missing."""

    kind: str
    order_id: str
    reason: str | None = None  # a cancellation's
    variant_ids: list[str] = field(default_factory=list)  # the order's lines it is about
    to: dict[str, str] = field(default_factory=dict)  # line's variant id → the variant wanted instead
    method: str | None = None  # the payment method that pays, or is refunded
    address: dict[str, str] | None = None

    def as_data(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Change:
    """Exactly what a yes will do to the order (and to a gift card's balance)."""

    kind: str
    status: str
    lines: list[dict[str, Any]] = field(
        default_factory=list
    )  # the lines it is about, as the order lists them
    to: dict[str, dict[str, Any]] = field(default_factory=dict)  # line's variant id → the new line
    payments: list[dict[str, Any]] = field(default_factory=list)  # payment lines added
    address: dict[str, str] | None = None
    method: str | None = None
    reason: str | None = None


@dataclass
class Refusal:
    rule: str  # the policy's words: "only a delivered order can be returned"


@dataclass
class Missing:
    what: str  # reason | items | variant | address | method | change
    choices: list[str] = field(default_factory=list)


Plan = Change | Refusal | Missing


def plan(
    request: Request, order: Order, shopper: Shopper | None, products: Mapping[str, ProductRecord]
) -> Plan:
    record = order.record or chat_order_record(order)
    status = order.status
    methods = {
        method["id"]: method for method in (shopper.record.get("payment_methods", []) if shopper else [])
    }
    lines = order_lines(order)
    if request.kind == "cancel":
        if status not in PENDING:
            return Refusal("only a pending order can be cancelled")
        if request.reason not in CANCEL_REASONS:
            return Missing("reason", list(CANCEL_REASONS))
        return Change("cancel", "cancelled", lines, payments=refund_lines(record), reason=request.reason)
    if request.kind.startswith("modify_"):
        if not (status in PENDING or status.startswith("pending")):
            return Refusal("only a pending order can be changed")
        if request.kind == "modify_address":
            if not request.address:
                return Missing("address")
            return Change("modify_address", status, address=request.address)
        if request.kind == "modify_payment":
            return _new_payment(request, order, record, methods)
    if request.kind in ("return", "exchange") and status != "delivered":
        verb = "returned" if request.kind == "return" else "exchanged"
        return Refusal(f"only a delivered order can be {verb}")
    if request.kind == "modify_items" and status not in PENDING:
        return Refusal("the items of an order can be changed only once, while it is pending")
    if request.kind not in KINDS:
        raise ValueError(f"unknown after-sales request {request.kind!r}")
    chosen = [line for line in lines if line["variant_id"] in request.variant_ids]
    if not chosen:
        return Missing("items", [line["title"] for line in lines])
    if request.kind == "return":
        return _return(request, chosen, record, methods)
    return _swap(request, chosen, record, methods, products)


def _new_payment(request: Request, order: Order, record: dict, methods: dict) -> Plan:
    paid = net_payments(record)
    if request.method is None:
        return Missing("method", [method_id for method_id in methods if method_id not in paid])
    if request.method not in methods:
        return Refusal("the new payment method must be one on your account")
    if set(paid) == {request.method}:
        return Refusal("the new payment method must differ from the one that paid")
    if (problem := _cannot_cover(methods[request.method], order.total)) is not None:
        return problem
    back = refund_lines(record)
    payments = [*back, {"kind": "payment", "amount": order.total, "payment_method_id": request.method}]
    return Change("modify_payment", order.status, payments=payments, method=request.method)


def _return(request: Request, chosen: list[dict], record: dict, methods: dict) -> Plan:
    original = next(iter(net_payments(record)), None)
    method = request.method or original
    if method != original and methods.get(method, {}).get("kind") != "gift_card":
        return Refusal("a refund goes to the original payment method or to a gift card on your account")
    amount = round(sum(line["quantity"] * line["unit_price"] for line in chosen), 2)
    refund = {"kind": "refund", "amount": amount, "payment_method_id": method}
    return Change("return", "return requested", chosen, payments=[refund], method=method)


def _swap(request: Request, chosen: list[dict], record: dict, methods: dict, products) -> Plan:
    """An exchange (delivered) or an item change (pending): each line to another variant of its own product."""
    new: dict[str, dict[str, Any]] = {}
    for line in chosen:
        product = products.get(line["product_id"])
        wanted = request.to.get(line["variant_id"])
        if product is None:
            return Refusal("an item can only be swapped for another variant of the same product")
        others = [unit for unit in product.units() if unit.id != line["variant_id"]]
        if wanted is None:
            return Missing("variant", [_label(unit) for unit in others if unit.buyable])
        variant = product.variant(wanted)
        if variant is None or variant.id == line["variant_id"]:
            return Refusal("an item can only be swapped for another variant of the same product")
        if not variant.buyable:
            return Refusal(f"{_label(variant) or product.title} is not available")
        new[line["variant_id"]] = {
            **line,
            "variant_id": variant.id,
            "options": variant.options,
            "unit_price": product.price_of(variant),
        }
    difference = round(
        sum(
            (new[line["variant_id"]]["unit_price"] - line["unit_price"]) * line["quantity"] for line in chosen
        ),
        2,
    )
    method = request.method or next(iter(net_payments(record)), None)
    payments = []
    if difference:
        if method not in methods and method not in net_payments(record):
            return Refusal(
                "the price difference is paid or refunded through a payment method on your account"
            )
        if difference > 0 and (problem := _cannot_cover(methods.get(method, {}), difference)) is not None:
            return problem
        kind = "payment" if difference > 0 else "refund"
        payments = [{"kind": kind, "amount": abs(difference), "payment_method_id": method}]
    status = "exchange requested" if request.kind == "exchange" else "pending (items modified)"
    return Change(
        request.kind, status, chosen, to=new, payments=payments, method=method if difference else None
    )


def _cannot_cover(method: dict, amount: float) -> Refusal | None:
    if method.get("kind") == "gift_card" and float(method.get("balance") or 0) < amount - 0.005:
        return Refusal(
            f"the gift card's balance ({float(method.get('balance') or 0):.2f}) does not cover {amount:.2f}"
        )
    return None


def apply(change: Change, order: Order, shopper: Shopper | None) -> None:
    """Writes a planned change: the order's status, lines, address and payment lines, and any gift card's balance
    on the shopper's account; the change is kept on the order's record for the export and the console."""
    record = dict(order.record or chat_order_record(order))
    record["payments"] = [*record.get("payments", []), *change.payments]
    if change.address is not None:
        record["address"] = change.address
        order.shipping_address = ", ".join(part for part in change.address.values() if part)
    if change.kind == "modify_payment":
        order.payment_method = change.method
    if change.kind == "return":
        record["return_items"] = [line["variant_id"] for line in change.lines]
    if change.to:
        for item in order.items:
            if (line := change.to.get(item.variant_id)) is not None:
                item.variant_id, item.options, item.unit_price = (
                    line["variant_id"],
                    line["options"],
                    line["unit_price"],
                )
        swapped = [{"from": old, "to": line["variant_id"]} for old, line in change.to.items()]
        record[f"{change.kind}_items"] = [*record.get(f"{change.kind}_items", []), *swapped]
        order.total = round(sum(item.quantity * item.unit_price for item in order.items), 2)
        if "items" in record:  # an imported order's lines as the export gives them back, now the new variants
            record["items"] = [_swapped(line, change.to) for line in record["items"]]
    order.status = change.status
    order.record = record
    if shopper is not None:
        _move_gift_card_balances(shopper, change.payments)


def _swapped(line: dict[str, Any], to: dict[str, dict[str, Any]]) -> dict[str, Any]:
    new = to.get(line.get("variant_id") or line.get("product_id"))
    if new is None:
        return line
    return {**line, **{key: new[key] for key in ("variant_id", "options", "unit_price")}}


def claim_order(session: Session, order: Order) -> bool:
    """Takes the order for one change: its version moves on only if no one else's change came first (a
    conditional UPDATE, atomic on SQLite and PostgreSQL alike); False when another conversation's did."""
    seen = order.version
    moved = session.execute(
        update(Order)
        .where(Order.id == order.id, Order.version == seen)
        .values(version=seen + 1)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount == 0:
        session.refresh(order)
        return False
    order.version = seen + 1
    return True


def _move_gift_card_balances(shopper: Shopper, payments: list[dict]) -> None:
    record = dict(shopper.record)
    methods = [dict(method) for method in record.get("payment_methods", [])]
    for method in methods:
        if method.get("kind") != "gift_card":
            continue
        for line in payments:
            if line["payment_method_id"] == method["id"]:
                sign = -1 if line["kind"] == "payment" else 1
                method["balance"] = round(float(method.get("balance") or 0) + sign * line["amount"], 2)
    record["payment_methods"] = methods
    shopper.record = record


def kept_value(order: Order) -> float:
    """What the shopper keeps, at what they pay for it: nothing of a cancelled order, and not the lines they
    return. The money property: payments − refunds on the order is always this."""
    if order.status == "cancelled":
        return 0.0
    returned = set((order.record or {}).get("return_items", []))
    return round(sum(i.quantity * i.unit_price for i in order.items if i.variant_id not in returned), 2)


def net_paid(order: Order) -> float:
    """What the order's payment lines took less what its refund lines gave back, whatever methods they used."""
    payments = (order.record or chat_order_record(order)).get("payments", [])
    return round(
        sum((1 if p.get("kind") == "payment" else -1) * float(p.get("amount", 0)) for p in payments), 2
    )


def order_lines(order: Order) -> list[dict[str, Any]]:
    return [item_line(item) for item in order.items]


def _label(unit: Variant) -> str:
    return ", ".join(unit.options.values())
