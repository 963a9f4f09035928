"""A pooled connection is checked before use only after it has been idle (app/connection_check.py).

The check after a real restart (every connection cut) is tests/test_errors.py
test_after_the_database_restarts_the_next_request_succeeds."""

import time

import pytest
from sqlalchemy import create_engine, text

from app.extensions import db
from tests.conftest import make_app

IDLE = 0.3


@pytest.fixture
def checked(database, database_urls):
    app = make_app(database_urls[database], DATABASE_CHECK_AFTER_IDLE_SECONDS=IDLE)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _pings(app, monkeypatch) -> list:
    calls: list = []
    with app.app_context():
        dialect = db.engine.dialect
    real = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda connection: calls.append(1) or real(connection))
    return calls


def _use_a_connection(app) -> None:
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT 1")) == 1


def test_a_connection_used_a_moment_ago_is_used_as_it_is_and_an_idle_one_is_checked(
    checked, database, monkeypatch
):
    if database != "postgresql":
        pytest.skip("PostgreSQL only: a database file has no server to go away")
    pings = _pings(checked, monkeypatch)
    _use_a_connection(checked)  # opened now: nothing to check
    _use_a_connection(checked)
    _use_a_connection(checked)
    assert pings == [], "no round trip for a connection back in the pool a moment ago"
    time.sleep(IDLE + 0.1)
    _use_a_connection(checked)
    assert pings == [1], "checked once after it sat idle"
    _use_a_connection(checked)
    assert pings == [1]


def test_a_dead_idle_connection_is_replaced_before_the_request_uses_it(checked, database):
    if database != "postgresql":
        pytest.skip("PostgreSQL only: a database file has no server to go away")
    with checked.app_context():
        with db.engine.connect() as connection:
            pid = connection.scalar(text("SELECT pg_backend_pid()"))
        killer = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
        with killer.connect() as other:  # the pool's connection is cut, as a restart cuts it
            assert other.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killer.dispose()
        time.sleep(IDLE + 0.1)
        with db.engine.connect() as connection:
            assert connection.scalar(text("SELECT pg_backend_pid()")) != pid


def test_sqlite_connections_are_never_checked(checked, database, monkeypatch):
    if database != "sqlite":
        pytest.skip("SQLite only")
    pings = _pings(checked, monkeypatch)
    _use_a_connection(checked)
    time.sleep(IDLE + 0.1)
    _use_a_connection(checked)
    assert pings == []
