"""Catalog import: read a merchant's file, validate every row, upsert the good ones, report the bad ones.

A bad row never stops an import and never lands half-parsed: it is skipped and reported with its line, field and
reason, and the rest loads in one transaction.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from tqdm import tqdm

from db.models import Product
from retrieval.product import ProductRecord

FORMATS = ("csv", "jsonl", "shopify", "gmc")
FIELDS = tuple(ProductRecord.model_fields)


class ImportFailed(ValueError):
    """The file as a whole cannot be imported (missing, unreadable, unknown format or mapping)."""


@dataclass(frozen=True)
class RowError:
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


@dataclass
class ImportReport:
    records: list[ProductRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    unchanged: int = 0


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
    return "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv"


def _rows(path: Path, fmt: str) -> Iterator[tuple[int, dict[str, Any]]]:
    if fmt == "csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                yield reader.line_num, row
    elif fmt == "jsonl":
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as error:
                    yield number, {"__error__": f"invalid JSON: {error.msg}"}
                    continue
                yield number, row if isinstance(row, dict) else {"__error__": "a line must be a JSON object"}
    else:
        raise ImportFailed(f"the {fmt!r} format is not supported yet; use csv or jsonl with --map")


def read_catalog(
    path: Path, fmt: str | None = None, mapping: dict[str, str] | None = None, currency: str = "USD"
) -> ImportReport:
    """Validate every row of a CSV or JSONL catalog; the report holds the good records and the bad rows."""
    path = Path(path)
    if not path.is_file():
        raise ImportFailed(f"no catalog file at {path}")
    fmt = fmt or guess_format(path)
    if fmt not in FORMATS:
        raise ImportFailed(f"unknown format {fmt!r}; formats are: {', '.join(FORMATS)}")
    mapping = mapping or {}
    report = ImportReport()
    seen: set[str] = set()
    for line, row in tqdm(_rows(path, fmt), desc=f"Reading {path.name}", unit=" rows", leave=False):
        if "__error__" in row:
            report.errors.append(RowError(line, "*", row["__error__"]))
            continue
        values = {name: row.get(mapping.get(name, name)) for name in FIELDS}
        values = {name: value for name, value in values.items() if value is not None}
        try:
            record = ProductRecord.model_validate(values, context={"currency": currency})
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "*"
            report.errors.append(RowError(line, where, first["msg"]))
            continue
        except (ValueError, SyntaxError) as error:
            report.errors.append(RowError(line, "*", str(error)))
            continue
        if record.id in seen:
            report.errors.append(RowError(line, "id", f"duplicate id {record.id!r} (first occurrence kept)"))
            continue
        seen.add(record.id)
        report.records.append(record)
    return report


def upsert_products(session: Session, report: ImportReport) -> ImportReport:
    """Insert new products and update changed ones, by id; counts go into the report."""
    existing = {product.id: product for product in session.scalars(select(Product))}
    for record in tqdm(report.records, desc="Saving products", unit=" products", leave=False):
        values = record.model_dump()
        current = existing.get(record.id)
        if current is None:
            session.add(Product(**values))
            report.added += 1
        elif any(getattr(current, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(current, name, value)
            report.updated += 1
        else:
            report.unchanged += 1
    return report
