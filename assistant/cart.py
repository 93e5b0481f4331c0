"""The shopper's cart and the orders placed from it, kept consistent in the database.

Every change happens inside the turn's transaction; an order is written with its items and total in that one
transaction, and a per-journey idempotency key makes a repeated or retried confirmation return the same order.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.product import ProductRecord
from core.state import CartLine
from db.models import Cart, CartItem, Conversation, Order, OrderItem


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
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    cart = cart_of(session, conversation)
    line = next((item for item in cart.items if item.product_id == product.id), None)
    if line is None:
        cart.items.append(CartItem(product_id=product.id, quantity=quantity, unit_price=product.price))
    else:
        line.quantity += quantity
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
    session: Session, conversation: Conversation, address: str, payment: str, currency: str
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
        journey=conversation.journey,
        idempotency_key=key,
        total=round(sum(line.quantity * line.unit_price for line in lines), 2),
        currency=currency,
        shipping_address=address,
        payment_method=payment,
        items=[
            OrderItem(
                product_id=line.product_id,
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
    except IntegrityError:
        # Another request confirmed the same checkout first: that order is this one.
        return session.scalars(select(Order).where(Order.idempotency_key == key)).one()
    conversation.cart.items.clear()
    session.flush()
    return order


def order_view(order: Order) -> dict:
    return {
        "id": str(order.id),
        "total": order.total,
        "currency": order.currency,
        "status": order.status,
        "items": [
            {
                "product_id": item.product_id,
                "title": item.title,
                "quantity": item.quantity,
                "unit_price": item.unit_price,
            }
            for item in order.items
        ],
    }


def find_order(session: Session, conversation: Conversation, order_id: str | None) -> Order | None:
    """An order of this conversation only (never another shopper's): the one named, else the latest."""
    query = select(Order).where(Order.conversation_id == conversation.id)
    if order_id:
        if not order_id.isdigit():
            return None
        query = query.where(Order.id == int(order_id))
    return session.scalars(query.order_by(Order.id.desc())).first()
