"""`flask backup create` and `flask backup restore`: a backup restored into an empty database
has every row of every table, and the audit trail's hash chain still holds."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import create_engine, text

from app.audit.chain import verify
from app.backup import row_counts
from app.extensions import db
from tests.conftest import make_app
from tests.factories import one_of_everything


@pytest.fixture
def empty_database_like(app, tmp_path):
    """A new, empty database on the same kind of server as the app's."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"portal_restore_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_backup_restores_into_an_empty_database_with_every_row_and_the_audit_chain(
    app,
    empty_database_like,
    tmp_path,  # noqa: F811
):
    one_of_everything()
    db.session.commit()
    before = row_counts()
    assert before["audit_events"] > 0 and before["users"] > 0
    backup = tmp_path / "portal.backup"
    result = app.test_cli_runner().invoke(args=["backup", "create", str(backup)])
    assert result.exit_code == 0, result.output
    assert "Audit trail: whole" in result.output
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600

    restored = make_app(empty_database_like)
    with restored.app_context():
        result = restored.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
        assert result.exit_code == 0, result.output
        assert row_counts() == before
        verdict = verify(db.engine)
        assert verdict.whole and verdict.checked == before["audit_events"]
        # A second restore would mix two databases: it is refused.
        again = restored.test_cli_runner().invoke(args=["backup", "restore", str(backup)])
        assert again.exit_code != 0 and "not empty" in again.output
        db.engine.dispose()
