"""Fixtures for the whole suite.

Every test that uses `app` runs once on SQLite and, when TEST_DATABASE_URL is set, once more on
PostgreSQL. Each request made through the test client runs in its own application context (as
in production), so the test's own database session never leaks into the request under test.

One app per database serves the whole session (its Jinja templates are compiled once); after
each test its config is put back as it was and the rows the test wrote are deleted. A test that
changes the app itself (adds a route, say) asks for an app of its own with
`@pytest.mark.fresh_app`. Under pytest-xdist each worker has its own SQLite file and its own
PostgreSQL database (`<name>_gw0`, `<name>_gw1`, ...), created when missing.
"""

from __future__ import annotations

import contextvars
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import Pool

from app import create_app
from app.extensions import db, limiter
from app.report_cache import forget_all
from config import TestingConfig, normalise_database_url
from tests import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1"... under pytest-xdist


def pytest_sessionstart(session):
    if os.environ.get("CI") == "true" and not TEST_DATABASE_URL:
        pytest.exit("CI must run the suite on PostgreSQL too: set TEST_DATABASE_URL.", returncode=3)
    if os.environ.get("CI") == "true" and not os.environ.get("TEST_REDIS_URL"):
        pytest.exit("CI must run the two-instance tests with Redis: set TEST_REDIS_URL.", returncode=3)


# Set when the browser tests were set aside (no Chromium); said once at the end of the run.
BROWSER_TESTS_NOT_RUN = pytest.StashKey[str]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if BROWSER_TESTS_NOT_RUN in config.stash:
        terminalreporter.write_line(config.stash[BROWSER_TESTS_NOT_RUN], yellow=True, bold=True)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist: the workers collect the tests, so the controller hears from them."""
    not_run = getattr(node, "workeroutput", {}).get("browser_tests_not_run")
    if not_run:
        node.config.stash[BROWSER_TESTS_NOT_RUN] = not_run


class IsolatedClient(FlaskClient):
    """Runs each request outside the test's contexts, so it gets a fresh app context and g."""

    def open(self, *args, **kwargs):
        # Buffered, so streamed responses also finish inside the request's own context.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


def _worker_database(url: str) -> str:
    """This xdist worker's own PostgreSQL database beside the one named in TEST_DATABASE_URL
    (test -> test_gw0), created when missing. Without xdist, the database itself."""
    if not XDIST_WORKER:
        return url
    server_url = make_url(url)
    name = f"{server_url.database}_{XDIST_WORKER}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            found = text("SELECT 1 FROM pg_database WHERE datname = :name")
            if not connection.scalar(found, {"name": name}):
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return server_url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory) -> dict[str, str]:
    # tmp_path_factory gives each xdist worker a folder of its own.
    urls = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal-test.sqlite3'}"}
    if TEST_DATABASE_URL:
        urls["postgresql"] = _worker_database(normalise_database_url(TEST_DATABASE_URL))
    return urls


def make_app(database_url: str, **overrides):
    # Templates are compiled once per app and never checked for changes (FLASK_DEBUG=1 in a
    # developer's shell would otherwise turn auto-reload on).
    settings = {"SQLALCHEMY_DATABASE_URI": database_url, "TEMPLATES_AUTO_RELOAD": False}
    if database_url.startswith("postgresql"):
        # A commit need not wait for the disk: nothing here must survive a crash of the server
        # (1.4 ms a commit otherwise, more while other suites share the disk).
        # Connections idle a second are checked before use, as in production (app/connection_check.py).
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"options": "-c synchronous_commit=off"}}
    settings.update(overrides)
    config = type("SuiteConfig", (TestingConfig,), settings)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


@event.listens_for(Pool, "connect")
def _sqlite_without_fsync(dbapi_connection, connection_record):
    """SQLite files written by the tests need not reach the disk before a commit returns (as with
    synchronous_commit=off on PostgreSQL, above): several milliseconds a commit otherwise."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous = OFF")


# --- Which databases a test wrote to ------------------------------------------------------------
# Every statement any engine in this process sends is looked at (the suite's apps, the apps tests
# build with make_app, the CLI runner's). Only a database that was written to is cleaned.

_READ_ONLY = re.compile(r"\s*(SELECT|PRAGMA|SHOW|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|EXPLAIN)\b", re.I)
_WRITES_IN_A_SELECT = re.compile(r"\b(nextval|setval)\s*\(", re.I)
_written: set[URL] = set()


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, cursor, statement, parameters, context, executemany):
    if not _READ_ONLY.match(statement) or _WRITES_IN_A_SELECT.search(statement):
        _written.add(conn.engine.url)


def _empty_tables(database: str) -> None:
    """If anything wrote to the current app's database, delete every row and restart the id
    sequences, as `TRUNCATE ... RESTART IDENTITY` would.

    On PostgreSQL a TRUNCATE of the suite's tables takes 100-400 ms (it makes new files), a
    DELETE of their few rows about a millisecond. Should a DELETE ever be refused (a trigger, a
    new constraint), the TRUNCATE does the job instead.
    """
    url = db.engine.url
    if url not in _written:
        return
    tables = db.metadata.sorted_tables
    try:
        with db.engine.begin() as connection:
            _no_waiting_for_locks(connection, database)
            for table in reversed(tables):
                connection.execute(table.delete())
            if database == "postgresql":
                connection.execute(
                    text(
                        "SELECT setval(s.oid, 1, false) FROM pg_class s"
                        " JOIN pg_namespace n ON n.oid = s.relnamespace"
                        " WHERE s.relkind = 'S' AND n.nspname = current_schema()"
                    )
                )
    except DBAPIError:
        if database != "postgresql":
            raise
        with db.engine.begin() as connection:
            _no_waiting_for_locks(connection, database)
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    _written.discard(url)


def _no_waiting_for_locks(connection, database: str) -> None:
    if database == "postgresql":
        # A transaction a test left open fails the test's teardown instead of hanging the run.
        connection.execute(text("SET LOCAL lock_timeout = '10s'"))


# --- The app ---------------------------------------------------------------------------------------


@pytest.fixture(params=DATABASES)
def database(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def session_apps(database_urls) -> Iterator[dict[str, Flask]]:
    """One app per database for the whole session, made the first time a test needs it.

    Kept in a dict rather than in a session fixture parametrised by database, so pytest neither
    reorders the tests nor builds an app again each time the database changes between tests.
    """
    apps: dict[str, Flask] = {}
    yield apps
    for app in apps.values():
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _drop_every_table() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()


def _shared_app(database: str, url: str, session_apps: dict[str, Flask]) -> Flask:
    if database in session_apps:
        return session_apps[database]
    app = make_app(url)
    with app.app_context():
        # Tests build the schema from the models; tests/test_migrations.py proves the
        # migrations build the same one. Tables an older checkout left behind go too.
        _drop_every_table()
        db.create_all()
    # One request before any test: a test that tries to add a route or a hook to the shared app
    # then fails at once ("can no longer be called") instead of changing it for later tests.
    response = app.test_client().get("/login")
    assert response.status_code == 200, response.status
    with app.app_context():
        _written.add(db.engine.url)
        _empty_tables(database)
    session_apps[database] = app
    return app


@pytest.fixture
def app(request, database, database_urls, session_apps) -> Iterator[Flask]:
    shared = _shared_app(database, database_urls[database], session_apps)
    # @pytest.mark.fresh_app: the test changes the app itself, so it gets one of its own.
    app = make_app(database_urls[database]) if request.node.get_closest_marker("fresh_app") else shared
    config_before = dict(app.config)
    yield app
    with app.app_context():
        db.session.remove()
        _empty_tables(database)
        limiter.reset()  # rate-limit counts are per test, like the data
        forget_all()  # and so are the report cache's counts, where a test turned it on
        if app is not shared:
            db.engine.dispose()
    if app.config != config_before:
        # csrf_app, and tests that set a key: the next test sees the config as it was.
        app.config.clear()
        app.config.update(config_before)


@pytest.fixture
def client(app):
    """A test client that does not preserve request contexts (pytest-flask's does)."""
    return app.test_client()


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def sign_in(client):
    """sign_in(user) signs the test client in through the real sign-in form."""

    def _sign_in(user, password: str = factories.PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return client

    return _sign_in


@pytest.fixture
def as_role(app, sign_in):
    """as_role("trust_member") creates a user with that role and signs the client in."""

    def _as_role(role: str, agency=None):
        user = factories.make_user(role=role, agency=agency)
        sign_in(user)
        return user

    return _as_role


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
