"""assistant/understanding/two_acts.py: clauses, and which act of a two-act turn is the turn's."""

from __future__ import annotations

from assistant.understanding.two_acts import clauses, request_among
from core.taxonomy import Intent


def test_clauses_split_at_punctuation_and_conjunctions_and_drop_one_word_pieces():
    assert clauses("hello! got any jeans?") == ["got any jeans"]
    assert clauses("thanks, now show me belts") == ["now show me belts"]
    assert clauses("yes and add a belt too") == ["add a belt too"]
    assert clauses("hi there") == ["hi there"]


def test_a_confident_request_among_the_clauses_wins_over_small_talk():
    greet = (Intent.GREET, 0.6)
    assert request_among(greet, [(Intent.SEARCH_PRODUCTS, 0.9)], 0.45) == (Intent.SEARCH_PRODUCTS, 0.9)


def test_small_talk_stays_when_no_clause_is_a_surer_shop_request():
    thanks = (Intent.THANKS, 0.8)
    assert request_among(thanks, [(Intent.SEARCH_PRODUCTS, 0.7)], 0.45) == thanks
    assert request_among(thanks, [(Intent.OUT_OF_SCOPE, 0.95)], 0.45) == thanks
    assert request_among(thanks, [(Intent.SEARCH_PRODUCTS, 0.3)], 0.2) == thanks
    assert request_among(thanks, [], 0.45) == thanks


def test_a_request_read_whole_is_kept():
    whole = (Intent.ADD_TO_CART, 0.5)
    assert request_among(whole, [(Intent.SEARCH_PRODUCTS, 0.99)], 0.45) == whole
