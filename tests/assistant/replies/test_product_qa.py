"""Product questions answered from the listing (assistant/replies/product_qa.py), with the real MiniLM embedder."""

from __future__ import annotations

import pytest

from assistant.replies.product_qa import ProductQA, question_words
from core.product import ProductRecord
from core.settings import DEFAULT_EMBEDDING_MODEL
from retrieval.embeddings import Embedder

JACKET = ProductRecord(
    id="j1",
    title="Rain Shell Jacket",
    price=97.99,
    material="recycled polyester",
    color="navy",
    sizes=["S", "M", "L"],
    attributes={"weight": "320 g", "hood": "yes", "waterproof": "yes", "zip_pockets": "3"},
    description="A light shell with taped seams. Adjustable cuffs and a drawcord hem seal out wind and cold.",
)
POWER_BANK = ProductRecord(
    id="p1",
    title="Compact Power Bank",
    price=52.95,
    attributes={"capacity": "5000 mAh", "wireless_charging": "no"},
    description="A 5000 mAh battery charges most phones several times over. "
    "An LED indicator shows exactly how much charge is left.",
)
CHAIR = ProductRecord(
    id="c1",
    title="Executive Office Chair",
    price=659.95,
    description="A breathable mesh seat with a waterfall edge that eases pressure on the legs. "
    "Tool-free height adjustment on a gas lift.",
)


@pytest.fixture(scope="module")
def qa(embedder: Embedder) -> ProductQA:
    assert embedder is Embedder.shared(
        DEFAULT_EMBEDDING_MODEL
    )  # the assistant's loaded model, not a second one
    return ProductQA(DEFAULT_EMBEDDING_MODEL)


def test_a_general_request_is_no_question() -> None:
    for text in [
        "tell me about the second one", "more details on this one please", "what about it?",
        "tell me about the cheapest one", "what about the most expensive one?",
    ]:  # fmt: skip
        assert question_words(text) == set(), text


@pytest.mark.parametrize(
    ("question", "product", "expected"),
    [
        ("is it waterproof?", JACKET, "Yes — the listing for Rain Shell Jacket says waterproof: yes."),
        ("what is it made of?", JACKET, "The material of Rain Shell Jacket is recycled polyester."),
        ("how heavy is it?", JACKET, "The weight of Rain Shell Jacket is 320 g."),
        ("does it have a hood?", JACKET, "Yes — the listing for Rain Shell Jacket says hood: yes."),
        ("what sizes does it come in?", JACKET, "The sizes of Rain Shell Jacket are S, M, L."),
        (
            "does it do wireless charging?",
            POWER_BANK,
            "No — the listing for Compact Power Bank says wireless charging: no.",
        ),
        ("how much does it hold?", POWER_BANK, "The capacity of Compact Power Bank is 5000 mAh."),
    ],
)
def test_attributes_answer_what_they_name(
    qa: ProductQA, question: str, product: ProductRecord, expected: str
) -> None:
    answer = qa.answer(question, product)
    assert answer is not None and answer.source == "attribute"
    assert answer.text == expected


@pytest.mark.parametrize(
    ("question", "product", "sentence"),
    [
        ("can I adjust the height?", CHAIR, "Tool-free height adjustment on a gas lift."),
        (
            "does it show how much charge is left?",
            POWER_BANK,
            "An LED indicator shows exactly how much charge",
        ),
        ("will it charge my phone?", POWER_BANK, "A 5000 mAh battery charges most phones"),
    ],
)
def test_the_description_sentence_that_answers_is_quoted(
    qa: ProductQA, question: str, product: ProductRecord, sentence: str
) -> None:
    answer = qa.answer(question, product)
    assert answer is not None and answer.source == "description"
    assert sentence in answer.text


@pytest.mark.parametrize(
    ("question", "product"),
    [("is it waterproof?", CHAIR), ("does it recline?", CHAIR), ("is it good for camping?", POWER_BANK)],
)
def test_an_unanswered_question_says_the_listing_does_not_say(
    qa: ProductQA, question: str, product: ProductRecord
) -> None:
    answer = qa.answer(question, product)
    assert answer is not None and answer.source == "none"
    assert answer.text == f"The listing for {product.title} doesn't say."


def test_the_threshold_is_validated() -> None:
    with pytest.raises(ValueError):
        ProductQA(DEFAULT_EMBEDDING_MODEL, threshold=1.5)
