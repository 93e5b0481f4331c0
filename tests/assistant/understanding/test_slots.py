"""assistant/understanding/slots.py: every slot kind, against the demo catalog's vocabulary."""

from __future__ import annotations

import pytest

from assistant.understanding.slots import Phrases, SlotExtractor
from core.product import ProductRecord
from core.state import Context
from retrieval.catalog import Catalog


@pytest.fixture(scope="module")
def slots(assistant) -> SlotExtractor:
    return assistant.understand.slots


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("running shoes under 100", {"max_price": 100}),
        ("less than $50 please", {"max_price": 50}),
        ("between 20 and 40 dollars", {"min_price": 20, "max_price": 40}),
        ("something less than ₹500", {"max_price": 500}),
        ("over 1,200", {"min_price": 1200}),
        ("from 30 to 60", {"min_price": 30, "max_price": 60}),
        # A negated floor is a ceiling.
        ("hey, looking for a kettle, nothing over 60 bucks", {"max_price": 60}),
        ("not over $80 please", {"max_price": 80}),
        ("no more than 40", {"max_price": 40}),
        ("at least 20 but not above 90", {"min_price": 20, "max_price": 90}),
        # A sum of money is never a count.
        ("under 30 bucks pls", {"max_price": 30}),
        ("under 40 quid", {"max_price": 40}),
    ],
)
def test_prices(slots, text, expected):
    found = slots.run(text)
    assert {key: found[key] for key in ("min_price", "max_price", "quantity") if key in found} == expected


def test_cheaper_is_relative_to_the_shown_products(assistant, slots):
    shown = tuple(assistant.catalog.products[:3])
    found = slots.run("any cheaper ones?", Context(shown=shown))
    assert found["max_price"] < min(p.price for p in shown)


def test_colors_materials_sizes(slots):
    assert slots.run("a navy hoodie in size M")["color"] == "navy"
    assert slots.run("a navy hoodie in size M")["size"] == "M"
    assert slots.run("only XL")["size"] == "XL"
    assert slots.run("a queen size bed")["size"] == "queen"
    assert slots.run("leather boots")["material"] == "leather"


@pytest.mark.parametrize(
    ("text", "quantity"), [("I'll take two of those", 2), ("add 3 mugs", 3), ("a couple of them", 2)]
)
def test_quantities(slots, text, quantity):
    assert slots.run(text)["quantity"] == quantity


def test_a_single_product_has_no_quantity(slots):
    assert "quantity" not in slots.run("add a red mug to my cart")


def test_brands_exact_and_misspelled(slots):
    assert slots.run("show me nike running shoes")["brand"] == "Nike"
    assert slots.run("nkie running shoes")["brand"] == "Nike"
    assert "brand" not in slots.run("I would like running shoes")


def test_categories_from_the_catalog(slots):
    assert slots.run("show me running shoes under 100")["category"] == "running shoes"
    assert slots.run("do you have a grey sofa")["category"] == "sofa"
    assert "category" not in slots.run("hello there")
    assert slots.run("a grey sofaa please")["category"] == "sofa"
    assert slots.run("cheap headphnes")["category"] == "headphone"
    assert "category" not in slots.run("I need help choosing a gift for my dad")
    # A describing word many titles carry is not the kind: the head noun is ("Scented Candle").
    assert slots.run("scented candles under 30")["category"] == "candles"


def test_a_color_or_brand_word_is_not_also_the_category(slots):
    assert slots.run("show me brown t-shirts")["category"].startswith("t-shirt")
    assert "category" not in slots.run("only brown ones")
    assert "category" not in slots.run("only Nike")


def test_references_to_shown_products(assistant, slots):
    shown = tuple(assistant.catalog.products[:5])
    context = Context(shown=shown)
    assert slots.run("tell me about the second one", context)["product_ref"] == [2]
    assert slots.run("compare the first two", context)["product_ref"] == [1, 2]
    assert slots.run("the last one", context)["product_ref"] == [5]
    color = shown[2].color
    assert 3 in slots.run(f"the {color} one", context)["product_ref"]


def test_order_ids_and_sort(slots):
    assert slots.run("where is my order 1042?")["order_id"] == "1042"
    assert slots.run("cancel order #A77812")["order_id"] == "A77812"
    assert slots.run("cheapest first")["sort"] == "price_asc"
    assert slots.run("sort by price")["sort"] == "price_asc"
    assert slots.run("can you order them by price?")["sort"] == "price_asc"
    assert slots.run("by price, highest first")["sort"] == "price_desc"
    assert slots.run("most expensive first")["sort"] == "price_desc"
    assert slots.run("show the best rated")["sort"] == "rating_desc"
    assert slots.run("price low to high")["sort"] == "price_asc"
    assert slots.run("highest to lowest")["sort"] == "price_desc"


@pytest.mark.parametrize(
    "text", ["sort by price, lowest first", "sort by price, lwoest first", "cheapest first"]
)
def test_an_order_word_before_first_is_an_order_not_the_first_product(slots, text):
    found = slots.run(text)
    assert found["sort"] == "price_asc" and "product_ref" not in found


@pytest.mark.parametrize(
    "text",
    [
        "show me cheaper options",
        "any other choices?",
        "sort by price, lowest first",
        "sort by price, lwoest first",
    ],
)
def test_words_for_what_is_shown_are_no_kind_the_store_lacks(slots, text):
    assert slots.not_carried(text) is None


def test_a_swapped_letter_in_a_plural_is_corrected(slots):
    assert slots.run("can you show me some wacthes")["category"] == "watch"
    assert slots.not_carried("can you show me some wacthes") is None


def test_checkout_details(slots):
    found = slots.run("ship to 12 Main Street, Springfield, and I'll pay by card ending 4242")
    assert found["address"] == "12 Main Street, Springfield"
    assert found["payment_method"] == "card ending 4242"
    assert slots.run("cash on delivery")["payment_method"] == "cash on delivery"
    assert slots.run("45 Elm Road, Boston")["address"].startswith("45 Elm Road")


def test_categories_read_possessives_and_skip_function_words():
    """Merchant category paths are long and wordy: "for" or a stray "s" must not pick one of them."""
    catalog = Catalog(
        [
            ProductRecord(
                id="1", title="Strappy Sandal", category="Footwear > Womens Footwear > Sandals", price=400
            ),
            ProductRecord(
                id="2", title="Crocs Clog", category="Footwear > Kids > For Boys > Crocs", price=300
            ),
            ProductRecord(
                id="3", title="Kurta s", category="Clothing > Womens Clothing > Kurta s", price=900
            ),
        ]
    )
    extractor = SlotExtractor(catalog)
    assert extractor.run("women's sandals under 500")["category"] == "womens sandals"
    assert extractor.run("sandals for women under 500")["category"] == "sandals"
    assert extractor.run("women’s sandals")["category"] == "womens sandals"


def test_a_vocabulary_finds_the_longest_whole_word_phrase_present():
    colours = Phrases(["blue", "light blue", "red", "tan"])
    assert colours.longest_in("a red and light blue scarf") == "light blue"
    assert colours.longest_in("standing desk") is None  # "tan" inside a word is not the colour
    assert Phrases([]).longest_in("anything") is None


@pytest.fixture(scope="module")
def electronics() -> SlotExtractor:
    from tests.retrieval.test_model_codes import PRODUCTS as ELECTRONICS

    cable = ProductRecord(
        id="cable", title="Hama HDMI Cable 3 m", category="Cables", price=12.99, brand="Hama"
    )
    return SlotExtractor(Catalog([*ELECTRONICS, cable]))


@pytest.mark.parametrize(
    "text",
    [
        "Hama HDMI cable, 3 metres",
        "Kingston 1TB NV2 NVMe SSD",
        "an HDMI cable over 2 m",
        "ryzen 9 processors",
        "a monitor under 32 inches",
        "a laptop for a 5 year old",
        "the 360 mm cooler",
    ],
)
def test_a_measure_or_a_model_number_is_never_a_price_quantity_or_size(electronics, text):
    found = electronics.run(text)
    assert not {"quantity", "size", "min_price", "max_price"} & found.keys(), found


def test_counts_and_prices_beside_measures_are_still_read(electronics):
    assert electronics.run("add 2 SSDs")["quantity"] == 2
    assert electronics.run("a 2 m HDMI cable under 20")["max_price"] == 20
    assert electronics.run("two of the ryzen 7 processors")["quantity"] == 2
    assert electronics.run("ryzen 9 under 400 dollars")["max_price"] == 400


def test_a_product_is_named_by_a_code_or_by_two_words_few_titles_share():
    shoes = [
        ProductRecord(id=f"s{n}", title=f"{brand} {line} Running Shoe", category="Shoes > Running", price=100)
        for n, (brand, line) in enumerate(
            [("Hoka", "Clifton 9"), ("Hoka", "Bondi 8"), ("Brooks", "Ghost 16"), ("Nike", "Pegasus 41")]
        )
    ]
    names = SlotExtractor(Catalog(shoes))
    for text in ("Hoka Clifton 9", "clifton 9", "do you have the brooks ghost 16?", "pegasus 41 please"):
        assert names.names_model(text), text
    for text in ("running shoes", "hoka running shoes", "the weather in paris", "hello there"):
        assert not names.names_model(text), text


@pytest.mark.parametrize(
    ("text", "lacking"),
    [
        ("do you have earbuds?", "earbuds"),
        ("yoga leggings please", "yoga leggings"),  # "yoga" is a category here; leggings are not
        ("a 2 m hdmi cable", "hdmi cable"),
        ("hey, looking for a kettle, nothing over 60 bucks", "kettle"),
        ("can you find me a cordless drill under 100?", "cordless drill"),
        ("do you stock espresso machines priced under 300 dollars?", "espresso machines"),
        # What the catalog's titles or categories name, however asked for, is carried.
        ("show me the cheapest running shoes", None),
        ("I need a red dress for a wedding", None),
        ("Nike running shoes size 10", None),
        ("do you sell sofas", None),
        ("looking for a mug with a cat on it", None),
        ("sneekers", None),  # a misspelling of a title word
        # A need, a recipient or nothing at all names no kind of product.
        ("something for my dad", None),
        ("gift for dad who likes cooking", None),
        ("a birthday present for my 6 year old", None),
        ("under 50", None),
        ("in blue", None),
    ],
)
def test_a_kind_of_product_no_title_or_category_names_is_not_carried(slots, text, lacking):
    assert slots.not_carried(text) == lacking


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add the seocnd one", [2]),
        ("tell me about the sceond one", [2]),
        ("the thrid", [3]),
        ("frist one", [1]),
    ],
)
def test_a_misspelt_ordinal_is_still_a_reference(assistant, slots, text, expected):
    shown = tuple(assistant.catalog.products[:5])
    assert slots.run(text, Context(has_results=True, shown=shown))["product_ref"] == expected


@pytest.mark.parametrize("text", ["a tent for two", "fifty bucks max", "sixty seconds", "the finest tents"])
def test_words_near_an_ordinal_are_not_references(assistant, slots, text):
    shown = tuple(assistant.catalog.products[:5])
    assert "product_ref" not in slots.run(text, Context(has_results=True, shown=shown))
