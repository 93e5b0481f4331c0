"""The store's shoppers and orders as its export writes them: the JSON lines of `docs/store-data.md`.

Validated at the boundary, so a bad line is named (`line N: field: reason`) and the rest loads. Extra keys are
allowed and kept: a merchant's export carries more than the contract names, and `orders export` gives it back.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

OrderStatus = Literal[
    "pending",
    "processed",
    "delivered",
    "cancelled",
    "return requested",
    "exchange requested",
    "pending (items modified)",
]


class Record(BaseModel):
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)


class Name(Record):
    first: str = ""
    last: str = ""


class Address(Record):
    line1: str = ""
    line2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = ""

    @field_validator("*", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return "" if value is None else str(value) if isinstance(value, int | float) else value

    def one_line(self) -> str:
        parts = [
            self.line1,
            self.line2,
            self.city,
            " ".join(p for p in (self.state, self.zip) if p),
            self.country,
        ]
        return ", ".join(part for part in parts if part)


class PaymentMethod(Record):
    id: str = Field(min_length=1)
    kind: str = Field(min_length=1)  # paypal | credit_card | gift_card | …
    balance: float | None = Field(default=None, ge=0)  # a gift card's


class ShopperRecord(Record):
    id: str = Field(min_length=1, max_length=128)
    email: str = ""
    name: Name = Field(default_factory=Name)
    address: Address = Field(default_factory=Address)
    payment_methods: list[PaymentMethod] = Field(default_factory=list)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and ("@" not in value or " " in value or value.startswith("@") or value.endswith("@")):
            raise ValueError(f"{value!r} is not an email address")
        return value


class OrderLine(Record):
    product_id: str = Field(min_length=1)
    variant_id: str = ""  # the product's own id when it has no variants
    title: str = ""
    options: dict[str, Any] = Field(default_factory=dict)
    quantity: int = Field(ge=1)
    unit_price: float = Field(ge=0)

    @model_validator(mode="after")
    def _variant_defaults_to_product(self) -> OrderLine:
        if not self.variant_id:
            self.variant_id = self.product_id
        return self


class Payment(Record):
    kind: Literal["payment", "refund"]
    amount: float = Field(ge=0)
    payment_method_id: str = ""


class OrderRecord(Record):
    id: str = Field(min_length=1, max_length=128)
    shopper_id: str = Field(min_length=1, max_length=128)
    status: OrderStatus
    created_at: str | None = None
    address: Address = Field(default_factory=Address)
    items: list[OrderLine] = Field(min_length=1)
    fulfillments: list[dict[str, Any]] = Field(default_factory=list)
    payments: list[Payment] = Field(default_factory=list)

    @property
    def total(self) -> float:
        """The contract's total: the sum of the items."""
        return round(sum(line.quantity * line.unit_price for line in self.items), 2)
