"""What each turn of a dialogue must show, checked against the turn's result and the catalog's facts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.pipeline import Assistant
from harness.dialogues.format import (
    CartExpectation,
    Expectation,
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
    if expect.order is not None and (result.order is not None) != expect.order:
        actual = f"order {result.order.get('id')} placed" if result.order else "no order placed"
        failures.append(Failure("order", expect.order, actual))
    if expect.handoff is not None and bool(result.handoff) != expect.handoff:
        failures.append(Failure("handoff", expect.handoff, bool(result.handoff)))
    reply = result.reply.lower()
    for text in expect.reply_contains or []:
        if text.lower() not in reply:
            failures.append(Failure("reply_contains", text, "not in the reply"))
    for text in expect.reply_not_contains or []:
        if text.lower() in reply:
            failures.append(Failure("reply_not_contains", text, "in the reply"))
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
    return failures


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
    return failures
