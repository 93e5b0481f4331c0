"""Turns that carry two dialogue acts: small talk that comes with a request.

"hi, do you have jeans?", "thanks, now show me belts", "yes and add a belt too": a greeting, a thanks or a yes
in front of (or after) a request makes the classifier, which reads the whole turn, lean towards the small talk.
The request is what the shopper wants done, so when the whole reads as small talk its clauses are read one by one
and a confident request among them wins. Small talk alone ("hi there!", "thanks so much") stays small talk.
"""

from __future__ import annotations

import re

from core.taxonomy import Intent

SMALL_TALK = frozenset({Intent.GREET, Intent.THANKS, Intent.AFFIRM, Intent.DENY, Intent.GOODBYE})

# Where one act ends and the next begins: sentence punctuation, a dash, or a conjunction that starts a new clause.
_BOUNDARY = re.compile(
    r"\s*[,.!?;:…]+\s*|\s+[-–—]+\s+|\s+(?:and|but|so|also|then|now|plus|btw|by the way)\s+", re.IGNORECASE
)
_WORD = re.compile(r"[^\W_]+")


def clauses(text: str) -> list[str]:
    """The turn's clauses with at least two words each, in order (one-word pieces are small talk or fillers)."""
    pieces = [piece.strip() for piece in _BOUNDARY.split(text) if piece and piece.strip()]
    return [piece for piece in pieces if len(_WORD.findall(piece)) >= 2]


def request_among(
    whole: tuple[Intent, float], parts: list[tuple[Intent, float]], threshold: float
) -> tuple[Intent, float]:
    """The turn's intent: the whole turn's reading, unless it is small talk and one of its clauses is read as a
    shop request more confidently than the whole and with at least `threshold` confidence (then the most
    confident such clause). A clause read as out of scope is an aside ("my lunch break is over"), not the act."""
    if whole[0] not in SMALL_TALK:
        return whole
    requests = [
        part
        for part in parts
        if part[0] not in SMALL_TALK | {Intent.OUT_OF_SCOPE} and part[1] >= max(threshold, whole[1])
    ]
    return max(requests, key=lambda part: part[1]) if requests else whole
