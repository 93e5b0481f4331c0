"""Structured filters from the shopper's words, and the catalog's filterable fields kept as columns.

`SearchFilters.matches` is the definition of what a filter means for one product. A search needs the answer for
every product at once, and a Python predicate per product costs hundreds of milliseconds at a million products,
so `FilterColumns` keeps each field as an array built once per catalog and answers a whole filter set with a
few vectorised operations; the tests hold both to the same answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from core.product import ProductRecord
from retrieval.catalog import words


@dataclass(frozen=True)
class SearchFilters:
    """Hard constraints from the shopper's words; each is ignored when None."""

    min_price: float | None = None
    max_price: float | None = None
    color: str | None = None
    brand: str | None = None
    category: str | None = None
    material: str | None = None
    size: str | None = None
    in_stock: bool = False

    def matches(self, product: ProductRecord, categories: frozenset[str] | None = None) -> bool:
        """Whether `product` satisfies every filter; `categories` are the paths `category` resolved to."""
        if self.min_price is not None and product.price < self.min_price:
            return False
        if self.max_price is not None and product.price > self.max_price:
            return False
        if self.color and self.color.lower() not in product.color.lower():
            return False
        if self.brand and self.brand.lower() != product.brand.lower():
            return False
        if self.material and self.material.lower() not in product.material.lower():
            return False
        if self.size and self.size.lower() not in (size.lower() for size in product.sizes):
            return False
        if self.in_stock and not product.in_stock:
            return False
        if self.category:
            if categories:
                return product.category in categories
            return words(self.category) <= words(product.title)
        return True


FEW_CODES = 4


class CodedColumn:
    """A text column as integer codes into its distinct values: a test runs once per distinct value (a few
    hundred brands or colours), and one gather spreads the answers over the rows."""

    def __init__(self, values: Iterable[str]) -> None:
        codes: dict[str, int] = {}
        found = np.fromiter((codes.setdefault(value, len(codes)) for value in values), dtype=np.int32)
        # Half the bytes to read per mask where the distinct values allow it (they nearly always do).
        self.codes = found.astype(np.int16) if len(codes) < 2**15 else found
        self.values = list(codes)

    def where(self, test: Callable[[str], bool]) -> np.ndarray:
        hits = np.flatnonzero(
            np.fromiter((test(value) for value in self.values), dtype=bool, count=len(self.values))
        )
        if hits.size <= FEW_CODES:
            # One comparison per matching value is faster than a lookup through a table for every row.
            mask = np.zeros(self.codes.size, dtype=bool)
            for code in hits.tolist():
                mask |= self.codes == code
            return mask
        table = np.zeros(len(self.values), dtype=bool)
        table[hits] = True
        return np.take(table, self.codes)

    @property
    def nbytes(self) -> int:
        return self.codes.nbytes


class Postings:
    """For a list-valued field (sizes, title words): each value's rows, as one sorted array per value."""

    def __init__(self, rows: int, lists: Iterable[Iterable[str]]) -> None:
        self.rows = rows
        found: dict[str, list[int]] = {}
        for row, values in enumerate(lists):
            for value in set(values):
                found.setdefault(value, []).append(row)
        self.postings = {value: np.array(held, dtype=np.int32) for value, held in found.items()}

    def having_all(self, values: set[str]) -> np.ndarray:
        """A mask of the rows that hold every one of `values` (all rows when there are none)."""
        mask = np.ones(self.rows, dtype=bool)
        for value in values:
            held = np.zeros(self.rows, dtype=bool)
            held[self.postings.get(value, np.empty(0, dtype=np.int32))] = True
            mask &= held
        return mask

    @property
    def nbytes(self) -> int:
        return sum(rows.nbytes for rows in self.postings.values())


class FilterColumns:
    """The filterable fields of a catalog's products, row i being product i, and masks computed over them."""

    def __init__(self, products: Sequence[ProductRecord]) -> None:
        self.count = len(products)
        self.price = np.fromiter((product.price for product in products), dtype=np.float64, count=self.count)
        self.in_stock = np.fromiter((product.in_stock for product in products), dtype=bool, count=self.count)
        self.brand = CodedColumn(product.brand.lower() for product in products)
        self.color = CodedColumn(product.color.lower() for product in products)
        self.material = CodedColumn(product.material.lower() for product in products)
        self.category = CodedColumn(product.category for product in products)
        self.sizes = Postings(self.count, ([size.lower() for size in product.sizes] for product in products))
        # Only a category word that names no category path needs the titles: kept until then as text.
        self._titles = [product.title for product in products]

    @cached_property
    def title_words(self) -> Postings:
        return Postings(self.count, (words(title) for title in self._titles))

    def mask(self, filters: SearchFilters, categories: frozenset[str] | None = None) -> np.ndarray:
        """What `filters.matches(product, categories)` answers for every row, as a boolean array."""
        mask = np.ones(self.count, dtype=bool)
        if filters.min_price is not None:
            mask &= self.price >= filters.min_price
        if filters.max_price is not None:
            mask &= self.price <= filters.max_price
        if filters.color:
            mask &= self.color.where(_contains(filters.color))
        if filters.brand:
            mask &= self.brand.where(filters.brand.lower().__eq__)
        if filters.material:
            mask &= self.material.where(_contains(filters.material))
        if filters.size:
            mask &= self.sizes.having_all({filters.size.lower()})
        if filters.in_stock:
            mask &= self.in_stock
        if filters.category:
            if categories:
                mask &= self.category.where(categories.__contains__)
            else:
                mask &= self.title_words.having_all(words(filters.category))
        return mask

    @property
    def nbytes(self) -> int:
        """The arrays' size (the titles kept for the word fallback are not counted)."""
        columns = (self.brand, self.color, self.material, self.category, self.sizes)
        return self.price.nbytes + self.in_stock.nbytes + sum(column.nbytes for column in columns)


def _contains(part: str) -> Callable[[str], bool]:
    part = part.lower()
    return lambda value: part in value
