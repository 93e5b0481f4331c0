"""core/formatting.py: lists and plurals in replies."""

from __future__ import annotations

import pytest

from core.formatting import listed, plural


def test_items_are_listed_with_commas_and_one_conjunction() -> None:
    assert listed(["mugs"]) == "mugs"
    assert listed(["mugs", "sofas"]) == "mugs and sofas"
    assert listed(["blue", "navy", "pink"], "or") == "blue, navy or pink"


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("kettle", "kettles"),
        ("hdmi cable", "hdmi cables"),
        ("earbuds", "earbuds"),
        ("yoga leggings", "yoga leggings"),
        ("box", "boxes"),
        ("espresso machine", "espresso machines"),
        ("watch", "watches"),
        ("battery", "batteries"),
        ("tray", "trays"),
        ("chef's knife", "chef's knives"),
    ],
)
def test_a_phrase_is_made_plural_by_its_last_word(phrase: str, expected: str) -> None:
    assert plural(phrase) == expected
