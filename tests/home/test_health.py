"""/healthz is "ok" only when the database can be read and written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.auth.models import SignInThrottle
from app.extensions import db
from tests.conftest import make_app
from tests.factories import make_threshold_document


def read_only_app(database: str, url: str):
    """The same database, opened so that reads work and every write fails."""
    if database == "sqlite":
        path = url.removeprefix("sqlite:///")
        return make_app(f"sqlite:///file:{path}?mode=ro&uri=true")
    return make_app(
        url,
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"options": "-c default_transaction_read_only=on"}},
    )


@pytest.fixture
def read_only_client(app, database, database_urls):
    broken = read_only_app(database, database_urls[database])
    yield broken.test_client()
    with broken.app_context():
        db.engine.dispose()


def test_health_check_writes_nothing_it_keeps(app, client):
    for _ in range(3):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json == {"status": "ok", "database": "ok"}
    assert db.session.scalar(select(func.count()).select_from(SignInThrottle)) == 0


def test_health_check_is_503_when_the_database_is_read_only(app, read_only_client):
    make_threshold_document(slug="doc")
    # Reading still works, which is why a health check that only reads said "ok".
    assert read_only_client.get("/thresholds/doc").status_code == 200
    response = read_only_client.get("/healthz")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.json == {"status": "unavailable", "database": "not writable"}
