"""The Alembic migrations build the schema the models describe, and unwind cleanly, on SQLite
and on PostgreSQL."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app.extensions import db
from config import normalise_database_url
from tests.conftest import DATABASES, make_app


@pytest.fixture(params=DATABASES)
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    server_url = make_url(normalise_database_url(os.environ["TEST_DATABASE_URL"]))
    name = f"portal_migrations_{os.getpid()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _tables():
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(empty_database_url):
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade()
        assert _tables() == set(db.metadata.tables)
        downgrade(revision="base")
        assert _tables() == set()
        upgrade()
        assert _tables() == set(db.metadata.tables)
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert differences == [], f"Models and migrations differ; add a migration: {differences}"
        db.engine.dispose()
