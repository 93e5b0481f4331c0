"""A catalog product as the rest of shopassist sees it, validated at the boundary.

Imports parse merchants' loose values here ("₹1,299.00", "['Shoes', 'Running']", "S, M, L") so that the
database, the index and the replies only ever hold clean, typed facts.
"""

from __future__ import annotations

import ast
import html
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
# Currencies whose prices are written with a decimal point and comma thousands wherever they are sold: "$1,299" is
# 1299 however the rest of the file writes its prices. Euro prices are written both ways.
POINT_CURRENCIES = {"USD", "INR", "GBP", "JPY", "CAD", "AUD", "NZD", "SGD", "HKD", "CNY", "MXN"}
# A number with its separators: commas, points, spaces (also non-breaking) and apostrophes ("1'299.00").
_AMOUNT = re.compile(r"\d(?:[\d.,'\u00a0\u202f ]*\d)?")
_RUPEES = re.compile(r"\brs\.?\s*\d", re.IGNORECASE)


def parse_price(value: Any, decimal: str | None = None) -> tuple[float, str | None]:
    """A price and the currency its text names: 89, "89.00", "$1,299.00", "139,99 €", "1.299,00", "1 299,00",
    "Rs. 499", "89 EUR".

    Which separator is the decimal one is read from the value when it shows it ("1.299,00", "139,99", "12.5"), else
    from the file (`decimal`, see `decimal_separator`), else from a currency written one way everywhere ("$1,299");
    a value that leaves it open ("1,299" alone) is refused rather than guessed."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value), None
    text = str(value).strip()
    match = _AMOUNT.search(text)
    if not match:
        raise ValueError(f"no number in price {text!r}")
    currency = next((code for symbol, code in CURRENCY_SYMBOLS.items() if symbol in text), None)
    if _RUPEES.search(text):
        currency = "INR"
    code = re.search(r"\b([A-Z]{3})\b", text)
    currency = code.group(1) if code else currency
    token = re.sub(r"[\s\u00a0\u202f']", " ", match.group())
    shown = shown_decimal(token)
    if shown == "?":
        shown = decimal or ("." if currency in POINT_CURRENCIES else None)
        if shown is None:
            raise ValueError(f"price {text!r} is ambiguous: is its separator a decimal or a thousands one?")
    sign = -1.0 if text[: match.start()].rstrip().endswith("-") else 1.0  # validation refuses it, by name
    return sign * _amount(token, shown, text), currency


def shown_decimal(token: str) -> str | None:
    """The decimal separator a number shows: "," or "."; None when it has no decimals ("1.299.000", "89");
    "?" when it cannot tell (one separator followed by three digits: "1,299")."""
    marks = [(i, c) for i, c in enumerate(token) if c in ",."]
    if not marks:
        return None
    if {c for _, c in marks} == {",", "."}:
        return marks[-1][1]  # the last one of two kinds is the decimal: "1.299,00", "1,299.00"
    if len(marks) > 1:
        return None  # the same mark twice is only a thousands separator: "1.299.000"
    digits_after = len(token) - marks[-1][0] - 1
    if digits_after != 3:
        return marks[-1][1]
    # Grouped by spaces already ("1 299,000"), the mark is the decimal one.
    return marks[-1][1] if " " in token else "?"


def _amount(token: str, decimal: str | None, text: str) -> float:
    whole, fraction = token, ""
    if decimal and decimal in token:
        whole, fraction = token.rsplit(decimal, 1)
    groups = re.split(r"[ ,.]", whole)
    # Thousands groups after the first are of three digits: "1,29,999" (lakh) and "12 34" are not prices we read.
    lakh = re.fullmatch(r"\d{1,2}(?:,\d\d)*,\d{3}", whole) is not None
    if not lakh and any(len(group) != 3 for group in groups[1:]):
        raise ValueError(f"price {text!r} is not a number")
    if not fraction.isdigit() and fraction:
        raise ValueError(f"price {text!r} is not a number")
    return float("".join(groups) + ("." + fraction if fraction else ""))


def decimal_separator(texts: Any) -> str | None:
    """The decimal separator a file's prices show, when those that show one agree; None otherwise."""
    shown = set()
    for text in texts:
        if isinstance(text, str) and (match := _AMOUNT.search(text)):
            mark = shown_decimal(re.sub(r"[\s\u00a0\u202f']", " ", match.group()))
            if mark in (",", "."):
                shown.add(mark)
    return shown.pop() if len(shown) == 1 else None


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


_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


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
    text = _unescaped("".join(extractor.parts))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def plain_text(value: str) -> str:
    """A one-line field (a title, a brand) with its entities decoded, doubly escaped ones too, and its whitespace
    collapsed. Angle brackets stay as written: a title is text, and every screen escapes it."""
    return " ".join(_unescaped(value).split())


def _unescaped(text: str) -> str:
    """Entities decoded until none is left: exports that escape twice ("Data &amp;amp; Charging") hold some
    after one pass."""
    for _ in range(3):
        if not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return text


def options_label(options: dict[str, str]) -> str:
    """A variant's options as a shopper reads them on a cart or order line: "blue, size 10"."""
    return ", ".join(f"size {value}" if key.lower() == "size" else value for key, value in options.items())


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
        context = info.context or {}
        try:
            price, named = parse_price(data["price"], context.get("decimal"))
        except ValueError:
            return data  # the price field's own validator reports it, under the field's name
        default = context.get("currency", "USD")
        return {**data, "price": price, "currency": data.get("currency") or named or default}

    @field_validator("price", mode="before")
    @classmethod
    def _price(cls, value: Any) -> Any:
        return parse_price(value)[0] if isinstance(value, str) else value

    @field_validator(
        "id", "title", "description", "brand", "color", "material", "image_url", "url", mode="before"
    )
    @classmethod
    def _text(cls, value: Any, info: ValidationInfo) -> Any:
        value = "" if value is None else str(value) if isinstance(value, int | float) else value
        if isinstance(value, str) and info.field_name in ("title", "brand", "color", "material"):
            return plain_text(value)
        return value

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
        return next((variant for variant in self.units() if variant.id == variant_id), None)

    def units(self) -> list[Variant]:
        """What can be put in a cart: its variants, or the product itself as its one variant."""
        return self.variants or [Variant(id=self.id, price=self.price, stock=self.stock)]

    def price_of(self, variant: Variant) -> float:
        return self.price if variant.price is None else variant.price

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
