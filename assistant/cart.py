"""The shopper's cart and the orders placed from it, kept consistent in the database.

Every change happens inside the turn's transaction; an order is written with its items and total in that one
transaction, and a per-journey idempotency key makes a repeated or retried confirmation return the same order.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.product import ProductRecord, Variant
from core.state import CartLine
from db.models import Cart, CartItem, Conversation, Order, OrderItem, ProductVariant
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
        CartLine(
            item.product_id, item.product.title, item.quantity, item.unit_price, item.variant_id, item.options
        )
        for item in conversation.cart.items
    ]


def add_to_cart(
    session: Session, conversation: Conversation, product: ProductRecord, variant: Variant, quantity: int
) -> None:
    """Add `quantity` units of the variant at its current price (a variant already in the cart gets more units)."""
    _put(session, conversation, product, variant, quantity, lambda held: held + quantity)


def set_quantity(
    session: Session, conversation: Conversation, product: ProductRecord, variant: Variant, quantity: int
) -> None:
    """The variant's line holds exactly `quantity` units ("make it 2"), added at the current price if absent."""
    _put(session, conversation, product, variant, quantity, lambda _held: quantity)


def _put(
    session: Session,
    conversation: Conversation,
    product: ProductRecord,
    variant: Variant,
    quantity: int,
    units: Callable[[int], int],
) -> None:
    """A new line of `quantity` units, or the variant's line set to `units(what it holds)`."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    cart = cart_of(session, conversation)
    line = next((item for item in cart.items if item.variant_id == variant.id), None)
    if line is None:
        cart.items.append(
            CartItem(
                product_id=product.id,
                variant_id=variant.id,
                options=variant.options,
                quantity=quantity,
                unit_price=product.price_of(variant),
            )
        )
    else:
        line.quantity = units(line.quantity)
    session.flush()


def in_cart(conversation: Conversation, product_id: str) -> Variant | None:
    """The variant of the product that the cart holds (its latest line), for "make it 2" on that product."""
    lines = [
        item
        for item in (conversation.cart.items if conversation.cart else [])
        if item.product_id == product_id
    ]
    return Variant(id=lines[-1].variant_id, options=lines[-1].options) if lines else None


def remove_from_cart(session: Session, conversation: Conversation, product_id: str) -> bool:
    """Takes the product's lines out, each of its variants."""
    cart = cart_of(session, conversation)
    lines = [item for item in cart.items if item.product_id == product_id]
    for line in lines:
        cart.items.remove(line)
    session.flush()
    return bool(lines)


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
                variant_id=line.variant_id or line.product_id,
                options=line.options,
                title=line.title,
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
            for line in lines
        ],
    )
    try:
        with session.begin_nested():
            reserve_stock(session, lines)
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


class SoldOut(Exception):
    """A cart line wants more units than are left: the order is not placed, and the cart is kept."""

    def __init__(self, line: CartLine, left: int) -> None:
        super().__init__(f"only {left} left of {line.name}")
        self.line, self.left = line, left


def reserve_stock(session: Session, lines: list[CartLine]) -> None:
    """Takes each line's units off its variant's stock, or raises SoldOut. The check and the decrement are one
    conditional UPDATE, so two checkouts racing for the last unit cannot both get it; untracked stock (NULL)
    is not counted."""
    for line in lines:
        variant_id = line.variant_id or line.product_id
        taken = session.execute(
            update(ProductVariant)
            .where(ProductVariant.id == variant_id, ProductVariant.stock >= line.quantity)
            .values(stock=ProductVariant.stock - line.quantity)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 0:
            left = session.scalar(select(ProductVariant.stock).where(ProductVariant.id == variant_id))
            if left is not None:
                raise SoldOut(line, left)


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
                "variant_id": item.variant_id or item.product_id,
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


def orders_of(session: Session, conversation: Conversation) -> list[dict]:
    """What an agent sees of the conversation's orders: those it placed and those of the shopper it knows,
    newest first, each as the shopper is shown it, with the store's number."""
    shopper_id = (conversation.state or {}).get("shopper_id")
    mine = Order.conversation_id == conversation.id
    query = select(Order).where(or_(mine, Order.shopper_id == shopper_id) if shopper_id else mine)
    orders = session.scalars(query.order_by(Order.id.desc()))
    return [{**order_view(order), "number": order.number} for order in orders]


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
