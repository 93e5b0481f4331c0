"""ui/product_shapes.py: which drawing a product gets, from its category and title."""

from __future__ import annotations

from retrieval.demo_catalog import demo_products
from ui.product_shapes import (
    KINDS,
    boot,
    drawing_for,
    gift_box,
    hoodie,
    mug,
    rug,
    shoe,
    yoga_mat,
)


def test_every_demo_category_has_a_drawing_of_its_kind() -> None:
    categories = {item["category"] for item in demo_products()}
    assert {category for category in categories if drawing_for(category, "") is gift_box} == set()


def test_every_drawing_but_the_gift_box_is_used_by_the_demo_catalog() -> None:
    used = {drawing_for(item["category"], item["title"]) for item in demo_products()}
    assert {drawing for _names, drawing in KINDS} - used == set()


def test_the_category_leaf_decides_before_the_title() -> None:
    assert drawing_for("Sports > Yoga Mats", "Travel mat") is yoga_mat  # not the rug's "mat"
    assert drawing_for("Home > Rugs", "Yoga-style rug") is rug
    assert drawing_for("Shoes > Boots", "Hiking shoe boots") is boot
    assert drawing_for("Apparel > Hoodies", "Zip-up sweatshirt") is hoodie


def test_plurals_and_hyphens_are_read_as_the_kind() -> None:
    assert drawing_for("Kitchen", "Stoneware Mugs, set of 4") is mug
    assert drawing_for("Footwear", "Trail running shoes") is shoe


def test_a_product_of_no_known_kind_gets_a_gift_box() -> None:
    assert drawing_for("Services > Gift Cards", "Store credit") is gift_box
