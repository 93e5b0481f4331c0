"""assistant/understanding/needs.py: who a present is for, their age, the occasion and what they enjoy."""

from __future__ import annotations

import pytest

from assistant.understanding.needs import (
    answers_need_question,
    for_whom,
    names_products,
    need_query,
    read_need,
    wanted_words,
)
from core.taxonomy import Intent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gift for my dad who likes cooking", {"recipient": "dad", "gift": True, "interest": "cooking"}),
        ("my son is 8, he loves dinosaurs", {"recipient": "son", "age": 8, "interest": "dinosaurs"}),
        ("bday present for a 7-year-old", {"age": 7, "occasion": "bday", "gift": True}),
        (
            "something for my nan, she's 90 and into knitting",
            {"recipient": "nan", "age": 90, "interest": "knitting"},
        ),
        ("we're going to a housewarming on saturday", {"occasion": "housewarming"}),
        ("present for someone who runs", {"recipient": "someone", "gift": True, "interest": "runs"}),
        ("Christmas present for my boss", {"recipient": "boss", "occasion": "christmas", "gift": True}),
        ("a friend of mine just had a baby", {"recipient": "friend", "interest": "baby"}),
    ],
)
def test_a_need_is_read_as_who_age_occasion_and_interest(text, expected):
    assert read_need(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "show me running shoes under 100",
        "add them to my cart",
        "can I pay with a gift card?",
        "do you have the red one in size 9",
        "what's your return policy?",
    ],
)
def test_requests_that_name_no_need_have_no_need_slots(text):
    assert read_need(text) == {}


def test_a_bare_answer_is_the_interest_only_after_the_question():
    assert read_need("gardening") == {}
    assert read_need("gardening", asked=True) == {"interest": "gardening"}
    assert read_need("golf and whisky", asked=True) == {"interest": "golf whisky"}


def test_the_price_and_age_words_never_become_the_interest():
    need = read_need("a gift for my 6 year old niece")
    assert need["age"] == 6 and "interest" not in need
    assert "interest" not in read_need("what's a good gift?")


@pytest.mark.parametrize(
    ("need", "query"),
    [
        ({"recipient": "dad", "interest": "cooking"}, "cooking"),
        ({"recipient": "niece", "age": 6}, "for a 6 year old"),
        ({"recipient": "toddler"}, "for a toddler"),
        ({"occasion": "housewarming", "gift": True}, "housewarming"),
        (
            {"occasion": "birthday", "recipient": "dad"},
            None,
        ),  # a date and a grown-up say nothing of what to buy
        ({"recipient": "wife", "age": 40}, None),
        ({"gift": True}, None),
    ],
)
def test_the_need_is_matched_by_what_they_enjoy_else_a_childs_age_else_an_event(need, query):
    assert need_query(need) == query


@pytest.mark.parametrize(
    ("need", "phrase"),
    [
        ({"recipient": "dad"}, "for your dad"),
        ({"recipient": "niece", "age": 6}, "for your 6 year old niece"),
        ({"age": 11}, "for an 11 year old"),
        ({"recipient": "kids"}, "for kids"),
        ({"recipient": "mom", "occasion": "new mom"}, "for a new mom"),
        ({"recipient": "him"}, "for him"),
        ({"recipient": "someone"}, ""),
    ],
)
def test_who_the_ideas_are_for_reads_as_a_shop_assistant_would_say_it(need, phrase):
    assert for_whom(need) == phrase


def test_an_answer_to_the_need_question_is_a_need_turn_unless_it_asks_for_something_else():
    assert answers_need_question(Intent.OUT_OF_SCOPE, {"interest": "gardening"})
    assert answers_need_question(Intent.PRODUCT_QUESTION, {"max_price": 60, "recipient": "dad"})
    assert not answers_need_question(Intent.ORDER_STATUS, {"interest": "order"})
    assert not answers_need_question(Intent.SEARCH_PRODUCTS, {"brand": "Nike", "interest": "nike"})
    assert not answers_need_question(Intent.AFFIRM, {})


def test_a_kind_named_beside_the_interest_is_what_to_show():
    assert not names_products({"category": "candles", "interest": "candles"})
    assert not names_products({"category": "hiking", "interest": "hiking"})
    assert names_products({"category": "mugs", "interest": "hiking"})
    assert names_products({"color": "red", "interest": "red"})


@pytest.mark.parametrize(
    ("text", "about"),
    [
        ("what do you suggest for a small flat?", "small flat"),
        ("what do you recommend?", ""),
        ("any suggestions for my dad?", ""),
    ],
)
def test_the_words_of_a_request_past_asking_and_people(text, about):
    assert wanted_words(text) == about
