"""assistant/variant_choice.py: the options a shopper names select a variant; one question when the buyable
variants still differ; a quantity or a stray letter is never read as an option."""

from __future__ import annotations

import pytest

from assistant.variant_choice import VariantChoice, choose_variant, named_options
from core.product import ProductRecord

TEE = ProductRecord(
    id="tee",
    title="V-Neck T-Shirt",
    price=24.0,
    variants=[
        {"id": f"tee-{color}-{size.lower()}", "options": {"color": color, "size": size}}
        for color in ("blue", "red")
        for size in ("S", "M", "L")
    ],
)
TEE.variants[-1].stock = 0  # red L is sold out
BOTTLE = ProductRecord(
    id="bottle",
    title="Water Bottle",
    price=20.0,
    variants=[
        {"id": "b-500", "options": {"capacity": "500ml"}},
        {"id": "b-1000", "options": {"capacity": "1000ml"}},
    ],
)
MUG = ProductRecord(id="mug", title="Enamel Mug", price=12.0)


def chosen(product, said, slots=None) -> str | None:
    choice = choose_variant(product, said, slots or {})
    return choice.variant.id if choice.variant else None


@pytest.mark.parametrize(
    ("said", "slots", "variant"),
    [
        ("add the blue one in size M", {"color": "blue", "size": "M"}, "tee-blue-m"),
        ("red, size s please", {"color": "red", "size": "S"}, "tee-red-s"),
        ("the blue one", {"color": "blue"}, None),  # the size is still open
        ("M", {}, None),  # the size alone leaves the colour open
    ],
)
def test_the_options_named_select_the_variant(said, slots, variant):
    assert chosen(TEE, said, slots) == variant


def test_one_question_about_the_first_option_that_tells_the_buyable_ones_apart():
    assert choose_variant(TEE, "add it", {}) == VariantChoice(ask="color", values=("blue", "red"))
    # Red L cannot be bought, so it is not offered.
    assert choose_variant(TEE, "red", {"color": "red"}) == VariantChoice(ask="size", values=("S", "M"))


def test_a_sold_out_variant_is_said_so_and_never_swapped_for_another():
    assert choose_variant(TEE, "red in size L", {"color": "red", "size": "L"}) == VariantChoice(sold_out=True)


def test_options_outside_the_slots_are_read_from_the_words():
    assert chosen(BOTTLE, "the 1000ml one") == "b-1000"
    assert chosen(BOTTLE, "capacity 500ml") == "b-500"


def test_a_quantity_is_not_a_size_and_a_letter_inside_a_word_is_not_one():
    shoe = ProductRecord(
        id="shoe", title="Shoe", price=90.0,
        variants=[{"id": f"s-{n}", "options": {"size": str(n)}} for n in (2, 9, 10)],
    )  # fmt: skip
    assert named_options(shoe, "add 2 of them", {"quantity": 2}) == {}
    assert named_options(shoe, "size 10", {"size": "10"}) == {"size": {"10"}}
    assert named_options(TEE, "I'm looking for it", {}) == {}


def test_a_product_without_variants_is_its_own_one_variant():
    assert chosen(MUG, "add the mug") == "mug"
