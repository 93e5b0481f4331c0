"""Catalog import: read a merchant's file, validate every row, upsert the good ones, report the bad ones.

A bad row never stops an import and never lands half-parsed: it is skipped and reported with its line, field and
reason, and the rest loads in one transaction. Formats: generic CSV (or TSV) and JSONL with a field mapping,
Shopify's and WooCommerce's product CSV exports (`retrieval/shopify.py`, `retrieval/woocommerce.py`) and Google Merchant Center feeds
(`retrieval/merchant_center.py`); each turns the file's rows into product field values, validated here.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from core.errors import ImportFailed
from core.product import ProductRecord, RowError, decimal_separator
from db.models import CartItem, OrderItem, Product, ProductVariant
from retrieval import merchant_center, shopify, woocommerce

FORMATS = ("csv", "jsonl", "shopify", "woocommerce", "gmc")
FIELDS = tuple(ProductRecord.model_fields)
ProductRows = Iterator[tuple[int, dict[str, Any] | RowError]]
# SQLite allows a limited number of bound parameters per statement.
_ID_BATCH = 500


@dataclass
class ImportReport:
    """What one import read and did: good records, bad rows, and the changes made to the database."""

    records: list[ProductRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Every product id the file names, bad rows included: a prune must not delete a product for a typo.
    listed_ids: set[str] = field(default_factory=set)
    loaded_ids: set[str] = field(default_factory=set, repr=False)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    retired: int = 0

    def add(
        self, line: int, values: dict[str, Any] | RowError, currency: str, decimal: str | None = None
    ) -> None:
        """Validate one row's field values into a record, or note why it was skipped."""
        if isinstance(values, RowError):
            self._skip(values)
            return
        raw_id = str(values.get("id") or "").strip()
        try:
            record = ProductRecord.model_validate(values, context={"currency": currency, "decimal": decimal})
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "*"
            self._skip(RowError(line, where, first["msg"].removeprefix("Value error, "), raw_id))
            return
        except (ValueError, SyntaxError) as error:
            self._skip(RowError(line, "*", str(error), raw_id))
            return
        if record.price == 0:
            # Feeds write 0 where the price is unknown; offering the product for free would be wrong.
            self._skip(RowError(line, "price", "a price of 0 is taken as missing", record.id))
            return
        if record.id in self.loaded_ids:
            self._skip(RowError(line, "id", f"duplicate id {record.id!r} (first occurrence kept)"))
            return
        self.listed_ids.add(record.id)
        self.loaded_ids.add(record.id)
        self.records.append(record)

    def _skip(self, error: RowError) -> None:
        self.errors.append(error)
        if error.product_id:
            self.listed_ids.add(error.product_id)


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """`["title=product_name", …]` → `{"title": "product_name"}`, refusing fields shopassist does not know."""
    mapping = {}
    for pair in pairs:
        target, sep, source = pair.partition("=")
        if not sep or not target.strip() or not source.strip():
            raise ImportFailed(f"--map takes FIELD=COLUMN, got {pair!r}")
        if target.strip() not in FIELDS:
            raise ImportFailed(f"unknown product field {target.strip()!r}; fields are: {', '.join(FIELDS)}")
        mapping[target.strip()] = source.strip()
    return mapping


def guess_format(path: Path) -> str:
    """The format from the file name and its first line: JSON lines, XML (a Merchant Center feed), a Shopify
    export's header, a tab-separated Merchant Center header, or else a generic CSV."""
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    first = _first_line(path)
    if path.suffix.lower() in (".xml", ".rss", ".atom") or first.lstrip().startswith("<"):
        return "gmc"
    delimiter = _delimiter(first)
    header = next(csv.reader([first], delimiter=delimiter), [])
    if shopify.is_export(header):
        return "shopify"
    if woocommerce.is_export(header):
        return "woocommerce"
    if delimiter == "\t" and merchant_center.is_feed(header):
        return "gmc"
    return "csv"


def read_catalog(
    path: Path, fmt: str | None = None, mapping: dict[str, str] | None = None, currency: str = "USD"
) -> ImportReport:
    """Validate every product of a catalog file; the report holds the good records and the bad rows."""
    path = Path(path)
    if not path.is_file():
        raise ImportFailed(f"no catalog file at {path}")
    try:
        fmt = fmt or guess_format(path)
        if fmt not in FORMATS:
            raise ImportFailed(f"unknown format {fmt!r}; formats are: {', '.join(FORMATS)}")
        if mapping and fmt in ("shopify", "woocommerce"):
            name = {"shopify": "Shopify", "woocommerce": "WooCommerce"}[fmt]
            raise ImportFailed(f"--map does not apply to a {name} export, whose columns are known")
        report = ImportReport()
        unit = {"shopify": " products", "woocommerce": " products", "gmc": " items"}.get(fmt, " rows")
        decimal = file_decimal(path, fmt, mapping or {})
        rows = _product_rows(path, fmt, mapping or {}, decimal)
        for line, values in tqdm(rows, f"Reading {path.name}", unit=unit, leave=False):
            report.add(line, values, currency, decimal)
    except UnicodeDecodeError:
        raise ImportFailed(f"{path.name} is not UTF-8 text") from None
    except csv.Error as error:
        raise ImportFailed(f"{path.name} is not readable as CSV: {error}") from None
    return report


def file_decimal(path: Path, fmt: str, mapping: dict[str, str]) -> str | None:
    """The decimal separator the file's prices show ("139,99" or "12.50"), read from every price column before
    any row is parsed, so that a value like "1,299" is read the file's way; None when they do not tell."""
    if fmt == "gmc":
        return None  # Merchant Center's price format is fixed: "15.00 USD"
    price_column = mapping.get("price", "price")
    if fmt == "jsonl":
        rows = (row for _, row in _jsonl(path) if isinstance(row, dict))
        return decimal_separator(row.get(price_column) for row in rows)
    values = (
        value
        for _, row in _delimited(path)
        for column, value in row.items()
        if column and ("price" in column.lower() or column == price_column)
    )
    return decimal_separator(values)


def _product_rows(path: Path, fmt: str, mapping: dict[str, str], decimal: str | None = None) -> ProductRows:
    if fmt == "shopify":
        return shopify.products(_delimited(path), decimal)
    if fmt == "woocommerce":
        return woocommerce.products(_delimited(path), decimal)
    if fmt == "gmc":
        xml = path.suffix.lower() in (".xml", ".rss", ".atom") or _first_line(path).lstrip().startswith("<")
        return merchant_center.products(merchant_center.read_xml(path) if xml else _delimited(path), mapping)
    return _mapped(_jsonl(path) if fmt == "jsonl" else _delimited(path), mapping)


def _mapped(rows: ProductRows, mapping: dict[str, str]) -> ProductRows:
    """Product field values from a generic row: each field from its mapped column, or the column of its name."""
    for line, row in rows:
        if isinstance(row, RowError):
            yield line, row
            continue
        values = {name: row.get(mapping.get(name, name)) for name in FIELDS}
        yield line, {name: value for name, value in values.items() if value is not None}


def _first_line(path: Path) -> str:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return handle.readline()


def _delimiter(header: str) -> str:
    return "\t" if header.count("\t") > header.count(",") else ","


def _delimited(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """CSV or TSV rows with the line each starts on (a quoted description may span several lines)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        delimiter = _delimiter(handle.readline())
        handle.seek(0)
        reader = csv.DictReader(handle, delimiter=delimiter)
        if reader.fieldnames is None:
            return
        while True:
            start = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                return
            yield start, row


def _jsonl(path: Path) -> ProductRows:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                yield number, RowError(number, "*", f"invalid JSON: {error.msg}")
                continue
            yield (
                number,
                row if isinstance(row, dict) else RowError(number, "*", "a line must be a JSON object"),
            )


def upsert_products(session: Session, report: ImportReport) -> ImportReport:
    """Insert new products and update changed ones, by id; counts go into the report."""
    existing = {product.id: product for product in session.scalars(select(Product))}
    for record in tqdm(report.records, desc="Saving products", unit=" products", leave=False):
        values = record.model_dump()
        current = existing.get(record.id)
        if current is None:
            session.add(Product(**values, variant_rows=_variant_rows(record, {})))
            report.added += 1
        elif any(getattr(current, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(current, name, value)
            current.variant_rows = _variant_rows(record, {row.id: row for row in current.variant_rows})
            report.updated += 1
        else:
            report.unchanged += 1
    return report


def _variant_rows(record: ProductRecord, rows: dict[str, ProductVariant]) -> list[ProductVariant]:
    """The product's variants as the rows that carts, orders and stock reservations use. The store's file is the
    truth for their stock, so an import sets it."""
    saved = []
    for unit in record.units():
        row = rows.get(unit.id) or ProductVariant(id=unit.id)
        row.options = unit.options
        row.price = record.price_of(unit)
        row.available = unit.available
        row.stock = unit.stock
        saved.append(row)
    return saved


def prune_products(session: Session, report: ImportReport) -> ImportReport:
    """After a full import: remove the products the file no longer lists.

    They leave every cart (the store no longer sells them); one that a past order references stays, with stock 0,
    because the order history needs it. A file that yielded no product at all prunes nothing: that is a wrong
    file or mapping, not an empty catalog.
    """
    if not report.records:
        raise ImportFailed("--prune refused: the file yielded no products, so it would empty the catalog")
    missing = [p for p in session.scalars(select(Product)) if p.id not in report.listed_ids]
    ordered: set[str] = set()
    for start in range(0, len(missing), _ID_BATCH):
        ids = [product.id for product in missing[start : start + _ID_BATCH]]
        session.execute(delete(CartItem).where(CartItem.product_id.in_(ids)))
        ordered.update(session.scalars(select(OrderItem.product_id).where(OrderItem.product_id.in_(ids))))
    for product in missing:
        if product.id in ordered:
            product.stock = 0
            for row in product.variant_rows:
                row.stock = 0
            report.retired += 1
        else:
            session.delete(product)
            report.removed += 1
    return report
