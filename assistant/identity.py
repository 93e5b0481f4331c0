"""Knowing the store's shopper in a conversation: by the email on their account, or by first name + last name +
zip code (docs/store-data.md). Only the shopper's own words are read; nothing is guessed from a partial match."""

from __future__ import annotations

import re
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Shopper

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")


def says_who(text: str) -> bool:
    """Whether the words could identify someone: an email, or a token with a digit (a zip code)."""
    return bool(_EMAIL.search(text)) or any(char.isdigit() for char in text)


def identify(session: Session, text: str) -> Shopper | None:
    """The one shopper whose email the text gives, or whose first name, last name and zip it all gives."""
    if found := _EMAIL.search(text):
        return session.scalar(select(Shopper).where(Shopper.email == found.group().lower().rstrip(".")))
    words = [word.lower() for word in _WORD.findall(text)]
    # A zip is one token ("97201") or two ("H2X 1Y4"): the store keeps it without spaces.
    zips = {word for word in words if any(c.isdigit() for c in word)}
    zips |= {a + b for a, b in pairwise(words) if any(c.isdigit() for c in a + b)}
    if not zips:
        return None
    present = set(words)
    matches = [
        shopper
        for shopper in session.scalars(select(Shopper).where(Shopper.zip.in_(zips)))
        if set(shopper.first_name.split()) | set(shopper.last_name.split()) <= present
    ]
    return matches[0] if len(matches) == 1 else None
