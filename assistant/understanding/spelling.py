"""Typo correction of an utterance before the intent classifier embeds it.

The encoder's tokenizer splits a misspelt word into pieces that mean nothing ("shpi" → "sh", "##pi"), so one
typo can move a short utterance to another intent. Shoppers type fast, on phones: a word that neither the
tokenizer's vocabulary nor the intent examples know is replaced by the nearest word of the intent examples
(optimal string alignment distance: a swap of neighbouring letters counts as one edit), or split into two known
words when it is two run together ("tocancel"). Known words are never touched, so a product name the tokenizer
knows stays as typed; slot extraction reads the shopper's own words and does its own fuzzy matching against the
catalog (assistant/understanding/slots.py).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

WORD = re.compile(r"[a-z]+")
# Words of 3 to 7 letters may be one edit off, longer ones two; shorter words are too ambiguous to correct.
SHORTEST_CORRECTED = 3
TWO_EDITS_FROM = 8
# Contractions written without an apostrophe: correcting "cant" to "can" would turn a "can't" into a "can".
CONTRACTIONS = {
    "cant",
    "dont",
    "wont",
    "didnt",
    "doesnt",
    "isnt",
    "arent",
    "wasnt",
    "havent",
    "im",
    "ive",
    "id",
}


class SpellingCorrector:
    """Corrects unknown words to the vocabulary of the intent examples."""

    def __init__(self, examples: Iterable[str], tokenizer_words: Iterable[str]) -> None:
        counts = Counter(word for text in examples for word in WORD.findall(text.lower()))
        # A word written once in the examples may itself be a deliberate typo ("retrun"): it is known, but no
        # word is corrected to it unless the tokenizer knows it too.
        tokenizer_words = {word for word in tokenizer_words if word.isalpha()}
        self.targets = [w for w, n in counts.items() if len(w) > 1 and (n > 1 or w in tokenizer_words)]
        self.counts = counts
        self.known = tokenizer_words | set(counts) | CONTRACTIONS
        # Shoppers repeat their typos and the search is the costly part; bounded, as the words are anyone's.
        self.nearest = functools.lru_cache(maxsize=4096)(self._nearest)

    def know(self, words: Iterable[str]) -> None:
        """Words that are never typos here, though the examples lack them: the catalog's brands, models and
        product words ("asus" is not "as us", "nvme" is not "name")."""
        self.known |= {word.lower() for word in words}
        self.nearest.cache_clear()

    def run(self, text: str) -> str:
        """`text` in lower case with its unknown words corrected where a correction is close enough."""
        return WORD.sub(lambda match: self.correct(match.group()), text.lower())

    def correct(self, word: str) -> str:
        if word in self.known or len(word) < SHORTEST_CORRECTED:
            return word
        return self.nearest(word)

    def _nearest(self, word: str) -> str:
        edits = 1 if len(word) < TWO_EDITS_FROM else 2
        candidates = process.extract(word, self.targets, scorer=OSA.distance, score_cutoff=edits, limit=None)
        if candidates:
            # The fewest edits first; between equally close words, the one the examples use most.
            return min(candidates, key=lambda candidate: (candidate[1], -self.counts[candidate[0]]))[0]
        for cut in range(2, len(word) - 1):
            first, second = word[:cut], word[cut:]
            if first in self.counts and second in self.counts:
                return f"{first} {second}"
        return word
