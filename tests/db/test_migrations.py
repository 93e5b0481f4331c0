"""db/migrations: revisions 0005 (token expiry, forgetting), 0006 (idempotency keys on messages) and 0009 (variants
as rows, carts of variants) upgrade a database that already holds conversations, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from assistant.tokens import TokenCheck, check_token, hash_token
from db.session import MIGRATIONS_DIR, Database

STARTED = datetime(2026, 11, 1, 9, 30)


def upgrade(db: Database, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def add_old_conversation(db: Database) -> None:
    """A conversation as the revisions before 0005 stored it, with one shopper message."""
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO conversations (id, token_hash, stage, journey, turns, state, handoff, created_at,"
                " updated_at) VALUES ('c_old', :hash, 'entry', 1, 1, '{}', false, :started, :started)"
            ),
            {"hash": hash_token("old-token"), "started": STARTED},
        )
        connection.execute(
            text(
                "INSERT INTO messages (conversation_id, turn, role, text, created_at)"
                " VALUES ('c_old', 1, 'shopper', 'hi', :started)"
            ),
            {"started": STARTED},
        )


def assert_0005_upgrades_existing_conversations(db: Database) -> None:
    upgrade(db, "0004")
    add_old_conversation(db)
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


def assert_0006_upgrades_existing_messages(db: Database) -> None:
    upgrade(db, "0005")
    add_old_conversation(db)
    db.migrate()
    keyed = (
        "INSERT INTO messages (conversation_id, turn, role, text, idempotency_key, created_at)"
        " VALUES ('c_old', :turn, 'shopper', 'show me mugs', :key, :started)"
    )
    with db.engine.begin() as connection:
        old_key = connection.execute(text("SELECT idempotency_key FROM messages WHERE turn = 1")).scalar_one()
        assert old_key is None
        # Messages without a key never collide; a key is used once per conversation.
        connection.execute(text(keyed), {"turn": 2, "key": None, "started": STARTED})
        connection.execute(text(keyed), {"turn": 3, "key": "k-1", "started": STARTED})
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(text(keyed), {"turn": 4, "key": "k-1", "started": STARTED})


def assert_0009_turns_products_into_variants_and_keeps_carts(db: Database) -> None:
    upgrade(db, "0008")
    add_old_conversation(db)
    with db.engine.begin() as connection:
        insert = (
            "INSERT INTO products (id, title, description, brand, category, price, currency, color, sizes,"
            " material, stock, image_url, url, attributes, variants, updated_at) VALUES (:id, :title, '', '', '',"
            " :price, 'USD', '', '[]', '', :stock, '', '', '{}', :variants, :started)"
        )
        variants = '[{"id": "tee-m", "options": {"size": "M"}, "stock": 2}, {"id": "tee-l", "options": {"size": "L"}, "price": 26}]'
        connection.execute(
            text(insert),
            {"id": "mug", "title": "Mug", "price": 12, "stock": 3, "variants": "[]", "started": STARTED},
        )
        connection.execute(
            text(insert),
            {
                "id": "tee",
                "title": "Tee",
                "price": 24,
                "stock": None,
                "variants": variants,
                "started": STARTED,
            },
        )
        connection.execute(text("INSERT INTO carts (id, conversation_id) VALUES (1, 'c_old')"))
        connection.execute(
            text(
                "INSERT INTO cart_items (cart_id, product_id, quantity, unit_price) VALUES (1, 'mug', 2, 12)"
            )
        )
    db.migrate()
    with db.engine.begin() as connection:
        rows = connection.execute(text("SELECT id, product_id, price, stock FROM variants ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [
            ("mug", "mug", 12, 3), ("tee-l", "tee", 26, None), ("tee-m", "tee", 24, 2)
        ]  # fmt: skip
        line = connection.execute(text("SELECT product_id, variant_id, quantity FROM cart_items")).one()
        assert tuple(line) == ("mug", "mug", 2)
        # Two variants of one product are two lines now; the same variant twice is still refused.
        add = "INSERT INTO cart_items (cart_id, product_id, variant_id, options, quantity, unit_price) VALUES (1, 'tee', :v, '{}', 1, 24)"
        connection.execute(text(add), {"v": "tee-m"})
        connection.execute(text(add), {"v": "tee-l"})
        assert connection.execute(text("SELECT version FROM orders")).all() == []
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(text(add), {"v": "tee-m"})


MIGRATION_CHECKS = [
    assert_0005_upgrades_existing_conversations,
    assert_0006_upgrades_existing_messages,
    assert_0009_turns_products_into_variants_and_keeps_carts,
]


@pytest.mark.parametrize("check", MIGRATION_CHECKS)
def test_migration_on_sqlite(tmp_path, check: Callable[[Database], None]) -> None:
    check(Database(f"sqlite:///{tmp_path / 'old.db'}"))


@pytest.fixture
def empty_postgres_database(postgres_url) -> Iterator[Database]:
    """A database of its own on the session's cluster: the shared one is already at head."""
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS migration_check"))
        connection.execute(text("CREATE DATABASE migration_check"))
    admin.dispose()
    url = make_url(postgres_url).set(database="migration_check").render_as_string(hide_password=False)
    db = Database(url)
    try:
        yield db
    finally:
        db.engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("check", MIGRATION_CHECKS)
def test_migration_on_postgresql(empty_postgres_database, check: Callable[[Database], None]) -> None:
    check(empty_postgres_database)
