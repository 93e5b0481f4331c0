"""What each turn of a dialogue must show, checked against the turn's result and the catalog's facts."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from assistant.cart import named
from assistant.pipeline import Assistant
from db.models import Conversation, JourneyEvent, Order, Shopper
from harness.dialogues.format import (
    CartExpectation,
    CartItem,
    Expectation,
    OrderExpectation,
    ProductsExpectation,
)


@dataclass(frozen=True)
class Failure:
    key: str
    expected: Any
    actual: Any


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _normal(value: Any) -> Any:
    number = _number(value)
    if number is not None:
        return number
    return value.strip().lower() if isinstance(value, str) else value


def slot_equal(expected: Any, actual: Any) -> bool:
    """Numbers numerically, strings case-insensitively, lists as sets."""
    if isinstance(expected, list) or isinstance(actual, list):
        as_set = lambda v: {repr(_normal(x)) for x in (v if isinstance(v, list) else [v])}  # noqa: E731
        return as_set(expected) == as_set(actual)
    return _normal(expected) == _normal(actual)


def _product_facts(assistant: Assistant, shown: dict[str, Any]) -> dict[str, Any]:
    record = assistant.catalog.by_id.get(shown.get("id", ""))
    if record is not None:
        return {
            "id": record.id,
            "title": record.title,
            "category": record.category,
            "brand": record.brand,
            "color": record.color,
            "price": record.price,
            "rating": record.rating,
            "in_stock": record.in_stock,
        }
    stock = shown.get("stock")
    return {**shown, "in_stock": stock is None or stock > 0}


def _violates(rule: str, wanted: Any, product: dict[str, Any]) -> bool:
    text = lambda key: str(product.get(key) or "").lower()  # noqa: E731
    if rule == "category":
        return wanted.lower() not in text("category") and wanted.lower() not in text("title")
    if rule == "brand":
        return text("brand") != wanted.lower()
    if rule == "color":
        return wanted.lower() not in text("color")
    if rule == "max_price":
        return product.get("price") is None or product["price"] > wanted
    if rule == "min_price":
        return product.get("price") is None or product["price"] < wanted
    return bool(product.get("in_stock")) != wanted


def _describe_product(product: dict[str, Any], rule: str) -> str:
    value = {"category": product.get("category"), "in_stock": product.get("in_stock")}.get(rule)
    if rule in ("max_price", "min_price"):
        value = product.get("price")
    elif rule in ("brand", "color"):
        value = product.get(rule)
    return f"{product.get('id')} {product.get('title')!r} ({rule}: {value})"


def check_turn(expect: Expectation | None, result: Any, assistant: Assistant) -> list[Failure]:
    """Every expectation of one step that the turn result does not meet."""
    if expect is None:
        return []
    failures: list[Failure] = []
    if expect.intent is not None and result.intent not in expect.intent:
        failures.append(Failure("intent", _one_or_list(expect.intent), result.intent))
    if expect.stage is not None and result.stage not in expect.stage:
        failures.append(Failure("stage", _one_or_list(expect.stage), result.stage))
    for name, wanted in (expect.slots or {}).items():
        if name not in result.slots:
            failures.append(Failure(f"slots.{name}", wanted, "(absent)"))
        elif not slot_equal(wanted, result.slots[name]):
            failures.append(Failure(f"slots.{name}", wanted, result.slots[name]))
    for name in expect.no_slots or []:
        if name in result.slots:
            failures.append(Failure(f"no_slots.{name}", "(absent)", result.slots[name]))
    if expect.products is not None:
        failures += _check_products(expect.products, result, assistant)
    if expect.cart is not None:
        failures += _check_cart(expect.cart, result)
    if isinstance(expect.order, bool) and (result.order is not None) != expect.order:
        failures.append(Failure("order", expect.order, _placed(result)))
    elif isinstance(expect.order, OrderExpectation):
        failures += _check_order(expect.order, result, assistant)
    if expect.clarifies is not None:
        failures += _check_clarifies(expect.clarifies, result, assistant)
    if expect.gift_cards is not None:
        failures += _check_gift_cards(expect.gift_cards, result, assistant)
    if expect.handoff is not None and bool(result.handoff) != expect.handoff:
        failures.append(Failure("handoff", expect.handoff, bool(result.handoff)))
    reply = result.reply.lower()
    for text in expect.reply_contains or []:
        if text.lower() not in reply:
            failures.append(Failure("reply_contains", text, "not in the reply"))
    for text in expect.reply_not_contains or []:
        if text.lower() in reply:
            failures.append(Failure("reply_not_contains", text, "in the reply"))
    chips = [chip.lower() for chip in result.suggestions]
    for text in expect.suggestions_contain or []:
        if not any(text.lower() in chip for chip in chips):
            failures.append(Failure("suggestions_contain", text, result.suggestions))
    for text in expect.suggestions_not_contain or []:
        if any(text.lower() in chip for chip in chips):
            failures.append(Failure("suggestions_not_contain", text, result.suggestions))
    return failures


def _one_or_list(values: list[str]) -> Any:
    return values[0] if len(values) == 1 else values


def _check_products(expect: ProductsExpectation, result: Any, assistant: Assistant) -> list[Failure]:
    failures, shown = [], result.products
    ids = [product.get("id") for product in shown]
    if expect.min is not None and len(shown) < expect.min:
        failures.append(Failure("products.min", f"at least {expect.min}", f"{len(shown)} shown"))
    if expect.max is not None and len(shown) > expect.max:
        failures.append(Failure("products.max", f"at most {expect.max}", f"{len(shown)} shown: {ids}"))
    if expect.all_match is not None:
        facts = [_product_facts(assistant, product) for product in shown]
        for rule, wanted in expect.all_match.model_dump(exclude_none=True).items():
            bad = [_describe_product(p, rule) for p in facts if _violates(rule, wanted, p)]
            if bad:
                failures.append(Failure(f"products.all_match.{rule}", wanted, "; ".join(bad)))
    missing = [pid for pid in expect.include_ids or [] if pid not in ids]
    if missing:
        failures.append(Failure("products.include_ids", missing, f"shown: {ids}"))
    if expect.sorted_by is not None:
        facts = [_product_facts(assistant, product) for product in shown]
        key = SORT_KEYS[expect.sorted_by]
        if any(key(a) > key(b) for a, b in itertools.pairwise(facts)):
            order = [f"{p.get('id')} ({p.get('price')}, rated {p.get('rating')})" for p in facts]
            failures.append(Failure("products.sorted_by", expect.sorted_by, "; ".join(order)))
    return failures


# How each `sorted_by` order ranks a product: the shown list must not decrease.
SORT_KEYS = {
    "price_asc": lambda product: product.get("price") or 0.0,
    "price_desc": lambda product: -(product.get("price") or 0.0),
    "rating_desc": lambda product: -(product.get("rating") or 0.0),
}


def _check_cart(expect: CartExpectation, result: Any) -> list[Failure]:
    failures = []
    items = result.cart.get("items", [])
    total = float(result.cart.get("total", 0.0))
    lines, quantity = len(items), sum(int(item.get("quantity", 0)) for item in items)
    if expect.lines is not None and lines != expect.lines:
        failures.append(Failure("cart.lines", expect.lines, lines))
    if expect.quantity is not None and quantity != expect.quantity:
        failures.append(Failure("cart.quantity", expect.quantity, quantity))
    if expect.total_max is not None and total > expect.total_max:
        failures.append(Failure("cart.total_max", f"at most {expect.total_max}", total))
    if expect.total_min is not None and total < expect.total_min:
        failures.append(Failure("cart.total_min", f"at least {expect.total_min}", total))
    in_cart = [item.get("product_id") for item in items]
    missing = [pid for pid in expect.contains or [] if pid not in in_cart]
    if missing:
        failures.append(Failure("cart.contains", missing, f"cart: {in_cart}"))
    if expect.items is not None and not _same_lines(expect.items, items):
        wanted = [
            f"{item.quantity} × {item.id or item.title} {item.variant or ''}".strip() for item in expect.items
        ]
        actual = [
            f"{item.get('quantity')} × {item.get('product_id')} {item.get('title')!r} {item.get('variant_id')}"
            for item in items
        ]
        failures.append(Failure("cart.items", wanted, actual or "empty cart"))
    return failures


def _same_lines(wanted: list[CartItem], items: list[dict[str, Any]]) -> bool:
    """Each wanted line matches one cart line (product and quantity) and no cart line is left over."""
    left = list(items)
    for item in wanted:
        match = next((line for line in left if _is_line(item, line)), None)
        if match is None:
            return False
        left.remove(match)
    return not left


def _is_line(item: CartItem, line: dict[str, Any]) -> bool:
    if item.id is not None and line.get("product_id") != item.id:
        return False
    if item.title is not None and item.title.lower() not in str(line.get("title", "")).lower():
        return False
    if item.variant is not None and line.get("variant_id") != item.variant:
        return False
    return int(line.get("quantity", 0)) == item.quantity


def _placed(result: Any) -> str:
    return f"order {result.order.get('id')} placed" if result.order else "no order placed"


def _check_order(expect: OrderExpectation, result: Any, assistant: Assistant) -> list[Failure]:
    failures = []
    if expect.placed_in_this_turn is not None and (result.order is not None) != expect.placed_in_this_turn:
        failures.append(Failure("order.placed_in_this_turn", expect.placed_in_this_turn, _placed(result)))
    with assistant.db.transaction() as session:
        query = select(Order).where(Order.conversation_id == result.conversation_id)
        if expect.id is not None:
            query = select(Order).where(named(expect.id))
        order = session.scalars(query.order_by(Order.id.desc())).first()
        stored = None if order is None else (order.status, order.total, len(order.items))
        if order is not None:
            refunds = [p for p in (order.record or {}).get("payments", []) if p.get("kind") == "refund"]
            refunded = round(sum(float(p.get("amount", 0)) for p in refunds), 2)
            variants = sorted(item.variant_id or item.product_id for item in order.items)
    if stored is None:
        if (expect.status, expect.total, expect.lines) != (None, None, None):
            failures.append(Failure("order", "an order", "this conversation has no order"))
        return failures
    status, total, lines = stored
    if expect.status is not None and status != expect.status:
        failures.append(Failure("order.status", expect.status, status))
    if expect.total is not None and abs(total - expect.total) > 0.005:
        failures.append(Failure("order.total", expect.total, total))
    if expect.lines is not None and lines != expect.lines:
        failures.append(Failure("order.lines", expect.lines, lines))
    if expect.refunded is not None and abs(refunded - expect.refunded) > 0.005:
        failures.append(Failure("order.refunded", expect.refunded, refunded))
    if expect.variants is not None and variants != sorted(expect.variants):
        failures.append(Failure("order.variants", sorted(expect.variants), variants))
    return failures


def _check_gift_cards(expect: dict[str, float], result: Any, assistant: Assistant) -> list[Failure]:
    """The known shopper's gift-card balances, read from their account in the database."""
    with assistant.db.transaction() as session:
        conversation = session.get(Conversation, result.conversation_id)
        shopper_id = (conversation.state or {}).get("shopper_id")
        shopper = session.get(Shopper, shopper_id) if shopper_id else None
        methods = {m["id"]: m for m in (shopper.record.get("payment_methods", []) if shopper else [])}
    failures = []
    for method_id, balance in expect.items():
        actual = methods.get(method_id, {}).get("balance")
        if actual is None or abs(float(actual) - balance) > 0.005:
            failures.append(Failure(f"gift_cards.{method_id}", balance, actual))
    return failures


def _check_clarifies(wanted: bool | str, result: Any, assistant: Assistant) -> list[Failure]:
    """Whether the turn asked a clarifying question, read from its `clarification` journey event."""
    with assistant.db.transaction() as session:
        reasons = session.scalars(
            select(JourneyEvent.data).where(
                JourneyEvent.conversation_id == result.conversation_id,
                JourneyEvent.turn == result.turn,
                JourneyEvent.kind == "clarification",
            )
        ).all()
    asked = [data.get("reason") for data in reasons]
    actual = f"asked ({', '.join(map(str, asked))})" if asked else "did not ask"
    if isinstance(wanted, bool):
        return [] if bool(asked) == wanted else [Failure("clarifies", wanted, actual)]
    return [] if wanted in asked else [Failure("clarifies", wanted, actual)]
