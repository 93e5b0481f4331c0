"""ui/product_images.py: the pictures drawn for products without a photo, and the route that serves them."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from assistant.pipeline import Assistant
from core.product import ProductRecord
from retrieval.demo_catalog import demo_products
from ui.app import create_app
from ui.product_images import draw_picture, image_src, product_picture
from ui.product_shapes import HEIGHT, WIDTH


@pytest.fixture(scope="module")
def catalog() -> list[ProductRecord]:
    return [ProductRecord.model_validate(item) for item in demo_products()]


def product(**fields) -> ProductRecord:
    return ProductRecord(
        **({"id": "mat-1", "title": "Grip Yoga Mat", "category": "Sports > Yoga Mats", "price": 30} | fields)
    )


def test_the_same_product_gets_the_same_bytes_even_when_drawn_afresh() -> None:
    first = product_picture(product())
    draw_picture.cache_clear()  # drawn again, not read back from the cache
    assert product_picture(product()) == first


def test_a_picture_is_a_png_of_the_stated_size() -> None:
    image = Image.open(io.BytesIO(product_picture(product())))
    assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)
    image.verify()


def test_products_that_differ_only_by_id_or_name_get_different_pictures() -> None:
    same_kind = [product(), product(id="mat-2"), product(title="Travel Yoga Mat"), product(color="blue")]
    assert len({product_picture(each) for each in same_kind}) == len(same_kind)


def test_every_yoga_mat_of_the_demo_catalog_has_a_picture_of_its_own(catalog: list[ProductRecord]) -> None:
    # The issue that asked for pictures: five yoga mats on one page were five identical tiles.
    mats = [each for each in catalog if each.category == "Sports > Yoga Mats"]
    assert len(mats) >= 5
    assert len({product_picture(each) for each in mats}) == len(mats)


def test_a_merchant_web_image_wins_and_anything_else_gets_the_drawn_picture() -> None:
    photo = "https://cdn.example/mat.jpg"
    assert image_src(product(image_url=photo)) == photo
    for not_a_web_image in ("", "javascript:alert(1)", "data:image/png;base64,AAAA", "/local/mat.jpg"):
        assert image_src(product(image_url=not_a_web_image)).startswith("/images/mat-1.png?v=")


def test_the_address_changes_with_what_the_picture_is_drawn_from() -> None:
    assert image_src(product()) == image_src(product())
    assert image_src(product()) != image_src(product(color="red"))
    assert image_src(product(id="a/b c")).startswith("/images/a%2Fb%20c.png?v=")


def test_the_app_serves_a_catalog_products_picture_and_404_for_an_unknown_one(assistant: Assistant) -> None:
    client = TestClient(create_app(assistant))
    shown = next(iter(assistant.catalog.by_id.values()))
    response = client.get(image_src(shown))
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content == product_picture(shown)
    assert "max-age" in response.headers["cache-control"]
    assert client.get("/images/no-such-product.png").status_code == 404
