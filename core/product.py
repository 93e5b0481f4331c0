"""A catalog product as the rest of shopassist sees it, validated at the boundary.

Imports parse merchants' loose values here ("₹1,299.00", "['Shoes', 'Running']", "S, M, L") so that the
database, the index and the replies only ever hold clean, typed facts.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator


# The import's two error kinds live here, beside the validation, so that the format readers
# (retrieval/shopify.py, retrieval/merchant_center.py) and the importer that drives them share them.
@dataclass(frozen=True)
class RowError:
    """Why one row (or feed item) of a merchant's file did not become a product; `product_id` when known."""

    line: int
    field: str
    reason: str
    product_id: str = ""

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


CURRENCY_SYMBOLS = {"$": "USD", "₹": "INR", "€": "EUR", "£": "GBP", "¥": "JPY"}
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_RUPEES = re.compile(r"\brs\.?\s*\d", re.IGNORECASE)


def parse_price(value: Any) -> tuple[float, str | None]:
    """A price and the currency its text names, from 89, "89.00", "$89", "₹1,299.00" or "Rs. 499" or "89 EUR"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value), None
    text = str(value).strip()
    match = _NUMBER.search(text)
    if not match:
        raise ValueError(f"no number in price {text!r}")
    currency = next((code for symbol, code in CURRENCY_SYMBOLS.items() if symbol in text), None)
    if _RUPEES.search(text):
        currency = "INR"
    code = re.search(r"\b([A-Z]{3})\b", text)
    return float(match.group().replace(",", "")), code.group(1) if code else currency


def parse_list(value: Any) -> list[str]:
    """A list from a list, a JSON or Python list literal, or a comma/pipe separated string."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                value = ast.literal_eval(text)
        else:
            value = re.split(r"[|,;]", text)
    return [str(item).strip() for item in value if str(item).strip()]


def parse_category(value: Any) -> str:
    """A " > " category path from "Shoes > Running", "Shoes >> Running" or a list of levels."""
    if isinstance(value, str) and not value.strip().startswith("["):
        levels = re.split(r"\s*>+\s*|\s*/\s*", value.strip())
    else:
        levels = parse_list(value)
        # Some feeds put the whole path into one list element ("Footwear >> Women's Footwear").
        if len(levels) == 1:
            levels = re.split(r"\s*>+\s*", levels[0])
    return " > ".join(level.strip() for level in levels if level.strip())


def parse_attributes(value: Any) -> dict[str, str]:
    """Attributes from a JSON object, a list of {key, value} pairs, or [[key, value], …]."""
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        value = json.loads(value)
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    pairs = {}
    for item in value:
        if isinstance(item, dict):
            key = item.get("key") or item.get("name")
            if key is not None:
                pairs[str(key)] = str(item.get("value", ""))
        elif isinstance(item, list | tuple) and len(item) == 2:
            pairs[str(item[0])] = str(item[1])
    return pairs


_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
}
_HIDDEN_TAGS = {"script", "style", "template", "head"}


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML fragment; block elements become line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(value: str) -> str:
    """The readable text of a product description written in HTML ("<p>Soft &amp; warm</p>" → "Soft & warm").

    The standard library's tolerant parser is enough: we only need text nodes, and shop descriptions are
    fragments, often unclosed, that it reads without complaint (a sanitiser would be for rendering HTML).
    """
    if "<" not in value and "&" not in value:
        return value.strip()
    extractor = _TextExtractor()
    extractor.feed(value)
    extractor.close()
    lines = (" ".join(line.split()) for line in "".join(extractor.parts).splitlines())
    return "\n".join(line for line in lines if line)


class Variant(BaseModel):
    """One buyable version of a product (docs/store-data.md): its id is the SKU a cart or order line names."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=128)
    options: dict[str, str] = Field(default_factory=dict)
    price: float | None = Field(default=None, ge=0)
    available: bool = True
    stock: int | None = Field(default=None, ge=0)

    @field_validator("options", mode="before")
    @classmethod
    def _options(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(key): str(option) for key, option in value.items() if option not in (None, "")}
        return value

    @property
    def buyable(self) -> bool:
        return self.available and (self.stock is None or self.stock > 0)


class ProductRecord(BaseModel):
    """One product: what import validates, the database stores and the assistant may state."""

    model_config = ConfigDict(from_attributes=True, str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=128)
    title: str = Field(min_length=1, max_length=500)
    description: str = ""
    brand: str = ""
    category: str = ""
    price: float = Field(ge=0)
    currency: str = Field(default="USD", min_length=3, max_length=3)
    color: str = ""
    sizes: list[str] = Field(default_factory=list)
    material: str = ""
    rating: float | None = Field(default=None, ge=0, le=5)
    stock: int | None = Field(default=None, ge=0)
    image_url: str = ""
    url: str = ""
    attributes: dict[str, str] = Field(default_factory=dict)
    variants: list[Variant] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _price_with_currency(cls, data: Any, info: ValidationInfo) -> Any:
        """The currency is the row's own, else the one its price names, else the import's default."""
        if not isinstance(data, dict) or data.get("price") in (None, ""):
            return data
        try:
            price, named = parse_price(data["price"])
        except ValueError:
            return data  # the price field's own validator reports it, under the field's name
        default = (info.context or {}).get("currency", "USD")
        return {**data, "price": price, "currency": data.get("currency") or named or default}

    @field_validator("price", mode="before")
    @classmethod
    def _price(cls, value: Any) -> Any:
        return parse_price(value)[0] if isinstance(value, str) else value

    @field_validator(
        "id", "title", "description", "brand", "color", "material", "image_url", "url", mode="before"
    )
    @classmethod
    def _text(cls, value: Any) -> Any:
        return "" if value is None else str(value) if isinstance(value, int | float) else value

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: Any) -> str:
        return parse_category(value) if value not in (None, "") else ""

    @field_validator("sizes", mode="before")
    @classmethod
    def _sizes(cls, value: Any) -> list[str]:
        return parse_list(value)

    @field_validator("attributes", mode="before")
    @classmethod
    def _attributes(cls, value: Any) -> dict[str, str]:
        return parse_attributes(value)

    @field_validator("variants", mode="before")
    @classmethod
    def _no_variants(cls, value: Any) -> Any:
        return [] if value in (None, "") else value

    @model_validator(mode="after")
    def _variant_ids_unique(self) -> ProductRecord:
        ids = [variant.id for variant in self.variants]
        if len(ids) != len(set(ids)):
            raise ValueError("variants: two variants share an id")
        return self

    def variant(self, variant_id: str) -> Variant | None:
        """The variant with this id; a product without variants is its own one variant."""
        if not self.variants:
            return Variant(id=self.id, price=self.price, stock=self.stock) if variant_id == self.id else None
        return next((variant for variant in self.variants if variant.id == variant_id), None)

    @field_validator("rating", "stock", mode="before")
    @classmethod
    def _blank_is_unknown(cls, value: Any) -> Any:
        return (
            None
            if isinstance(value, str) and value.strip().lower() in ("", "none", "n/a", "no rating available")
            else value
        )

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @property
    def in_stock(self) -> bool:
        return self.stock is None or self.stock > 0

    @property
    def category_leaf(self) -> str:
        return self.category.rsplit(" > ", 1)[-1]

    def search_text(self) -> str:
        """The text that represents the product to the embedding model and to BM25."""
        parts = [self.title, self.category.replace(" > ", ", "), self.brand, self.color, self.material]
        parts += [f"{key} {value}" for key, value in self.attributes.items()]
        # A product is found by any of its variants' options ("size 10", "in blue").
        options = {f"{key} {value}" for variant in self.variants for key, value in variant.options.items()}
        parts += sorted(options)
        parts.append(self.description)
        return ". ".join(part for part in parts if part)
