"""Engines, sessions and migrations for any SQLAlchemy URL (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get WAL (readers never block the writer) and enforced foreign keys."""
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if (database_file := sqlite_file(url)) is not None:
        database_file.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (creates it on an empty database)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class WriterLock:
    """One writing transaction at a time among the threads and processes that share a SQLite file, waiting in
    line in the kernel.

    SQLite lets one connection write at a time. Without this lock the others retry in SQLite's busy handler,
    which sleeps 1, 2, 5 … up to 100 ms between tries, so the next writer usually wakes well after the lock came
    free: three server processes sharing one file served 15% fewer turns than three with a file each, and had a
    longer tail. With it, a writer waits on `flock` (a file beside the database) and a lock between this
    process's threads, and starts the moment the previous one commits.
    """

    def __init__(self, database_file: Path) -> None:
        self.path = database_file.with_name(database_file.name + "-writer.lock")
        self._threads = threading.RLock()
        self._depth = 0  # acquisitions by the thread that holds _threads
        self._file = None
        self._pid = 0

    def acquire(self) -> None:
        self._threads.acquire()
        self._depth += 1
        if self._depth == 1:
            fcntl.flock(self._opened(), fcntl.LOCK_EX)

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            fcntl.flock(self._file, fcntl.LOCK_UN)
        self._threads.release()

    def _opened(self):
        # A forked child shares its parent's open file, and with it the lock: it opens its own.
        if self._file is None or self._pid != os.getpid():
            self._file = self.path.open("a+b")
            self._pid = os.getpid()
        return self._file


class Database:
    """One engine and its session factory, shared by every component of a process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        database_file = sqlite_file(url)
        if database_file is not None:
            self._writers = WriterLock(database_file)
            # Taken before a session's first write (a flush, or an INSERT/UPDATE/DELETE statement), given back
            # when its transaction ends, committed or rolled back.
            event.listen(self._sessions, "before_flush", lambda session, *_: self._take_writer(session))
            event.listen(self._sessions, "do_orm_execute", self._before_statement)
            event.listen(self._sessions, "after_transaction_end", self._give_writer_back)

    def _take_writer(self, session: Session) -> None:
        if not session.info.get("writer"):
            self._writers.acquire()
            session.info["writer"] = True

    def _before_statement(self, state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            self._take_writer(state.session)

    def _give_writer_back(self, session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None and session.info.pop("writer", False):
            self._writers.release()

    def migrate(self) -> None:
        migrate(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed together at the end, or rolled back together on error."""
        with self._sessions() as session, session.begin():
            yield session

    def session(self) -> Session:
        return self._sessions()
