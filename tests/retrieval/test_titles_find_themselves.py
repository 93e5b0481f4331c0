"""A product named in full is found first (issue 25), on real catalogs imported as merchants import them: the
Flipkart sample (evaluation data in ../shared, skipped without it) and the project's WooCommerce-style export.
Each product's own title, lower-cased and with one slip of the keyboard in its longest word, finds it first;
its model code alone finds it in the top three. Products whose titles are identical count as found by each other."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.understanding.slots import _codes
from core.product import ProductRecord
from retrieval.filters import SearchFilters
from retrieval.importer import parse_mapping, read_catalog
from retrieval.lexical import tokens
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


MULTILINGUAL = {
    "fr": "Tasse à café en grès émaillé",
    "de": "Kaffeebecher aus Steinzeug, weiß",
    "ru": "Чашка керамическая для чая",
    "es": "Taza de cerámica azul",
    "pl": "Kubek ceramiczny z uchem",
    "zh": "陶瓷 咖啡杯",
}


@pytest.fixture(scope="module")
def multilingual(tmp_path_factory, embedder):
    products = [
        ProductRecord(id=language, title=title, category="Kitchen > Cups", price=10.0 + number)
        for number, (language, title) in enumerate(MULTILINGUAL.items())
    ]
    return small_shop(tmp_path_factory.mktemp("multilingual"), embedder, products)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        *[(title.lower(), language) for language, title in MULTILINGUAL.items()],
        ("tasse a cafe", "fr"),  # typed without the accents
        ("kaffeebecher", "de"),
        ("чашка", "ru"),
        ("taza ceramica", "es"),
        ("kubek", "pl"),
        ("咖啡杯", "zh"),
    ],
)
def test_titles_in_other_languages_are_kept_and_found(multilingual, query, expected):
    assert multilingual.catalog.by_id[expected].title == MULTILINGUAL[expected]
    assert multilingual.search.run(query, SearchFilters(), 3)[0].id == expected
    # Found by its words, not only by the encoder's sense of them.
    (row, _score), *_ = multilingual.search.rank(query, None, 3, method="bm25")
    assert multilingual.catalog.products[row].id == expected


def test_words_in_any_script_are_tokens_with_and_without_accents():
    assert tokens("Tasse à café en grès") == [
        "tasse",
        "à",
        "a",
        "café",
        "cafe",
        "en",
        "grè",
        "gre",
    ]  # singular as in English, both sides
    assert tokens("Чашка керамическая") == ["чашка", "керамическая"]
    assert tokens("Kaffeebecher WEISS 2er-Set") == ["kaffeebecher", "weiss", "2erset", "2", "erset"]
