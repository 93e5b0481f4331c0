"""assistant/desk/agents.py: agent accounts with scrypt-hashed passwords, and the demo's login."""

from __future__ import annotations

import pytest

from assistant.desk.agents import (
    DEMO_AGENT,
    authenticate,
    create_agent,
    ensure_demo_agent,
    hash_password,
    verify_password,
)
from core.errors import AgentError
from db.session import Database


@pytest.fixture
def database(tmp_path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'agents.db'}")
    database.migrate()
    return database


def test_passwords_are_salted_hashes_that_verify():
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second and "correct horse" not in first
    assert verify_password("correct horse", first) and not verify_password("wrong horse", first)
    assert not verify_password("correct horse", "not-a-hash")


def test_agents_log_in_with_their_own_password_only(database):
    with database.transaction() as session:
        create_agent(session, "ana", "correct horse")
        with pytest.raises(AgentError, match="already exists"):
            create_agent(session, "ana", "another horse")
        with pytest.raises(AgentError, match="at least"):
            create_agent(session, "bo", "short")
    with database.transaction() as session:
        assert authenticate(session, "ana", "correct horse").username == "ana"
        assert authenticate(session, "ana", "wrong horse") is None
        assert authenticate(session, "nobody", "correct horse") is None


def test_the_demo_login_exists_only_while_no_agent_was_created(database, tmp_path):
    with database.transaction() as session:
        assert ensure_demo_agent(session) == DEMO_AGENT
        assert ensure_demo_agent(session) is None
        assert authenticate(session, *DEMO_AGENT) is not None
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    other.migrate()
    with other.transaction() as session:
        create_agent(session, "ana", "correct horse")
        assert ensure_demo_agent(session) is None
        assert authenticate(session, *DEMO_AGENT) is None
