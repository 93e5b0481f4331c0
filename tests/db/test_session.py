"""db/session.py: migrations, SQLite pragmas and PostgreSQL, on real databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from db.models import Conversation, Message
from db.session import Database

ROOT = Path(__file__).resolve().parents[2]
TABLES = {
    "products",
    "conversations",
    "messages",
    "journey_events",
    "carts",
    "cart_items",
    "orders",
    "order_items",
}


def test_migrations_create_every_table_on_sqlite(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'a.db'}")
    db.migrate()
    db.migrate()  # a second run is a no-op, not an error
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        newest = max(path.name[:4] for path in (ROOT / "db" / "migrations" / "versions").glob("0*.py"))
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == newest


def test_foreign_keys_are_enforced(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'b.db'}")
    db.migrate()
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(Message(conversation_id="missing", turn=1, role="shopper", text="hi"))


def test_a_failed_transaction_stores_nothing(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'c.db'}")
    db.migrate()
    with pytest.raises(RuntimeError), db.transaction() as session:
        session.add(Conversation(id="c1"))
        session.flush()
        raise RuntimeError("crash mid-turn")
    with db.transaction() as session:
        assert session.get(Conversation, "c1") is None


@pytest.mark.postgres
def test_migrations_and_a_turn_on_postgresql(postgres_url, settings):
    from assistant.bootstrap import build_assistant

    pg_settings = settings.model_copy(update={"db": postgres_url})
    assistant = build_assistant(pg_settings, log=lambda _message: None)
    assert set(inspect(assistant.db.engine).get_table_names()) >= TABLES
    conversation_id, _token = assistant.start_conversation()
    for message in ("show me running shoes under 100", "add the first one to my cart", "checkout"):
        result = assistant.handle(conversation_id, message)
    assert result.stage == "checkout"
    with assistant.db.transaction() as session:
        messages = session.query(Message).filter_by(conversation_id=conversation_id).count()
    assert messages == 6
