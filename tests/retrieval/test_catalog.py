"""retrieval/catalog.py: what shoppers call the catalog's categories."""

from __future__ import annotations

from core.product import ProductRecord
from retrieval.catalog import Catalog


def product(number: int, title: str, category: str) -> ProductRecord:
    return ProductRecord(id=f"p{number}", title=title, category=category, price=10)


def test_a_category_is_named_by_its_leaf_and_by_the_kind_its_titles_end_in() -> None:
    catalog = Catalog(
        [
            product(1, "Asics Gel-Contend 9 Running Shoe", "Shoes > Running"),
            product(2, "Hoka Clifton 9 Running Shoe", "Shoes > Running"),
            product(3, "Kiln & Co Espresso Mug", "Kitchen > Mugs"),
            product(4, "Ruggable Medallion Rug", "Home > Rugs"),
            product(5, "Untitled", ""),
        ]
    )
    assert catalog.category_names == {
        "Shoes > Running": "running shoes",
        "Kitchen > Mugs": "mugs",
        "Home > Rugs": "rugs",
    }


def test_the_demo_catalog_names_every_category(assistant) -> None:
    names = assistant.catalog.category_names
    assert set(names) == set(assistant.catalog.categories)
    assert all(name and name == name.lower() for name in names.values())
    # A leaf that names its kind is not followed by the kind again ("hoodies", not "hoodies hoodies").
    assert all(len(set(name.split())) == len(name.split()) for name in names.values())
    assert {"hoodies", "knives", "dumbbells", "cookware pans"} <= set(names.values())
