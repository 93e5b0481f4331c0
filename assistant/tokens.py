"""Shopper bearer tokens: issued with each conversation, stored only as a hash, expiring after a set lifetime.

The REST API and the shopper chat open a conversation only with its own token that has not expired. A token is
192 random bits, so a fast SHA-256 digest is enough to store it: unlike a password, it cannot be guessed from
a dictionary, and a leaked hash gives no way back to the token.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from db.models import Conversation


class TokenCheck(enum.Enum):
    """What a presented token is worth for one conversation."""

    VALID = "valid"
    # No such conversation, not its token, or a forgotten conversation (its hash was erased): told apart from
    # nothing else, so a token cannot probe for conversations.
    WRONG = "wrong"
    EXPIRED = "expired"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_expiry(now: datetime, ttl_hours: float) -> datetime:
    return now + timedelta(hours=ttl_hours)


def check_token(
    database: Session | Connection, conversation_id: str, token: str, now: datetime
) -> TokenCheck:
    """VALID for the conversation's own unexpired token; EXPIRED is only ever told to the token's holder."""
    row = database.execute(
        select(Conversation.token_hash, Conversation.token_expires_at).where(
            Conversation.id == conversation_id
        )
    ).first()
    if row is None or not secrets.compare_digest(row.token_hash, hash_token(token)):
        return TokenCheck.WRONG
    if row.token_expires_at is not None and row.token_expires_at <= now:
        return TokenCheck.EXPIRED
    return TokenCheck.VALID
