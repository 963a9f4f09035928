"""Fixtures for the whole suite.

Every test that uses `app` runs once on SQLite and, when TEST_DATABASE_URL is set, once more on
PostgreSQL. Each request made through the test client runs in its own application context (as
in production), so the test's own database session never leaks into the request under test.
"""

from __future__ import annotations

import contextvars
import os
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from app import create_app
from app.extensions import db
from config import TestingConfig, normalise_database_url
from tests import factories

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


def pytest_sessionstart(session):
    if os.environ.get("CI") == "true" and not TEST_DATABASE_URL:
        pytest.exit("CI must run the suite on PostgreSQL too: set TEST_DATABASE_URL.", returncode=3)


class IsolatedClient(FlaskClient):
    """Runs each request outside the test's contexts, so it gets a fresh app context and g."""

    def open(self, *args, **kwargs):
        # Buffered, so streamed responses also finish inside the request's own context.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory) -> dict[str, str]:
    urls = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal-test.sqlite3'}"}
    if TEST_DATABASE_URL:
        urls["postgresql"] = normalise_database_url(TEST_DATABASE_URL)
    return urls


_schema_ready: set[str] = set()


def make_app(database_url: str, **overrides):
    config = type("SuiteConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **overrides})
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(params=DATABASES)
def database(request) -> str:
    return request.param


@pytest.fixture
def app(database, database_urls):
    url = database_urls[database]
    app = make_app(url)
    with app.app_context():
        if url not in _schema_ready:
            # Tests build the schema from the models; tests/test_migrations.py proves the
            # migrations build the same one.
            db.drop_all()
            db.create_all()
            _schema_ready.add(url)
    yield app
    with app.app_context():
        db.session.remove()
        _empty_all_tables(database)
        db.engine.dispose()


def _empty_all_tables(database: str) -> None:
    tables = db.metadata.sorted_tables
    with db.engine.begin() as connection:
        if database == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


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
