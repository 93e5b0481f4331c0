"""assistant/understanding/spelling.py: unknown words corrected to the intent examples' vocabulary, known words left alone."""

from __future__ import annotations

import pytest

from assistant.understanding.spelling import SpellingCorrector
from core.state import Context
from core.taxonomy import Intent

EXAMPLES = [
    "do you ship to Canada?",
    "how do I ship it",
    "what payment methods do you take",
    "which payment options are there",
    "I need help cancelling my order",
    "help me with cancelling order 1042",
    "where is my order",
    "where is order 55",
    "retrun my order",  # a deliberate typo in the examples, written once
]
TOKENIZER_WORDS = {"seattle", "ship", "where", "is", "the", "can", "cancel", "munich", "return", "##ing"}


@pytest.fixture
def corrector() -> SpellingCorrector:
    return SpellingCorrector(EXAMPLES, TOKENIZER_WORDS)


@pytest.mark.parametrize(
    ("typed", "corrected"),
    [
        ("do you shpi to Seattle?", "do you ship to seattle?"),  # two letters swapped: one edit
        ("pament methods", "payment methods"),  # a letter left out
        ("canceelling order", "cancelling order"),  # a letter doubled
        ("cancllnig my order", "cancelling my order"),  # two edits in a long word
        ("whereis my order", "where is my order"),  # two words run together
    ],
)
def test_a_typo_of_a_known_word_is_corrected(corrector, typed, corrected):
    assert corrector.run(typed) == corrected


@pytest.mark.parametrize(
    "typed",
    [
        "ship to munich",  # words the tokenizer or the examples know
        "i cant pay",  # "can't" without its apostrophe is not "can"
        "tv on",  # words too short to correct
        "zorbix headphones",  # nothing close enough
        "sihpp",  # two edits in a short word: too far
    ],
)
def test_known_short_and_far_words_are_left_alone(corrector, typed):
    assert corrector.run(typed) == typed


def test_no_word_is_corrected_to_a_typo_that_the_examples_wrote_once(corrector):
    assert corrector.run("retrun") == "retrun"  # known as written in the examples
    assert corrector.run("retrn") == "retrn"  # but no target: one edit from "retrun" only, which is a typo


def test_the_classifier_reads_typos_as_the_words_meant(assistant):
    classifier = assistant.understand.classifier
    typed = ["do you shpi to Munich?", "i want to cancle my ordr 1042", "wher is my pakage"]
    meant = ["do you ship to Munich?", "i want to cancel my order 1042", "where is my package"]
    contexts = [Context()] * len(typed)
    assert [intent for intent, _ in classifier.predict(typed, contexts)] == [
        intent for intent, _ in classifier.predict(meant, contexts)
    ]
    assert classifier.predict(typed[:1], contexts[:1])[0][0] == Intent.SHIPPING_INFO
