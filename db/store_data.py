"""The store's shoppers and orders in and out of the database: `shoppers import`, `orders import` and
`orders export` of `docs/store-data.md`.

Each import upserts by id inside one transaction; a bad line is reported and skipped, never half-loaded. An
imported order keeps its whole line (`Order.record`), so an export gives it back unchanged, with what
conversations did to it since (a cancellation, its refund).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.product import ProductRecord
from core.store_records import OrderRecord, Record, ShopperRecord
from db.models import Order, OrderItem, Product, Shopper

# An order placed in chat is stored as "placed"; the contract calls that state "pending".
CHAT_STATUS = {"placed": "pending"}


@dataclass
class LoadReport:
    loaded: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.problems)

    def summary(self) -> str:
        return f"{self.loaded} loaded, {self.skipped} skipped"


def read_lines(
    lines: Iterable[str], model: type[Record], report: LoadReport
) -> Iterator[tuple[int, dict[str, Any], Any]]:
    """Each JSON line as written and validated as `model`, with its line number; a bad one goes into the report
    as `line N: field: reason`."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            yield number, raw, model.model_validate(raw)
        except json.JSONDecodeError as error:
            report.problems.append(f"line {number}: *: not valid JSON ({error.msg})")
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "*"
            report.problems.append(f"line {number}: {where}: {first['msg'].removeprefix('Value error, ')}")


def import_shoppers(session: Session, lines: Iterable[str]) -> LoadReport:
    report = LoadReport()
    for _number, raw, record in read_lines(lines, ShopperRecord, report):
        shopper = session.get(Shopper, record.id) or Shopper(id=record.id)
        shopper.email = record.email.lower()
        shopper.first_name = record.name.first.lower()
        shopper.last_name = record.name.last.lower()
        shopper.zip = record.address.zip.lower().replace(" ", "")
        shopper.record = raw
        session.add(shopper)
        report.loaded += 1
    session.flush()
    return report


def import_orders(session: Session, lines: Iterable[str], currency: str) -> LoadReport:
    report = LoadReport()
    for number, raw, record in read_lines(lines, OrderRecord, report):
        problem = _unknown_reference(session, record)
        if problem:
            report.problems.append(f"line {number}: {problem}")
            continue
        order = session.scalar(select(Order).where(Order.number == record.id))
        if order is None:
            order = Order(
                number=record.id, journey=1, idempotency_key=f"store:{record.id}", currency=currency
            )
            session.add(order)
        order.shopper_id = record.shopper_id
        order.status = record.status
        order.total = record.total
        order.shipping_address = record.address.one_line()
        order.payment_method = ", ".join(p.payment_method_id for p in record.payments if p.kind == "payment")
        order.record = raw
        order.items = [
            OrderItem(
                product_id=line.product_id,
                variant_id=line.variant_id,
                title=line.title or session.get(Product, line.product_id).title,
                options=line.options,
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
            for line in record.items
        ]
        report.loaded += 1
    session.flush()
    return report


def _unknown_reference(session: Session, record: OrderRecord) -> str | None:
    if session.get(Shopper, record.shopper_id) is None:
        return f"shopper_id: unknown shopper {record.shopper_id!r}"
    for index, line in enumerate(record.items):
        product = session.get(Product, line.product_id)
        if product is None:
            return f"items.{index}.product_id: unknown product {line.product_id!r}"
        if ProductRecord.model_validate(product).variant(line.variant_id) is None:
            return f"items.{index}.variant_id: {line.variant_id!r} is not a variant of {line.product_id!r}"
    return None


def net_payments(record: dict[str, Any]) -> dict[str, float]:
    """Per payment method, what it paid less what it got back, in the order it first paid; only those still
    owed something back."""
    net: dict[str, float] = {}
    for payment in record.get("payments", []):
        sign = 1 if payment.get("kind") == "payment" else -1
        method = payment.get("payment_method_id", "")
        net[method] = round(net.get(method, 0.0) + sign * float(payment.get("amount", 0)), 2)
    return {method: amount for method, amount in net.items() if amount > 0}


def refund_lines(record: dict[str, Any]) -> list[dict[str, Any]]:
    """What refunding an order in full pays back: per payment method, what it paid less what it got back."""
    return [
        {"kind": "refund", "amount": amount, "payment_method_id": method}
        for method, amount in net_payments(record).items()
    ]


def chat_order_record(order: Order) -> dict[str, Any]:
    """The contract's line for an order placed in chat, written when it is placed."""
    return {
        "address": {"line1": order.shipping_address},
        "fulfillments": [],
        "payments": [{"kind": "payment", "amount": order.total, "payment_method_id": order.payment_method}],
    }


def export_orders(session: Session, shopper_id: str | None = None, order_id: str | None = None) -> list[dict]:
    """The store's orders in the contract's shape, oldest first: each imported line as it came, and every order
    with its current status, items and payments."""
    query = select(Order).order_by(Order.id)
    if shopper_id is not None:
        query = query.where(Order.shopper_id == shopper_id)
    if order_id is not None:
        query = query.where(Order.number == order_id)
    return [order_line(order) for order in session.scalars(query)]


def order_line(order: Order) -> dict[str, Any]:
    record = {"id": order.number, **(order.record or chat_order_record(order))}
    record["status"] = CHAT_STATUS.get(order.status, order.status)
    if order.shopper_id is not None:
        record["shopper_id"] = order.shopper_id
    record.setdefault("created_at", order.created_at.isoformat(timespec="seconds"))
    if "items" not in record:
        record["items"] = [item_line(item) for item in order.items]
    return record


def item_line(item: OrderItem) -> dict[str, Any]:
    """An order's line in the contract's shape."""
    return {
        "product_id": item.product_id,
        "variant_id": item.variant_id or item.product_id,
        "title": item.title,
        "options": item.options or {},
        "quantity": item.quantity,
        "unit_price": item.unit_price,
    }


def set_order_status(session: Session, order_id: str, status: str, tracking_ids: list[str]) -> dict | None:
    """The store moved an order on (`POST /api/v1/orders/{id}/status`): its status, any new tracking numbers as a
    fulfilment, and a new version, so a change planned in a conversation before it is planned again. The order's
    exported line, or None for an unknown order."""
    number = order_id.strip()
    order = session.scalar(select(Order).where(Order.number.in_([number, f"#{number.lstrip('#')}"])))
    if order is None:
        return None
    record = dict(order.record or chat_order_record(order))
    if tracking_ids:
        shipped = [item.variant_id or item.product_id for item in order.items]
        record["fulfillments"] = [
            *record.get("fulfillments", []),
            {"tracking_ids": tracking_ids, "variant_ids": shipped},
        ]
    order.record = record
    order.status = status
    order.version += 1
    session.flush()
    return order_line(order)


def saved_details(session: Session, shopper_id: str | None) -> dict[str, list[str]]:
    """The checkout details an identified shopper has on their account, as quick replies that give them: the
    address to ship to and each payment method, by the names `CheckoutDetails.missing` uses. None for a shopper
    the conversation does not know: a stranger is never offered anyone's details."""
    shopper = session.get(Shopper, shopper_id) if shopper_id else None
    if shopper is None:
        return {}
    record = shopper.record
    address = record.get("address") or {}
    region = " ".join(filter(None, (address.get("state"), address.get("zip"))))
    where = ", ".join(filter(None, (address.get("line1"), address.get("line2"), address.get("city"), region)))
    payments = [_payment_phrase(method) for method in record.get("payment_methods", [])]
    details = {"shipping address": [f"Ship to {where}"] if where else []}
    details["payment method"] = [f"Pay with {phrase}" for phrase in payments if phrase]
    return details


def _payment_phrase(method: dict[str, Any]) -> str:
    """ "card ending 4242", "PayPal", "a gift card": a payment method as the checkout reads it back."""
    kind = str(method.get("kind", ""))
    if kind.endswith("card") and kind != "gift_card" and method.get("last4"):
        return f"card ending {method['last4']}"
    return {"paypal": "PayPal", "gift_card": "a gift card", "apple_pay": "Apple Pay"}.get(kind, "")
