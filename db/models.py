"""SQLAlchemy models: the catalog, conversations and their messages, the journey log, carts and orders.

Everything a shopper said or was shown is kept here; the migrations in `db/migrations` create it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {dict[str, Any]: JSON, list[Any]: JSON}


class Product(Base):
    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    brand: Mapped[str] = mapped_column(String(200), default="", index=True)
    category: Mapped[str] = mapped_column(String(500), default="", index=True)
    price: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False))
    currency: Mapped[str] = mapped_column(String(3))
    color: Mapped[str] = mapped_column(String(100), default="")
    sizes: Mapped[list[Any]] = mapped_column(default=list)
    material: Mapped[str] = mapped_column(String(200), default="")
    rating: Mapped[float | None] = mapped_column(default=None)
    # None: the merchant does not track stock for this product (shown without a stock claim).
    stock: Mapped[int | None] = mapped_column(Integer, default=None)
    image_url: Mapped[str] = mapped_column(String(1000), default="")
    url: Mapped[str] = mapped_column(String(1000), default="")
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The product's variants as the catalog lists them (id/SKU, options, price, available, stock); none: the
    # product is its own single variant (docs/store-data.md).
    variants: Mapped[list[Any] | None] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The variants as rows: what carts and orders point to, and where stock is reserved.
    variant_rows: Mapped[list[ProductVariant]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ProductVariant.id"
    )


class ProductVariant(Base):
    """What a cart line and an order line point to, and where its stock is kept: one row per variant of a product,
    or one with the product's own id for a product without variants. `stock` None is not tracked."""

    __tablename__ = "variants"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    price: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False))
    available: Mapped[bool] = mapped_column(default=True)
    stock: Mapped[int | None] = mapped_column(Integer, default=None)


class Shopper(Base):
    """A customer of the store, as its export gives them; a conversation comes to know one (docs/store-data.md)."""

    __tablename__ = "shoppers"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    # Lower-cased, as are the names and the zip below: a shopper identifies themself in any case.
    email: Mapped[str] = mapped_column(String(320), default="", index=True)
    first_name: Mapped[str] = mapped_column(String(200), default="")
    last_name: Mapped[str] = mapped_column(String(200), default="")
    zip: Mapped[str] = mapped_column(String(32), default="")
    # The record as imported, extra keys included: `shopassist orders export` and the replies read it.
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # SHA-256 of the shopper's bearer token (assistant/tokens.py); "" once forgotten, which no token matches.
    token_hash: Mapped[str] = mapped_column(String(128), default="")
    token_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    stage: Mapped[str] = mapped_column(String(32), default="entry", index=True)
    journey: Mapped[int] = mapped_column(Integer, default=1)
    turns: Mapped[int] = mapped_column(Integer, default=0)
    # The dialogue state between turns (last results, pending offer, checkout details): see core/state.py.
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    handoff: Mapped[bool] = mapped_column(default=False)
    # The agent who has taken the conversation over; while set, the assistant stays silent (assistant/desk/takeover.py).
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When `shopassist privacy forget` or the retention sweep erased the shopper's data (assistant/privacy/erasure.py).
    forgotten_at: Mapped[datetime | None] = mapped_column(default=None)
    # The last shopper activity: the abandonment sweep compares it with the timeout.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", order_by="Message.id", cascade="all, delete-orphan"
    )
    cart: Mapped[Cart | None] = relationship(back_populates="conversation", cascade="all, delete-orphan")

    __table_args__ = (
        Index("ix_conversations_created_at", "created_at"),
        Index("ix_conversations_stage_updated_at", "stage", "updated_at"),
    )


class Agent(Base):
    """A person of the store's team who logs into the console; see assistant/desk/agents.py for the password hash."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgentNote(Base):
    """An internal note an agent wrote on a conversation; never shown to the shopper."""

    __tablename__ = "agent_notes"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agent: Mapped[Agent] = relationship()


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    turn: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # shopper | assistant | agent | system
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(32), default=None)
    confidence: Mapped[float | None] = mapped_column(default=None)
    slots: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    product_ids: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    latency_ms: Mapped[float | None] = mapped_column(default=None)
    # The shopper's rating of an assistant reply: "up", "down" or None (assistant/desk/feedback.py).
    feedback: Mapped[str | None] = mapped_column(String(8), default=None)
    # A shopper message sent with an Idempotency-Key keeps the key and its turn result (redacted), so a retried
    # request finds its turn and gets the same answer instead of a second turn (assistant/record.py).
    idempotency_key: Mapped[str | None] = mapped_column(String(128), default=None)
    turn_result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # A retry must carry the message the key was first sent with: a salted hash of it as sent, since the stored
    # text is redacted and two messages differing only in an email address redact alike.
    text_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")

    __table_args__ = (
        Index("ix_messages_conversation_turn", "conversation_id", "turn"),
        # One turn per key and conversation, even for concurrent requests; NULL keys never collide.
        Index("ux_messages_conversation_idempotency_key", "conversation_id", "idempotency_key", unique=True),
    )


class JourneyEvent(Base):
    """An append-only log: stage changes and everything the shopper did on the way."""

    __tablename__ = "journey_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    journey: Mapped[int] = mapped_column(Integer)
    turn: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    from_stage: Mapped[str | None] = mapped_column(String(32), default=None)
    to_stage: Mapped[str | None] = mapped_column(String(32), default=None)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_journey_events_conversation", "conversation_id", "id"),
        Index("ix_journey_events_kind_created", "kind", "created_at"),
    )


class Cart(Base):
    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    conversation: Mapped[Conversation] = relationship(back_populates="cart")
    items: Mapped[list[CartItem]] = relationship(
        back_populates="cart", order_by="CartItem.id", cascade="all, delete-orphan"
    )


class CartItem(Base):
    __tablename__ = "cart_items"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"))
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    # The variant in the cart and its options; two variants of one product are two lines.
    variant_id: Mapped[str] = mapped_column(String(128))
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False))

    cart: Mapped[Cart] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()

    __table_args__ = (UniqueConstraint("cart_id", "variant_id", name="ux_cart_items_variant"),)


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    # The store's order id ("#1042"); an order placed in chat is "SA-<id>".
    number: Mapped[str | None] = mapped_column(String(128), default=None)
    # None for an order imported from the store, which no conversation placed.
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    shopper_id: Mapped[str | None] = mapped_column(
        ForeignKey("shoppers.id", ondelete="SET NULL"), default=None, index=True
    )
    # What the contract's order carries beyond the columns: address, fulfillments, payments, extra keys.
    record: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    journey: Mapped[int] = mapped_column(Integer)
    # One order per checkout: a repeated or retried confirmation finds this key and creates nothing.
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(32), default="placed")
    # Counts the after-sales changes: a change is written only over the version it was planned on, so of two
    # conversations changing one order at once, one wins and the other is told why.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False))
    currency: Mapped[str] = mapped_column(String(3))
    shipping_address: Mapped[str] = mapped_column(Text)
    payment_method: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", order_by="OrderItem.id", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ux_orders_number", "number", unique=True),)


class OrderItem(Base):
    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"))
    title: Mapped[str] = mapped_column(String(500))
    # The variant shipped (the product's id for a single-variant product) and its options.
    variant_id: Mapped[str | None] = mapped_column(String(128), default=None)
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False))

    order: Mapped[Order] = relationship(back_populates="items")
