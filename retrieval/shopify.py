"""Shopify's product CSV export: one shopassist product per Handle, with its variant rows folded in.

Shopify writes a product's first row in full and one further row per variant (and per extra image) that repeats
the Handle and leaves the Title empty. A product's sizes and colors come from its options named Size and Color,
its price is its cheapest variant's, and its stock the sum of its variants' tracked inventory. Both spellings of
the columns are read: the long-standing ones ("Body (HTML)", "Variant Price", "Variant Inventory Qty") and those
of the exports Shopify writes since 2024 ("Description", "Price", "Inventory quantity").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from core.product import RowError, html_to_text, parse_price
from retrieval.columns import Columns

Rows = Iterable[tuple[int, dict[str, str]]]

ALIASES = {
    "handle": ("handle", "url handle"),
    "title": ("title",),
    "body": ("body (html)", "description"),
    "vendor": ("vendor",),
    "category": ("product category",),
    "type": ("type", "product type"),
    "tags": ("tags",),
    "published": ("published", "published on online store"),
    "status": ("status",),
    "sku": ("variant sku", "sku"),
    "price": ("variant price", "price"),
    "compare_at": ("variant compare at price", "compare-at price"),
    "quantity": ("variant inventory qty", "inventory quantity"),
    "tracker": ("variant inventory tracker", "inventory tracker"),
    "image": ("image src", "product image url"),
}
OPTIONS = (1, 2, 3)
# Option names that become product fields rather than free attributes.
SIZE_NAMES = {"size", "sizes", "shoe size"}
COLOR_NAMES = {"color", "colour"}
MATERIAL_NAMES = {"material", "fabric"}


def is_export(header: Iterable[str]) -> bool:
    """Whether a CSV header is a Shopify product export's (a handle, a title and variant columns)."""
    columns = Columns(header, ALIASES)
    return columns.has("handle") and columns.has("title") and columns.has("option1 name")


def products(rows: Rows, decimal: str | None = None) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    """Each product's field values (or why it was skipped), with the line of its first row; prices are read with
    the file's decimal separator when a value leaves it open."""
    columns: Columns | None = None
    group: list[tuple[int, dict[str, str]]] = []
    for line, row in rows:
        columns = columns or Columns(row, ALIASES)
        handle = columns.value(row, "handle")
        # A new Handle starts the next product; an empty one continues the current (hand-made files).
        if group and handle and handle != columns.value(group[0][1], "handle"):
            yield group[0][0], fold(group, columns, decimal)
            group = []
        group.append((line, row))
    if group and columns is not None:
        yield group[0][0], fold(group, columns, decimal)


def fold(
    group: list[tuple[int, dict[str, str]]], columns: Columns, decimal: str | None = None
) -> dict[str, Any] | RowError:
    """One product from its rows: the first row's product details, every variant's options, price and stock."""
    line, first = group[0]
    handle = columns.value(first, "handle")
    if not handle:
        return RowError(line, "handle", "a product needs a Handle")
    status = columns.value(first, "status").lower()
    if status and status != "active":
        return RowError(line, "status", f"a {status} product is not for sale", handle)
    if columns.value(first, "published").lower() == "false":
        return RowError(line, "published", "an unpublished product is not for sale", handle)
    variants = [group[0], *(item for item in group[1:] if _is_variant(item[1], columns))]
    try:
        price, compare_at = _prices(variants, columns, decimal)
        stock = _stock(variants, columns)
        units = _variants(handle, variants, columns, decimal)
    except _VariantError as error:
        return RowError(error.line, error.field, error.reason, handle)
    options = _options(variants, columns)
    sizes, colors, materials = (_take(options, names) for names in (SIZE_NAMES, COLOR_NAMES, MATERIAL_NAMES))
    category = columns.value(first, "category")
    product_type = columns.value(first, "type")
    # The remaining options ("Style", "Length") and what has no product field of its own stay searchable.
    attributes = {name: ", ".join(values) for name, values in options.items()}
    attributes.update(_kept(tags=columns.value(first, "tags"), type=product_type if category else ""))
    if compare_at is not None and compare_at > price:
        attributes["compare_at_price"] = f"{compare_at:.2f}"
    return {
        "id": handle,
        "title": columns.value(first, "title"),
        "description": html_to_text(columns.value(first, "body")),
        "brand": columns.value(first, "vendor"),
        "category": category or product_type,
        "price": price,
        "sizes": sizes,
        "color": ", ".join(colors),
        "material": ", ".join(materials),
        "stock": stock,
        "image_url": next(
            (columns.value(row, "image") for _, row in group if columns.value(row, "image")), ""
        ),
        "attributes": attributes,
        "variants": units,
    }


def _variants(
    handle: str, variants: list[tuple[int, dict[str, str]]], columns: Columns, decimal: str | None
) -> list[dict[str, Any]]:
    """One variant per variant row, with its own SKU (its id), options, price and inventory; none for a product
    whose one variant is Shopify's "Default Title" (the product is its own variant then)."""
    first = variants[0][1]
    names = {n: columns.value(first, f"option{n} name") for n in OPTIONS}
    units, seen = [], set()
    for index, (_line, row) in enumerate(variants, start=1):
        options = {
            name: columns.value(row, f"option{n} value")
            for n, name in names.items()
            if name and name.lower() != "title" and columns.value(row, f"option{n} value")
        }
        sku = columns.value(row, "sku")
        # A SKU is the variant's id in the store; a missing or repeated one gets the handle and the row's place.
        variant_id = sku if sku and sku not in seen else f"{handle}-{index}"
        seen.add(variant_id)
        stock = _stock([(_line, row)], columns)
        units.append(
            {
                "id": variant_id,
                "options": options,
                "price": parse_price(columns.value(row, "price"), decimal)[0],
                "available": stock is None or stock > 0,
                "stock": stock,
            }
        )
    return units if any(unit["options"] for unit in units) else []


class _VariantError(ValueError):
    def __init__(self, line: int, field: str, reason: str) -> None:
        super().__init__(reason)
        self.line, self.field, self.reason = line, field, reason


def _is_variant(row: dict[str, str], columns: Columns) -> bool:
    """Image-only rows repeat the Handle with nothing but an image; variant rows carry a price, SKU or option."""
    keys = ("price", "sku", *(f"option{n} value" for n in OPTIONS))
    return any(columns.value(row, key) for key in keys)


def _prices(
    variants: list[tuple[int, dict[str, str]]], columns: Columns, decimal: str | None
) -> tuple[float, float | None]:
    """The cheapest variant's price and its compare-at price (the "was" price), if it has one."""
    priced = []
    for line, row in variants:
        text = columns.value(row, "price")
        if not text:
            raise _VariantError(line, "price", "a variant has no price")
        try:
            price = parse_price(text, decimal)[0]
            compare_text = columns.value(row, "compare_at")
            compare_at = parse_price(compare_text, decimal)[0] if compare_text else None
        except ValueError as error:
            raise _VariantError(line, "price", str(error)) from None
        priced.append((price, compare_at))
    return min(priced, key=lambda pair: pair[0])


def _stock(variants: list[tuple[int, dict[str, str]]], columns: Columns) -> int | None:
    """Units on hand over the variants whose inventory Shopify tracks; None when none is tracked."""
    total: int | None = None
    for line, row in variants:
        if columns.has("tracker") and not columns.value(row, "tracker"):
            continue
        text = columns.value(row, "quantity")
        if not text:
            continue
        try:
            quantity = int(float(text))
        except ValueError:
            raise _VariantError(line, "stock", f"inventory quantity {text!r} is not a number") from None
        # Overselling leaves a negative count: nothing is on hand then.
        total = (total or 0) + max(0, quantity)
    return total


def _options(variants: list[tuple[int, dict[str, str]]], columns: Columns) -> dict[str, list[str]]:
    """Each option's distinct values in variant order; the option names are on the product's first row."""
    first = variants[0][1]
    names = {n: columns.value(first, f"option{n} name") for n in OPTIONS}
    options: dict[str, list[str]] = {}
    for _, row in variants:
        for n, name in names.items():
            value = columns.value(row, f"option{n} value")
            # A product without options has one variant whose option is "Title: Default Title".
            if name and value and name.lower() != "title" and value not in options.setdefault(name, []):
                options[name].append(value)
    return {name: values for name, values in options.items() if values}


def _take(options: dict[str, list[str]], names: set[str]) -> list[str]:
    """Removes and returns the values of the option whose name is one of `names` (any letter case)."""
    for name in list(options):
        if name.lower() in names:
            return options.pop(name)
    return []


def _kept(**values: str) -> dict[str, str]:
    return {name: value for name, value in values.items() if value}
