"""db/session.py: migrations, SQLite pragmas and PostgreSQL, on real databases."""

from __future__ import annotations

import fcntl
import threading
from pathlib import Path

import pytest
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from db.models import Conversation, Message
from db.session import Database, sqlite_file

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


def writer_lock_is_free(db: Database) -> bool:
    """Whether another process could take the database's writer lock now (a separate open file, as another
    process has)."""
    with db._writers.path.open("a+b") as other:
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(other, fcntl.LOCK_UN)
        return True


def test_a_writing_transaction_holds_the_writer_lock_until_it_ends(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'w.db'}")
    db.migrate()
    with db.transaction() as session:
        session.scalar(select(Conversation.id))
        assert writer_lock_is_free(db)  # reading takes nothing
        session.add(Conversation(id="c1"))
        session.flush()
        assert not writer_lock_is_free(db)
    assert writer_lock_is_free(db)  # committed
    with pytest.raises(RuntimeError), db.transaction() as session:
        session.execute(
            insert(Message), {"conversation_id": "c1", "turn": 1, "role": "shopper", "text": "hi"}
        )
        assert not writer_lock_is_free(db)  # a plain INSERT takes it too
        raise RuntimeError("crash mid-turn")
    assert writer_lock_is_free(db)  # rolled back
    with db.transaction() as session:
        assert session.scalar(select(Message.text)) is None


def test_writers_of_one_file_take_turns_and_lose_nothing(tmp_path):
    """Two Database objects on one file, as two server processes have, and two threads each: every write
    lands, one transaction at a time."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    databases = [Database(url), Database(url)]
    databases[0].migrate()
    inside, most = 0, 0
    count = threading.Lock()

    def write(db: Database, writer: int) -> None:
        nonlocal inside, most
        for number in range(20):
            with db.transaction() as session:
                session.add(Conversation(id=f"c{writer}-{number}"))
                session.flush()
                with count:
                    inside += 1
                    most = max(most, inside)
                session.scalar(select(Conversation.id))  # still inside the writing transaction
                with count:
                    inside -= 1

    threads = [threading.Thread(target=write, args=(databases[i % 2], i)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert most == 1
    with databases[1].transaction() as session:
        assert len(session.scalars(select(Conversation.id)).all()) == 80


def test_only_sqlite_files_get_a_writer_lock(tmp_path):
    assert sqlite_file(f"sqlite:///{tmp_path / 'a.db'}") == tmp_path / "a.db"
    assert sqlite_file("sqlite://") is None
    assert sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("postgresql+psycopg://shop@localhost/shop") is None


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
