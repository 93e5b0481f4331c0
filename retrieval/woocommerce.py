"""WooCommerce's product CSV export: one shopassist product per simple or variable product, its `variation` rows
as its variants.

The columns are WooCommerce's own (its product CSV importer and exporter): ID, Type, SKU, Name, Published,
Visibility in catalog, Short description, Description, Date sale price starts/ends, In stock?, Stock, Sale price,
Regular price, Categories ("A > B, C": `>` within a path, commas between paths), Tags, Images (several URLs), Parent
("id:123" or the parent's SKU), Brands, and Attribute N name / value(s) / visible / global. What is not for sale is
skipped and reported: a draft or private product, one hidden from the catalog, a grouped product (it has no price of
its own) and an external one (sold on another site).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from core.product import RowError, html_to_text, parse_price, plain_text
from retrieval.columns import Columns

Rows = Iterable[tuple[int, dict[str, str]]]

ALIASES = {
    "id": ("id",),
    "type": ("type",),
    "sku": ("sku",),
    "name": ("name",),
    "published": ("published",),
    "visibility": ("visibility in catalog",),
    "short": ("short description",),
    "description": ("description",),
    "sale_from": ("date sale price starts",),
    "sale_to": ("date sale price ends",),
    "in_stock": ("in stock?",),
    "stock": ("stock",),
    "sale": ("sale price",),
    "regular": ("regular price",),
    "categories": ("categories",),
    "tags": ("tags",),
    "images": ("images",),
    "parent": ("parent",),
    "brand": ("brands", "brand"),
}
ATTRIBUTES = range(1, 21)
FIELD_OF_ATTRIBUTE = {"color": "color", "colour": "color", "size": "sizes", "material": "material"}
# WooCommerce escapes a comma inside a value as "\,".
_SPLIT = re.compile(r"(?<!\\),")


def is_export(header: Iterable[str]) -> bool:
    """Whether a CSV header is a WooCommerce product export's (a type, a name and a regular price)."""
    columns = Columns(header, ALIASES)
    return all(columns.has(key) for key in ("type", "name", "regular")) and (
        columns.has("sku") or columns.has("published")
    )


def products(rows: Rows, decimal: str | None = None, today: date | None = None) -> Iterator[tuple[int, Any]]:
    """Each product's field values (or why it was skipped), with its row's line; variations join their parent."""
    rows = list(rows)
    if not rows:
        return
    columns = Columns(rows[0][1], ALIASES)
    today = today or date.today()
    parents: dict[str, int] = {}  # "id:123" and the SKU → index into `listed`
    listed: list[tuple[int, dict[str, str], list[tuple[int, dict[str, str]]]]] = []
    orphans: list[tuple[int, dict[str, str]]] = []
    for line, row in rows:
        if "variation" in _types(columns, row):
            orphans.append((line, row))
            continue
        listed.append((line, row, []))
        for key in (f"id:{columns.value(row, 'id')}", columns.value(row, "sku")):
            if key not in ("id:", ""):
                parents[key] = len(listed) - 1
    for line, row in orphans:
        parent = columns.value(row, "parent")
        if parent in parents or f"id:{parent}" in parents:
            listed[parents.get(parent, parents.get(f"id:{parent}"))][2].append((line, row))
        else:
            yield (
                line,
                RowError(line, "parent", f"a variation of an unknown product {parent!r}", _id(columns, row)),
            )
    for line, row, variations in listed:
        yield line, _product(line, row, variations, columns, decimal, today)


def _product(line, row, variations, columns: Columns, decimal, today) -> dict[str, Any] | RowError:
    product_id = _id(columns, row)
    if not product_id:
        return RowError(line, "sku", "a product needs an SKU or an ID")
    if not columns.value(row, "name"):
        return RowError(line, "name", "a product needs a Name", product_id)
    skipped = _not_for_sale(columns, row)
    if skipped:
        return RowError(line, skipped[0], skipped[1], product_id)
    try:
        price, regular = _price(columns, row, decimal, today)
        variants = [_variant(v_line, v_row, columns, decimal, today) for v_line, v_row in variations]
        variants = [variant for variant in variants if variant.pop("published")]
    except _RowProblem as problem:
        return RowError(problem.line or line, problem.field, problem.reason, product_id)
    if "variable" in _types(columns, row):
        priced = [variant for variant in variants if variant["price"] is not None]
        if not priced:
            return RowError(line, "variations", "a variable product without a priced variation", product_id)
        # The price shown is the cheapest one a shopper can buy now.
        buyable = [variant for variant in priced if variant["available"]] or priced
        cheapest = min(buyable, key=lambda variant: variant["price"])
        price, regular = cheapest["price"], cheapest["regular"]
    if price is None:
        return RowError(line, "regular price", "a product needs a price", product_id)
    categories = [path.strip().replace("\\,", ",") for path in _SPLIT.split(columns.value(row, "categories"))]
    categories = [path for path in categories if path]
    options = _attributes(columns, row)
    for variant in variants:
        for name, value in variant["options"].items():
            options.setdefault(name, [])
            if value not in options[name]:
                options[name].append(value)
    fields: dict[str, Any] = {"color": "", "sizes": [], "material": ""}
    attributes = {}
    for name, values in options.items():
        field = FIELD_OF_ATTRIBUTE.get(name.lower())
        if field == "sizes":
            fields["sizes"] = values
        elif field:
            fields[field] = ", ".join(values)
        elif name.lower() in ("brand", "brands"):
            fields.setdefault("brand", ", ".join(values))
        else:
            attributes[name] = ", ".join(values)
    if len(categories) > 1:
        attributes["also in"] = "; ".join(categories[1:])
    if tags := columns.value(row, "tags"):
        attributes["tags"] = tags.replace("\\,", ",")
    if regular is not None and regular > price:
        attributes["compare_at_price"] = f"{regular:.2f}"
    description = "\n".join(
        text
        for text in (
            html_to_text(columns.value(row, "short")),
            html_to_text(columns.value(row, "description")),
        )
        if text
    )
    stock = _stock(line, columns, row) if not variants else _variants_stock(variants)
    return {
        "id": product_id,
        "title": plain_text(columns.value(row, "name")),
        "description": description,
        "brand": plain_text(columns.value(row, "brand")) or fields.pop("brand", ""),
        "category": categories[0] if categories else "",
        "price": price,
        "color": fields["color"],
        "sizes": fields["sizes"],
        "material": fields["material"],
        "stock": stock,
        "image_url": _SPLIT.split(columns.value(row, "images"))[0].strip(),
        "attributes": attributes,
        "variants": [
            {key: value for key, value in variant.items() if key != "regular"} for variant in variants
        ],
    }


class _RowProblem(ValueError):
    def __init__(self, line: int | None, field: str, reason: str) -> None:
        super().__init__(reason)
        self.line, self.field, self.reason = line, field, reason


def _types(columns: Columns, row: dict[str, str]) -> set[str]:
    return {part.strip().lower() for part in columns.value(row, "type").split(",") if part.strip()}


def _id(columns: Columns, row: dict[str, str]) -> str:
    sku = columns.value(row, "sku")
    return sku or (f"wc-{columns.value(row, 'id')}" if columns.value(row, "id") else "")


def _not_for_sale(columns: Columns, row: dict[str, str]) -> tuple[str, str] | None:
    published = columns.value(row, "published")
    if published in ("0", "-1"):
        return (
            "published",
            "a private product is not for sale" if published == "0" else "a draft is not for sale",
        )
    if columns.value(row, "visibility").lower() == "hidden":
        return "visibility in catalog", "a product hidden from the catalog is not offered"
    types = _types(columns, row)
    if "grouped" in types:
        return "type", "a grouped product has no price of its own; its products are listed on their own rows"
    if "external" in types:
        return "type", "an external product is sold on another site"
    return None


def _price(
    columns: Columns, row, decimal, today, line: int | None = None
) -> tuple[float | None, float | None]:
    """The price while it applies (the sale price within its dates) and the regular price."""
    try:
        regular_text, sale_text = columns.value(row, "regular"), columns.value(row, "sale")
        regular = parse_price(regular_text, decimal)[0] if regular_text else None
        sale = parse_price(sale_text, decimal)[0] if sale_text else None
    except ValueError as error:
        raise _RowProblem(line, "price", str(error)) from None
    starts, ends = _date(columns.value(row, "sale_from")), _date(columns.value(row, "sale_to"))
    on_sale = sale is not None and (starts is None or starts <= today) and (ends is None or today <= ends)
    return (sale if on_sale else regular), regular


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _variant(line: int, row: dict[str, str], columns: Columns, decimal, today) -> dict[str, Any]:
    price, regular = _price(columns, row, decimal, today, line)
    options = {name: values[0] for name, values in _attributes(columns, row).items() if values}
    stock = _stock(line, columns, row)
    in_stock = not _says_out_of_stock(columns, row)
    return {
        "id": _id(columns, row) or f"line-{line}",
        "options": options,
        "price": price,
        "regular": regular,
        "available": in_stock and stock != 0,
        "stock": stock,
        "published": columns.value(row, "published") not in ("0", "-1"),
    }


def _stock(line: int, columns: Columns, row: dict[str, str]) -> int | None:
    """Units on hand when WooCommerce counts them; 0 when it says out of stock; None when it does not count."""
    text = columns.value(row, "stock")
    if text:
        try:
            return max(0, int(float(text)))
        except ValueError:
            raise _RowProblem(line, "stock", f"stock {text!r} is not a number") from None
    return 0 if _says_out_of_stock(columns, row) else None


def _says_out_of_stock(columns: Columns, row: dict[str, str]) -> bool:
    return columns.value(row, "in_stock").lower() in ("0", "outofstock", "no", "false")


def _variants_stock(variants: list[dict[str, Any]]) -> int | None:
    """The units of every variant; None when an available variant's are not counted."""
    if any(variant["stock"] is None and variant["available"] for variant in variants):
        return None
    return sum(variant["stock"] or 0 for variant in variants)


def _attributes(columns: Columns, row: dict[str, str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for n in ATTRIBUTES:
        name = columns.value(row, f"attribute {n} name")
        if not name:
            if not columns.has(f"attribute {n} name"):
                break
            continue
        values = [
            v.strip().replace("\\,", ",") for v in _SPLIT.split(columns.value(row, f"attribute {n} value(s)"))
        ]
        found[plain_text(name)] = [plain_text(v) for v in values if v]
    return found
