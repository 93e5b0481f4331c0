"""Exact model search (issue 25): model codes are tokens that must match, however they are spaced, and a product
named in full is found first; on an electronics shop of near-twins, with the real index and embedding model."""

from __future__ import annotations

import pytest

from core.product import ProductRecord
from retrieval.filters import SearchFilters
from retrieval.lexical import tokens
from tests.small_shop import small_shop

TITLES = {
    "gpu-ti": ("ASUS Dual RTX4060 Ti EVO OC 8GB", "Components > Graphics Cards", 449.0),
    "gpu": ("ASUS Dual RTX4060 EVO OC 8GB", "Components > Graphics Cards", 329.0),
    "gpu-4070": ("ASUS Dual RTX 4070 SUPER EVO OC 12GB", "Components > Graphics Cards", 649.0),
    "cpu": ("AMD Ryzen 9 5900X Processor", "Components > Processors", 389.9),
    "cpu-7": ("AMD Ryzen 7 5800X Processor", "Components > Processors", 249.0),
    "ssd": ("Kingston 1TB NV2 NVMe SSD", "Components > Storage", 59.99),
    "ssd-3": ("Kingston 2TB NV3 NVMe SSD", "Components > Storage", 119.0),
    "aio-2": ("ASUS ROG Ryujin II 360 Liquid Cooler", "Components > Cooling", 279.0),
    "aio-3": ("ASUS ROG Ryujin III 360 Liquid Cooler", "Components > Cooling", 329.0),
    "mb": ("MSI MAG B550 Tomahawk Motherboard", "Components > Motherboards", 159.0),
    "mb-m": ("MSI B550M PRO-VDH WiFi Motherboard", "Components > Motherboards", 109.0),
    "mon": ("ASUS ROG Strix XG43UQ 43 inch Monitor", "Monitors", 999.0),
}
PRODUCTS = [
    ProductRecord(id=pid, title=title, category=category, price=price, brand=title.split()[0])
    for pid, (title, category, price) in TITLES.items()
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder):
    return small_shop(tmp_path_factory.mktemp("electronics"), embedder, PRODUCTS)


def first(shop, query: str) -> str:
    return shop.search.run(query, SearchFilters(), 3)[0].id


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ASUS Dual RTX4060 EVO OC", "gpu"),
        ("rtx 4060 ti", "gpu-ti"),
        ("RTX4060Ti", "gpu-ti"),
        ("rtx 4070", "gpu-4070"),
        ("5900X", "cpu"),
        ("ryzen 7 5800x", "cpu-7"),
        ("Kingston NV2", "ssd"),
        ("nv3", "ssd-3"),
        ("Ryujin II", "aio-2"),
        ("Ryujin III", "aio-3"),
        ("B550M", "mb-m"),
        ("b550 tomahawk", "mb"),
        ("XG43UQ", "mon"),
    ],
)
def test_a_model_code_puts_its_product_first(shop, query, expected):
    assert first(shop, query) == expected


@pytest.mark.parametrize("product", PRODUCTS, ids=lambda p: p.id)
def test_every_product_is_found_first_by_its_own_title(shop, product):
    assert first(shop, product.title.lower()) == product.id


def test_a_code_is_matched_however_it_is_spaced():
    assert {"rtx4060", "rtx", "4060"} <= set(tokens("RTX4060")) & set(tokens("RTX 4060"))
    assert "x" not in tokens("5900X")  # a lone letter would match every "4 x 100 ml"
