"""core/product.py: merchants' loose values become clean product facts, or a clear error."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from core.product import (
    ProductRecord,
    decimal_separator,
    html_to_text,
    parse_attributes,
    parse_category,
    parse_list,
    parse_price,
    plain_text,
    shown_decimal,
)


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


@pytest.mark.parametrize("flag", [True, False])
def test_a_true_or_false_is_no_price(flag):
    with pytest.raises(ValueError, match="no number in price"):
        parse_price(flag)


def test_empty_and_noisy_lists():
    assert parse_list(None) == [] and parse_list("") == [] and parse_list("   ") == []
    assert parse_list(["S", " ", "M", ""]) == ["S", "M"]
    assert parse_list(["", "XL"]) == ["XL"]


def test_attributes_from_any_shape():
    assert parse_attributes(None) == {} and parse_attributes("") == {}
    assert parse_attributes({"fit": "slim", "size": 10}) == {"fit": "slim", "size": "10"}
    assert parse_attributes('{"fit": "slim"}') == {"fit": "slim"}
    pairs = [
        {"key": "fit", "value": "slim"},
        {"name": "cut"},
        {"value": "orphan"},
        ["sleeve", "long"],
        ["odd"],
    ]
    assert parse_attributes(pairs) == {"fit": "slim", "cut": "", "sleeve": "long"}
    assert parse_attributes('[["lining", "fleece"]]') == {"lining": "fleece"}


def test_hidden_elements_stay_hidden_until_they_close_even_nested():
    html = "<p>Warm</p><template><style>a {}</style>still hidden</template><div>Soft</div>after"
    assert html_to_text(html) == "Warm\nSoft\nafter"
    assert html_to_text("</style>Text after a stray closing tag") == "Text after a stray closing tag"
    assert html_to_text("<head><title>x</title></head><b>Bold</b> <i>and</i> plain") == "Bold and plain"
    assert html_to_text("Salt &amp; pepper") == "Salt & pepper"
    assert html_to_text("one<br>two<li>three</li>four") == "one\ntwo\nthree\nfour"


def test_search_text_joins_the_facts_as_sentences_and_keeps_the_description():
    record = ProductRecord(
        id="1", title="Trail Shoe", price=80, description="A waterproof upper.", brand="Pacer"
    )
    parts = record.search_text().split(". ")
    assert parts[0] == "Trail Shoe" and "A waterproof upper" in record.search_text()
    assert "" not in parts and "Pacer" in parts


def _grouped(units: int, separator: str) -> str:
    return f"{units:,}".replace(",", separator)


# How stores write a price of `cents`: its text and its decimal separator.
PRICE_STYLES = {
    "1,299.00": lambda c: (f"{_grouped(c // 100, ',')}.{c % 100:02d}", "."),
    "1.299,00": lambda c: (f"{_grouped(c // 100, '.')},{c % 100:02d}", ","),
    "1 299,00": lambda c: (f"{_grouped(c // 100, ' ')},{c % 100:02d}", ","),
    "1\u202f299,00 €": lambda c: (f"{_grouped(c // 100, chr(0x202F))},{c % 100:02d} €", ","),
    "1'299.00": lambda c: (f"CHF {_grouped(c // 100, chr(39))}.{c % 100:02d}", "."),
    "1299.00": lambda c: (f"{c // 100}.{c % 100:02d}", "."),
    "1299,00": lambda c: (f"{c // 100},{c % 100:02d}", ","),
    "$1,299.00": lambda c: (f"${_grouped(c // 100, ',')}.{c % 100:02d}", "."),
    "EUR 1.299,00": lambda c: (f"EUR {_grouped(c // 100, '.')},{c % 100:02d}", ","),
}


@settings(max_examples=300, deadline=None)
@given(cents=st.integers(0, 10**10), style=st.sampled_from(sorted(PRICE_STYLES)))
def test_a_price_in_any_style_reads_to_the_cent(cents, style):
    text, decimal = PRICE_STYLES[style](cents)
    assert round(parse_price(text)[0] * 100) == cents  # two decimals say which separator is which
    assert round(parse_price(text, decimal)[0] * 100) == cents


@settings(max_examples=200, deadline=None)
@given(units=st.integers(1000, 10**9), separator=st.sampled_from([",", "."]))
def test_whole_prices_with_thousands_read_the_files_way_and_alone_are_refused(units, separator):
    text = _grouped(units, separator)
    other = "." if separator == "," else ","
    assert parse_price(text, other)[0] == units
    if text.count(separator) == 1:
        with pytest.raises(ValueError, match="ambiguous"):
            parse_price(text)


@settings(max_examples=100, deadline=None)
@given(
    prices=st.lists(st.integers(0, 10**8), min_size=1, max_size=20),
    style=st.sampled_from(sorted(PRICE_STYLES)),
)
def test_a_files_decimal_separator_is_the_one_its_prices_show(prices, style):
    texts = [PRICE_STYLES[style](cents)[0] for cents in prices]
    assert decimal_separator(texts) == PRICE_STYLES[style](0)[1]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["1,299", "89"], None),
        (["139,99", "1.299,00", "12"], ","),
        (["12.50", "1,299"], "."),
        (["1,5", "2.5"], None),
    ],
)
def test_a_file_whose_prices_do_not_agree_or_do_not_tell_decides_nothing(texts, expected):
    assert decimal_separator(texts) == expected


@pytest.mark.parametrize("text", ["1,2,3", "12 34", "1.2.3,4"])
def test_separators_that_group_nothing_are_refused(text):
    with pytest.raises(ValueError, match="is not a number"):
        parse_price(text)


def test_a_negative_price_is_refused_under_the_price_field():
    with pytest.raises(ValidationError, match="price"):
        ProductRecord.model_validate({"id": "1", "title": "Bowl", "price": "-3"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("₹1,00,000", 100000.0),  # Indian grouping: lakh, then thousands
        ("Rs. 1,29,999.50", 129999.5),
        ("12,34,567", 1234567.0),
        ("1.299,00 €", 1299.0),
        ("1 299,99", 1299.99),
        ("-12.50", -12.5),  # read as written; validation refuses the sign by the field's name
    ],
)
def test_grouped_and_signed_prices_read_exactly(text, expected):
    assert parse_price(text)[0] == expected


@pytest.mark.parametrize(
    ("text", "decimal"), [("1,2345.00", ","), ("1.2.3,4,5", ","), ("12 34", None), ("1.23.456,00", ",")]
)
def test_groups_that_are_not_thousands_are_refused_by_the_prices_own_text(text, decimal):
    with pytest.raises(ValueError, match=re.escape(repr(text))):
        parse_price(text, decimal)


@pytest.mark.parametrize(
    ("token", "mark"),
    [("1.299,00", ","), ("1,299.00", "."), ("1.299.000", None), ("139,99", ","), ("1,299", "?"), ("89", None), ("12.5", ".")],
)  # fmt: skip
def test_the_decimal_mark_a_number_shows(token, mark):
    assert shown_decimal(token) == mark


def test_entities_are_decoded_however_many_times_they_were_escaped():
    assert plain_text("Data &amp;amp; Charging  Cable") == "Data & Charging Cable"
    assert plain_text("Caf&amp;amp;eacute; &lt;b&gt;") == "Café <b>"
    assert plain_text("Fish & Chips") == "Fish & Chips"
    assert ProductRecord(id="x", title="Tom &amp;amp; Jerry", price=1).title == "Tom & Jerry"


def test_a_variant_is_found_by_its_id_and_a_product_without_variants_is_its_own():
    shoe = ProductRecord(
        id="shoe", title="Runner", price=80, stock=3,
        variants=[{"id": "shoe-9", "options": {"size": "9"}}, {"id": "shoe-10", "options": {"size": "10"}, "price": 85}],
    )  # fmt: skip
    assert shoe.variant("shoe-10").price == 85 and shoe.variant("shoe-9").options == {"size": "9"}
    assert shoe.variant("shoe") is None and shoe.variant("shoe-11") is None
    mug = ProductRecord(id="mug", title="Mug", price=12, stock=4)
    assert (mug.variant("mug").id, mug.variant("mug").price, mug.variant("mug").stock) == ("mug", 12, 4)
    assert mug.variant("other") is None
