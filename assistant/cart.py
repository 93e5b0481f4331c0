"""The shopper's cart and the orders placed from it, kept consistent in the database.

Every change happens inside the turn's transaction; an order is written with its items and total in that one
transaction, and a per-journey idempotency key makes a repeated or retried confirmation return the same order.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.product import ProductRecord
from core.state import CartLine
from db.models import Cart, CartItem, Conversation, Order, OrderItem
from db.store_data import chat_order_record


def cart_of(session: Session, conversation: Conversation) -> Cart:
    if conversation.cart is None:
        conversation.cart = Cart()
        session.flush()
    return conversation.cart


def cart_lines(conversation: Conversation) -> list[CartLine]:
    if conversation.cart is None:
        return []
    return [
        CartLine(item.product_id, item.product.title, item.quantity, item.unit_price)
        for item in conversation.cart.items
    ]


def add_to_cart(session: Session, conversation: Conversation, product: ProductRecord, quantity: int) -> None:
    """Add `quantity` units at the current catalog price (a product already in the cart gets more units)."""
    _put(session, conversation, product, quantity, lambda held: held + quantity)


def set_quantity(session: Session, conversation: Conversation, product: ProductRecord, quantity: int) -> None:
    """The product's line holds exactly `quantity` units ("make it 2"), added at the current price if absent."""
    _put(session, conversation, product, quantity, lambda _held: quantity)


def _put(
    session: Session,
    conversation: Conversation,
    product: ProductRecord,
    quantity: int,
    units: Callable[[int], int],
) -> None:
    """A new line of `quantity` units, or the product's line set to `units(what it holds)`."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    cart = cart_of(session, conversation)
    line = next((item for item in cart.items if item.product_id == product.id), None)
    if line is None:
        cart.items.append(CartItem(product_id=product.id, quantity=quantity, unit_price=product.price))
    else:
        line.quantity = units(line.quantity)
    session.flush()


def remove_from_cart(session: Session, conversation: Conversation, product_id: str) -> bool:
    cart = cart_of(session, conversation)
    line = next((item for item in cart.items if item.product_id == product_id), None)
    if line is None:
        return False
    cart.items.remove(line)
    session.flush()
    return True


def checkout_key(conversation: Conversation) -> str:
    return f"{conversation.id}:{conversation.journey}"


def place_order(
    session: Session,
    conversation: Conversation,
    address: str,
    payment: str,
    currency: str,
    shopper_id: str | None = None,
) -> Order:
    """The journey's order: created from the cart the first time, returned unchanged every later time."""
    key = checkout_key(conversation)
    existing = session.scalar(select(Order).where(Order.idempotency_key == key))
    if existing is not None:
        return existing
    lines = cart_lines(conversation)
    if not lines:
        raise ValueError("the cart is empty")
    order = Order(
        conversation_id=conversation.id,
        shopper_id=shopper_id,
        journey=conversation.journey,
        idempotency_key=key,
        total=round(sum(line.quantity * line.unit_price for line in lines), 2),
        currency=currency,
        shipping_address=address,
        payment_method=payment,
        items=[
            OrderItem(
                product_id=line.product_id,
                variant_id=line.product_id,
                title=line.title,
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
            for line in lines
        ],
    )
    try:
        with session.begin_nested():
            session.add(order)
            session.flush()
            order.number = f"SA-{order.id}"
            order.record = chat_order_record(order)
            session.flush()
    except IntegrityError:
        # Another request confirmed the same checkout first: that order is this one.
        return session.scalars(select(Order).where(Order.idempotency_key == key)).one()
    conversation.cart.items.clear()
    session.flush()
    return order


def order_view(order: Order) -> dict:
    record = order.record or {}
    return {
        # An order placed in chat is shown by its row number, as when it was placed; the store's by its own.
        "id": str(order.id) if order.conversation_id else (order.number or "").lstrip("#"),
        "total": order.total,
        "currency": order.currency,
        "status": order.status,
        "items": [
            {
                "product_id": item.product_id,
                "title": item.title,
                "quantity": item.quantity,
                "unit_price": item.unit_price,
                "options": item.options or {},
            }
            for item in order.items
        ],
        "tracking": [
            tracking
            for fulfillment in record.get("fulfillments", [])
            for tracking in fulfillment.get("tracking_ids", [])
        ],
    }


def find_order(
    session: Session, conversation: Conversation, order_id: str | None, shopper_id: str | None = None
) -> Order | None:
    """An order this conversation may discuss, the one named or else the latest: one it placed, or one of the
    store's shopper it has identified; never another shopper's."""
    allowed = Order.conversation_id == conversation.id
    if shopper_id is not None:
        allowed = or_(allowed, Order.shopper_id == shopper_id)
    query = select(Order).where(allowed)
    if order_id:
        query = query.where(named(order_id))
    return session.scalars(query.order_by(Order.id.desc())).first()


def order_exists(session: Session, order_id: str) -> bool:
    return session.scalar(select(Order.id).where(named(order_id)).limit(1)) is not None


def stores_orders(session: Session) -> bool:
    """Whether the store's own orders are loaded, so "where is my order?" may be about one of them."""
    return session.scalar(select(Order.id).where(Order.conversation_id.is_(None)).limit(1)) is not None


def named(order_id: str):
    """The orders an id written by a shopper names: the store's number with or without its "#", or the number
    an order placed in chat was shown with."""
    number = order_id.strip().lstrip("#")
    matches = [Order.number.in_([number, f"#{number}"])]
    if number.isdigit():
        matches.append(and_(Order.id == int(number), Order.conversation_id.is_not(None)))
    return or_(*matches)
