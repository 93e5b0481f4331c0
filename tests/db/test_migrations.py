"""db/migrations: revision 0005 (token expiry, forgetting) upgrades a database that already holds
conversations, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from assistant.tokens import TokenCheck, check_token, hash_token
from db.session import MIGRATIONS_DIR, Database

STARTED = datetime(2026, 11, 1, 9, 30)


def upgrade(db: Database, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def assert_0005_upgrades_existing_conversations(db: Database) -> None:
    upgrade(db, "0004")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO conversations (id, token_hash, stage, journey, turns, state, handoff, created_at,"
                " updated_at) VALUES ('c_old', :hash, 'entry', 1, 0, '{}', false, :started, :started)"
            ),
            {"hash": hash_token("old-token"), "started": STARTED},
        )
    db.migrate()
    with db.transaction() as session:
        expires, forgotten = session.execute(
            text("SELECT token_expires_at, forgotten_at FROM conversations WHERE id = 'c_old'")
        ).one()
        if isinstance(expires, str):  # SQLite hands raw text back to a textual query
            expires = datetime.fromisoformat(expires)
        assert expires == STARTED + timedelta(hours=720) and forgotten is None
        # The token stored before the upgrade still opens its conversation until then, and not after.
        assert check_token(session, "c_old", "old-token", STARTED + timedelta(days=29)) is TokenCheck.VALID
        assert check_token(session, "c_old", "old-token", STARTED + timedelta(days=31)) is TokenCheck.EXPIRED
        assert check_token(session, "c_old", "forged", STARTED) is TokenCheck.WRONG


def test_0005_on_sqlite(tmp_path) -> None:
    assert_0005_upgrades_existing_conversations(Database(f"sqlite:///{tmp_path / 'old.db'}"))


@pytest.mark.postgres
def test_0005_on_postgresql(postgres_url) -> None:
    # A database of its own on the session's cluster: the shared one is already at head.
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS migration_0005"))
        connection.execute(text("CREATE DATABASE migration_0005"))
    admin.dispose()
    url = make_url(postgres_url).set(database="migration_0005").render_as_string(hide_password=False)
    db = Database(url)
    try:
        assert_0005_upgrades_existing_conversations(db)
    finally:
        db.engine.dispose()
