"""retrieval/recommendation.py: needs matched to the demo catalog's categories by meaning, the real encoder."""

from __future__ import annotations

import pytest

from retrieval.filters import SearchFilters
from retrieval.recommendation import MAX_KINDS, Recommender


@pytest.fixture(scope="module")
def recommender(assistant) -> Recommender:
    return Recommender(assistant.act.search)


def departments(paths: list[str]) -> set[str]:
    return {path.split(" > ")[0] for path in paths}


@pytest.mark.parametrize(
    ("need", "expected"),
    [
        ("cooking", {"Kitchen", "Books & Stationery"}),
        ("for a 6 year old", {"Toys"}),
        ("gardening", {"Garden"}),
        ("for a baby", {"Baby"}),
        ("music", {"Electronics"}),
        ("hiking", {"Sports", "Bags", "Shoes"}),
    ],
)
def test_a_need_finds_the_categories_that_answer_it(recommender, need, expected):
    kinds = [path for path, _ in recommender.categories(need, SearchFilters())]
    assert kinds and len(kinds) <= MAX_KINDS
    assert departments(kinds) <= expected


@pytest.mark.parametrize("need", ["him", "dad", "photography"])
def test_a_need_that_says_nothing_of_what_to_buy_finds_no_category(recommender, need):
    assert recommender.categories(need, SearchFilters()) == []


def test_ideas_come_from_every_matching_category_in_turn_in_stock_first(recommender):
    found = recommender.run("cooking", SearchFilters(), 6)
    assert len(found.categories) >= 2
    shown = {product.category for product in found.products}
    assert shown == set(found.categories)
    stock = [product.in_stock for product in found.products]
    assert stock == sorted(stock, reverse=True)


def test_the_budget_is_honoured_and_categories_without_a_product_in_it_are_left_out(recommender):
    found = recommender.run("cooking", SearchFilters(max_price=20), 5)
    assert found.products and all(product.price <= 20 for product in found.products)
    cheapest = {
        path: min(p.price for p in recommender.search.catalog.products if p.category == path)
        for path in found.categories
    }
    assert all(price <= 20 for price in cheapest.values())


def test_nothing_within_a_budget_is_no_products_rather_than_others(recommender):
    assert recommender.run("for a baby", SearchFilters(max_price=0.5), 5).products == []


def test_k_must_be_positive(recommender):
    with pytest.raises(ValueError, match="positive"):
        recommender.run("cooking", SearchFilters(), 0)
