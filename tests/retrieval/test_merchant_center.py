"""retrieval/merchant_center.py: Google Merchant Center feeds, tab-separated and RSS/Atom XML."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.importer import ImportFailed, guess_format, read_catalog

FIXTURES = Path(__file__).parent / "fixtures"
ATOM = """<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0">
  <title>Store</title>
  <entry>
    <g:id>CUP-1</g:id>
    <title>Espresso Cup</title>
    <link href="https://shop.example.com/cup"/>
    <g:price>8.50 GBP</g:price>
    <g:availability>in stock</g:availability>
  </entry>
</feed>
"""
BOMB = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<rss xmlns:g="http://base.google.com/ns/1.0"><channel><item><g:id>1</g:id><title>&b;</title>
<g:price>1 USD</g:price></item></channel></rss>
"""


def by_id(report):
    return {record.id: record for record in report.records}


def test_formats_are_recognised():
    assert guess_format(FIXTURES / "gmc_feed.tsv") == "gmc"
    assert guess_format(FIXTURES / "gmc_feed.xml") == "gmc"


def test_tab_separated_feed():
    report = read_catalog(FIXTURES / "gmc_feed.tsv")
    products = by_id(report)
    mug = products["MUG-1"]
    assert (mug.price, mug.currency, mug.category) == (15.0, "USD", "Home > Kitchen > Mugs")
    assert mug.description == "Handmade mug, 350 ml" and mug.material == "stoneware"
    assert mug.url == "https://shop.example.com/mug" and mug.stock is None
    assert mug.attributes == {"gtin": "0012345678905", "google_product_category": "2169"}


def test_sale_price_availability_and_google_category_fallback():
    products = by_id(read_catalog(FIXTURES / "gmc_feed.tsv"))
    tee = products["TEE-M"]
    assert tee.price == 15.0 and tee.attributes["regular_price"] == "20.00 USD"
    assert tee.stock == 0 and not tee.in_stock
    assert tee.category == "Apparel & Accessories > Clothing > Shirts & Tops"
    assert tee.sizes == ["M"] and tee.attributes["item_group_id"] == "TEE"
    kettle = products["PRE-1"]
    assert (kettle.currency, kettle.stock, kettle.attributes["availability"]) == ("EUR", None, "preorder")


def test_bad_items_are_reported_with_their_line():
    report = read_catalog(FIXTURES / "gmc_feed.tsv")
    assert [(error.line, error.field, error.product_id) for error in report.errors] == [(4, "price", "BAD-1")]


def test_rss_feed_with_the_g_namespace():
    report = read_catalog(FIXTURES / "gmc_feed.xml")
    lamp, rug = report.records
    # The first product_type wins over the second and over Google's category; the shipping price is not
    # the product's price.
    assert (lamp.id, lamp.category, lamp.price) == ("LAMP-1", "Home > Lighting > Desk Lamps", 59.0)
    assert lamp.description == "Adjustable brass lamp" and lamp.material == "brass"
    assert lamp.attributes == {"google_product_category": "Home & Garden > Lighting > Lamps"}
    assert (rug.title, rug.price, rug.stock, rug.category) == (
        "Jute Rug",
        99.0,
        0,
        "Home & Garden > Decor > Rugs",
    )
    assert rug.sizes == ["160 x 230 cm"]
    assert [(error.line, error.field) for error in report.errors] == [(36, "price")]


def test_atom_feed(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text(ATOM)
    (cup,) = read_catalog(path).records
    assert (cup.id, cup.url, cup.price, cup.currency) == ("CUP-1", "https://shop.example.com/cup", 8.5, "GBP")


def test_entity_declarations_are_refused(tmp_path):
    path = tmp_path / "bomb.xml"
    path.write_text(BOMB)
    with pytest.raises(ImportFailed, match="refused for safety"):
        read_catalog(path)


def test_malformed_xml_is_one_clear_error(tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text("<rss><channel><item><g:id>1</g:id></item>\n</rss>")
    with pytest.raises(ImportFailed, match="not well-formed XML"):
        read_catalog(path)


def test_a_mapping_adds_or_overrides_a_field(tmp_path):
    path = tmp_path / "feed.tsv"
    path.write_text("id\ttitle\tprice\tcustom_label_0\nV1\tVase\t10 USD\tglass\n")
    (vase,) = read_catalog(path, mapping={"material": "custom_label_0"}).records
    assert vase.material == "glass"
