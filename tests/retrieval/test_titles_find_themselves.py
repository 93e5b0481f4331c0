"""A product named in full is found first (issue 25), on real catalogs imported as merchants import them: the
Flipkart sample (evaluation data in ../shared, skipped without it) and the project's WooCommerce-style export.
Each product's own title, lower-cased and with one slip of the keyboard in its longest word, finds it first;
its model code alone finds it in the top three. Products whose titles are identical count as found by each other."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.understanding.slots import _codes
from retrieval.filters import SearchFilters
from retrieval.importer import parse_mapping, read_catalog
from tests.retrieval.test_importer import FLIPKART_MAP
from tests.small_shop import small_shop

WOOCOMMERCE = Path(__file__).parent / "fixtures" / "woocommerce_export.csv"


def slip(title: str) -> str:
    """The title with two neighbouring letters of its longest word swapped ("sandals" → "snadals")."""
    words = title.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) > 3:
        words[longest] = word[0] + word[2] + word[1] + word[3:]
    return " ".join(words)


def same(title: str) -> str:
    return " ".join(title.lower().split())


def shares_found(shop) -> dict[str, float]:
    products = shop.catalog.products
    found = Counter()
    for product in products:
        for kind, query in (("title", product.title.lower()), ("slip", slip(product.title.lower()))):
            results = shop.search.run(query, SearchFilters(), 3)
            found[kind] += bool(results) and same(results[0].title) == same(product.title)
    codes = Counter(code for product in products for code in _codes(product.title))
    named = [(product, code) for product in products for code in _codes(product.title) if codes[code] == 1]
    for product, code in named:
        found["code"] += product.id in {result.id for result in shop.search.run(code, SearchFilters(), 3)}
    return {
        "title": found["title"] / len(products),
        "slip": found["slip"] / len(products),
        "code": found["code"] / len(named) if named else 1.0,
        "codes": len(named),
    }


@pytest.mark.slow
def test_every_flipkart_product_is_found_by_its_title(shared_data, embedder, tmp_path):
    report = read_catalog(
        shared_data / "flipkart_sample_1k.csv", mapping=parse_mapping(FLIPKART_MAP), currency="INR"
    )
    shares = shares_found(small_shop(tmp_path, embedder, report.records))
    # Measured 1.000, 0.992 and 0.985 of 259 codes (the misses: a slip inside a model code, which is never
    # corrected, and twins that differ only by a code).
    assert shares["title"] >= 0.99 and shares["slip"] >= 0.97 and shares["codes"] > 200, shares
    assert shares["code"] >= 0.95, shares


def test_every_woocommerce_product_is_found_by_its_title(embedder, tmp_path):
    report = read_catalog(WOOCOMMERCE)
    shares = shares_found(small_shop(tmp_path, embedder, report.records))
    assert (shares["title"], shares["slip"], shares["code"]) == (1.0, 1.0, 1.0), shares
