"""core/product.py: merchants' loose values become clean product facts, or a clear error."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.product import ProductRecord, html_to_text, parse_category, parse_list, parse_price


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (89, (89.0, None)),
        ("89.50", (89.5, None)),
        ("$1,299.00", (1299.0, "USD")),
        ("₹499", (499.0, "INR")),
        ("Rs. 1,050", (1050.0, "INR")),
        ("45 EUR", (45.0, "EUR")),
    ],
)
def test_prices_with_their_currency(text, expected):
    assert parse_price(text) == expected


def test_a_price_without_a_number_is_refused():
    with pytest.raises(ValueError, match="no number"):
        parse_price("call us")


def test_a_bad_price_is_reported_under_the_price_field():
    with pytest.raises(ValidationError) as caught:
        ProductRecord.model_validate({"id": "1", "title": "Mug", "price": "call us"})
    assert caught.value.errors()[0]["loc"] == ("price",)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Soft &amp; warm</p>", "Soft & warm"),
        ("<ul><li>One</li><li>Two</li></ul>", "One\nTwo"),
        ("Line<br>break", "Line\nbreak"),
        ("<p>Kept<script>alert(1)</script><style>p {}</style></p>", "Kept"),
        ("<div>Unclosed <b>bold", "Unclosed bold"),
        ("plain   text ", "plain   text"),
        ("", ""),
    ],
)
def test_html_descriptions_become_readable_text(html, text):
    assert html_to_text(html) == text


def test_category_paths_from_any_shape():
    assert parse_category("Shoes > Running") == "Shoes > Running"
    assert parse_category("Shoes >> Running") == "Shoes > Running"
    assert parse_category(["Shoes", "Running"]) == "Shoes > Running"
    assert parse_category("['footwear', 'womens footwear']") == "footwear > womens footwear"
    assert (
        parse_category('["Footwear >> Women\'s Footwear >> Flats"]') == "Footwear > Women's Footwear > Flats"
    )


def test_lists_from_text():
    assert parse_list("S, M, L") == ["S", "M", "L"]
    assert parse_list('["7", "8"]') == ["7", "8"]
    assert parse_list("") == []


def test_record_validation_uses_the_import_currency_when_the_row_has_none():
    record = ProductRecord.model_validate(
        {"id": 7, "title": "Mug", "price": "12"}, context={"currency": "GBP"}
    )
    assert (record.id, record.price, record.currency) == ("7", 12.0, "GBP")
    assert record.stock is None and record.in_stock


@pytest.mark.parametrize(
    "bad", [{"title": "x", "price": 1}, {"id": "1", "price": 1}, {"id": "1", "title": "x", "price": -3}]
)
def test_missing_or_invalid_required_fields_are_refused(bad):
    with pytest.raises(ValidationError):
        ProductRecord.model_validate(bad)


def test_search_text_carries_the_facts_a_shopper_searches_by():
    record = ProductRecord(
        id="1", title="Trail Shoe", price=80, category="Shoes > Trail", color="red", material="mesh"
    )
    text = record.search_text()
    assert all(word in text for word in ("Trail Shoe", "Shoes, Trail", "red", "mesh"))
