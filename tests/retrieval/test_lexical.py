"""retrieval/lexical.py: a real BM25 index (bm25s) over product texts, filtered by a row mask."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.lexical import LexicalIndex, tokens

TEXTS = [
    "Hoka Clifton 9 Running Shoe. Shoes, Running. Blue mesh.",
    "Nike Pegasus Running Shoe. Shoes, Running. Red engineered knit.",
    "Lodge Cast Iron Frying Pan. Kitchen, Cookware. Oven safe.",
    "Le Creuset Espresso Mug. Kitchen, Mugs. Red stoneware.",
    "Moleskine Classic Notebook. Books & Stationery, Notebooks. Lay-flat binding.",
]


def test_tokens_are_lower_case_singular_words_without_stop_words():
    assert tokens("The Red Running Shoes for a T-Shirt") == ["red", "running", "shoe", "tshirt"]


def test_the_product_sharing_the_rarest_words_ranks_first():
    index = LexicalIndex.build(TEXTS)
    assert index.count == 5
    assert index.search("red mug", 5)[0][0] == 3
    assert {row for row, _ in index.search("running shoes", 5)} == {0, 1}
    assert index.search("quantum chromodynamics", 5) == []


def test_only_allowed_rows_are_returned_and_the_top_k_is_full_when_enough_match():
    texts = [f"cotton t-shirt number {i} {'blue' if i % 2 else 'red'}" for i in range(100)]
    index = LexicalIndex.build(texts)
    allowed = np.arange(100) % 4 == 0
    hits = index.search("red cotton t-shirt", 10, allowed)
    assert len(hits) == 10 and all(allowed[row] for row, _ in hits)
    scores = [score for _, score in hits]
    assert scores == sorted(scores, reverse=True)
    assert index.search("red", 10, np.zeros(100, dtype=bool)) == []


def test_a_saved_index_loads_with_the_same_scores(tmp_path):
    index = LexicalIndex.build(TEXTS)
    index.save(tmp_path / "lexical")
    loaded = LexicalIndex.load(tmp_path / "lexical")
    assert loaded.search("cast iron pan", 3) == index.search("cast iron pan", 3)


@pytest.mark.parametrize("text", ["", ":", "the", "!!"])
def test_text_without_words_has_no_tokens(text):
    assert tokens(text) == []
