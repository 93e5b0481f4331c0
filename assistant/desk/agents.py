"""Agent accounts for the console: creation, password hashing and login checks.

Passwords are hashed with scrypt from the standard library: a memory-hard key derivation function that the OWASP
password storage guidance lists, so no extra dependency is needed. Each hash stores its own salt and cost
parameters (`scrypt$n$r$p$salt$hash`), so the costs can be raised later without invalidating stored hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import AgentError
from db.models import Agent

# n=2**14, r=8, p=1 is scrypt's interactive-login setting: 16 MiB and tens of milliseconds per check.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SCRYPT_MAXMEM = 64 * 1024 * 1024
MIN_PASSWORD_CHARS = 8
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=SCRYPT_MAXMEM, dklen=32)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:  # a malformed stored hash never matches
        return False
    return hmac.compare_digest(computed, base64.b64decode(digest))


def create_agent(session: Session, username: str, password: str) -> Agent:
    """A new agent who can log into the console."""
    if not USERNAME.match(username):
        raise AgentError("a username is 1-64 letters, digits or . _ @ -")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AgentError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    if session.scalar(select(Agent.id).where(Agent.username == username)) is not None:
        raise AgentError(f"an agent named {username} already exists")
    agent = Agent(username=username, password_hash=hash_password(password))
    session.add(agent)
    session.flush()
    return agent


def authenticate(session: Session, username: str, password: str) -> Agent | None:
    """The agent with this username and password, or None (unknown names and wrong passwords alike)."""
    agent = session.scalar(select(Agent).where(Agent.username == username))
    if agent is None:
        # Hash anyway, so the answer takes as long for an unknown name as for a wrong password.
        verify_password(password, hash_password("timing"))
        return None
    return agent if verify_password(password, agent.password_hash) else None


def agent_named(session: Session, username: str) -> Agent | None:
    return session.scalar(select(Agent).where(Agent.username == username))


DEMO_AGENT = ("demo", "shopassist-demo")


def ensure_demo_agent(session: Session) -> tuple[str, str] | None:
    """The demo's console login, created when no agent exists yet, so `make demo` opens /console without
    set-up; None when the database already has agents (a real deployment creates its own)."""
    if session.scalar(select(Agent.id).limit(1)) is not None:
        return None
    create_agent(session, *DEMO_AGENT)
    return DEMO_AGENT
