"""SQLite writers take turns through a lock file (app/sqlite_writers.py): a second writer waits
while the first holds the lock, goes as soon as the first commits or rolls back, and gives up
with "database is locked" after BUSY_SECONDS, as SQLite's own busy timeout would. Reads never
wait."""

import sqlite3
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import sqlite_writers
from app.extensions import db


@pytest.fixture
def engine(app, database):
    if database != "sqlite":
        pytest.skip("SQLite only: PostgreSQL has row locks of its own")
    return db.engine


def _insert(connection, key: str) -> None:
    connection.execute(
        text("INSERT INTO sign_in_throttles (email, failure_count) VALUES (:key, 0)"), {"key": key}
    )


def _count(connection) -> int:
    return connection.execute(text("SELECT count(*) FROM sign_in_throttles")).scalar_one()


def _write_in_thread(engine, key: str, done: list) -> threading.Thread:
    def write():
        try:
            with engine.begin() as connection:
                _insert(connection, key)
            done.append(time.monotonic())
        except OperationalError as error:
            done.append(error)

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def test_the_apps_sqlite_connections_take_turns(engine):
    with engine.connect() as connection:
        assert isinstance(connection.connection.dbapi_connection, sqlite_writers.TakingTurnsConnection)


def test_a_second_writer_waits_for_the_first_to_commit_and_readers_never_wait(engine):
    first = engine.connect()
    try:
        _insert(first, "first")
        assert first.connection.dbapi_connection._holding, "the first write took the lock"
        done: list = []
        second = _write_in_thread(engine, "second", done)
        with engine.connect() as reader:
            assert _count(reader) == 0, "a reader goes straight on (and does not see uncommitted rows)"
        time.sleep(0.2)
        assert done == [], "the second writer is waiting"
        committed_at = time.monotonic()
        first.commit()
        assert not first.connection.dbapi_connection._holding, "the lock was given back on commit"
        second.join(5)
        assert len(done) == 1 and not isinstance(done[0], Exception)
        assert done[0] - committed_at < 2, "the second writer went once the lock was free, not at a timeout"
    finally:
        first.close()
    with engine.connect() as connection:
        assert _count(connection) == 2


def test_a_rollback_gives_the_lock_back(engine):
    with engine.connect() as first:
        _insert(first, "rolled back")
        first.rollback()
        assert not first.connection.dbapi_connection._holding
        done: list = []
        _write_in_thread(engine, "after", done).join(5)
        assert len(done) == 1 and not isinstance(done[0], Exception)


def test_a_writer_gives_up_after_the_busy_timeout(engine, monkeypatch):
    monkeypatch.setattr(sqlite_writers, "BUSY_SECONDS", 0.3)
    first = engine.connect()
    try:
        _insert(first, "holding")
        done: list = []
        _write_in_thread(engine, "too late", done).join(5)
        assert len(done) == 1 and isinstance(done[0], OperationalError)
        assert isinstance(done[0].orig, sqlite3.OperationalError)
        assert "database is locked" in str(done[0])
    finally:
        first.rollback()
        first.close()


def test_many_writers_at_once_all_save(engine):
    done: list = []
    threads = [_write_in_thread(engine, f"writer {n}", done) for n in range(12)]
    for thread in threads:
        thread.join(20)
    assert len(done) == 12 and not [d for d in done if isinstance(d, Exception)]
    with engine.connect() as connection:
        assert _count(connection) == 12


def test_an_in_memory_database_is_left_as_it_is():
    assert sqlite_writers.taking_turns({"pool_pre_ping": True}, "sqlite://") == {"pool_pre_ping": True}
    options = sqlite_writers.taking_turns({}, "sqlite:////tmp/portal.sqlite3")
    assert options["connect_args"]["factory"] is sqlite_writers.TakingTurnsConnection
    assert sqlite_writers.taking_turns({}, "postgresql+psycopg://db/portal") == {}
