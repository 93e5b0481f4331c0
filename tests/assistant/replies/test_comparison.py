"""assistant/replies/comparison.py: short names, only what differs, one verdict, never fewer than two products."""

from __future__ import annotations

import pytest

from assistant.replies.comparison import compare, recommended, short_names
from core.product import ProductRecord


def mat(pid: str, title: str, price: float, rating: float, stock: int = 10, **more) -> ProductRecord:
    return ProductRecord(
        id=pid, title=title, price=price, rating=rating, stock=stock, category="Fitness > Yoga Mats", **more
    )


PRO = mat(
    "a", "Manduka Pro Yoga Mat", 38.0, 3.1, material="natural rubber", attributes={"thickness": "1.5 mm"}
)
GRIP = mat(
    "b",
    "Solace Active Grip Yoga Mat",
    46.99,
    4.3,
    material="natural rubber",
    attributes={"thickness": "6 mm"},
)


def test_names_lose_the_words_every_title_shares():
    assert short_names([PRO, GRIP]) == ["Manduka Pro", "Solace Active Grip"]


def test_names_stay_whole_when_shortening_would_leave_nothing_or_twins():
    same = mat("c", "Manduka Pro Yoga Mat", 40.0, 4.0)
    inside = mat("d", "Yoga Mat", 20.0, 4.0)
    assert short_names([PRO, same]) == ["Manduka Pro Yoga Mat", "Manduka Pro Yoga Mat"]
    assert short_names([PRO, inside]) == ["Manduka Pro Yoga Mat", "Yoga Mat"]


def test_only_the_attributes_that_differ_are_listed():
    text = compare([PRO, GRIP])
    assert "thickness 1.5 mm" in text and "thickness 6 mm" in text
    assert "natural rubber" not in text  # the same for both: no help to choose
    assert "Solace Active Grip is better rated; Manduka Pro is cheaper." in text


def test_one_product_cheaper_and_better_rated_is_named_once():
    cheap_and_good = mat("e", "Gaiam Travel Yoga Mat", 18.0, 4.8)
    assert compare([cheap_and_good, GRIP]).endswith("Gaiam Travel is both cheaper and better rated.")


def test_three_products_use_superlatives_and_ties_are_said():
    third = mat("f", "Gaiam Travel Yoga Mat", 46.99, 4.3)
    assert "the best rated" in compare([PRO, GRIP, mat("g", "Jade Harmony Yoga Mat", 60.0, 4.9)])
    assert "They cost the same" in compare([GRIP, third])


def test_the_recommended_one_can_be_bought():
    sold_out = mat("h", "Jade Harmony Yoga Mat", 60.0, 4.9, stock=0)
    assert recommended([sold_out, GRIP]) == GRIP
    assert "in stock" in compare([sold_out, GRIP])  # stock differs, so it is said


def test_fewer_than_two_products_is_no_comparison():
    with pytest.raises(ValueError, match="two or more"):
        compare([PRO])
