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


def test_0007_keeps_the_rag_makes_status_a_stage_and_dates_each_challenge(empty_database_url):
    """on_track / at_risk / off_track become in_progress (the RAG keeps how it is going), on
    actions and in their history; each challenge is due ten working days after it was raised; the
    downgrade gives each action back the old word its RAG stood for."""
    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="0006_indexes")
        raised = "2026-11-20 23:30:00"  # Friday 20 November in UTC, the same day in London
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO agencies (id, name, kind, district, active, created_at, lock_version)"
                    " VALUES (1, 'Police', 'police', '', true, :now, 1)"
                ),
                {"now": raised},
            )
            connection.execute(
                text(
                    "INSERT INTO users (id, email, full_name, agency_id, role, active, created_at,"
                    " lock_version)"
                    " VALUES (1, 'trust@example.test', 'Trust', 1, 'trust_member', true, :now, 1)"
                ),
                {"now": raised},
            )
            for action_id, status, rag in (
                (1, "on_track", "green"),
                (2, "at_risk", "amber"),
                (3, "off_track", "red"),
                (4, "complete", "green"),
                (5, "not_started", "amber"),
            ):
                connection.execute(
                    text(
                        "INSERT INTO actions (id, title, description, owner_agency_id, owner_name, due_date,"
                        " percent_complete, status, rag, weight, evidence, source, review, return_reason,"
                        " created_at, updated_at, lock_version) VALUES (:id, 'A', '', 1, '', '2027-01-01',"
                        " 0, :status, :rag, 1, '', 'partnership', 'accepted', '', :now, :now, 1)"
                    ),
                    {"id": action_id, "status": status, "rag": rag, "now": raised},
                )
                connection.execute(
                    text(
                        "INSERT INTO progress_updates (action_id, note, rag_before, rag_after, rag_reason,"
                        " percent_before, percent_after, status_after, created_by_id, created_at)"
                        " VALUES (:id, 'n', 'green', :rag, '', 0, 10, :status, 1, :now)"
                    ),
                    {"id": action_id, "status": status, "rag": rag, "now": raised},
                )
            connection.execute(
                text(
                    "INSERT INTO challenges (action_id, text, raised_by_id, raised_at, response)"
                    " VALUES (1, 'Why?', 1, :raised, '')"
                ),
                {"raised": raised},
            )

        upgrade(revision="0007_actions_loop")
        with db.engine.connect() as connection:
            statuses = connection.execute(text("SELECT id, status, rag FROM actions ORDER BY id")).all()
            history = connection.execute(
                text("SELECT action_id, status_after FROM progress_updates ORDER BY action_id")
            ).all()
            due = connection.scalar(text("SELECT response_due FROM challenges"))
        assert [tuple(row) for row in statuses] == [
            (1, "in_progress", "green"),
            (2, "in_progress", "amber"),
            (3, "in_progress", "red"),
            (4, "complete", "green"),
            (5, "not_started", "amber"),
        ]
        assert [row[1] for row in history] == [
            "in_progress",
            "in_progress",
            "in_progress",
            "complete",
            "not_started",
        ]
        assert str(due) == "2026-12-04"  # ten working days after Friday 20 November

        downgrade(revision="0006_indexes")
        with db.engine.connect() as connection:
            statuses = connection.execute(text("SELECT status FROM actions ORDER BY id")).scalars().all()
            history = (
                connection.execute(text("SELECT status_after FROM progress_updates ORDER BY action_id"))
                .scalars()
                .all()
            )
            columns = {c["name"] for c in inspect(connection).get_columns("challenges")}
        assert statuses == history == ["on_track", "at_risk", "off_track", "complete", "not_started"]
        assert "response_due" not in columns
        db.engine.dispose()


def test_0012_links_existing_events_and_the_database_refuses_to_change_or_delete_one(empty_database_url):
    """Events recorded before the chain existed are linked in the order they were recorded; from
    then on the database itself refuses UPDATE and DELETE on audit_events, except filling an
    event's empty chain columns."""
    from sqlalchemy.exc import DBAPIError

    from app.audit.chain import verify

    app = make_app(empty_database_url)
    with app.app_context():
        upgrade(revision="0009_participation")
        with db.engine.begin() as connection:
            for n in (1, 2, 3):
                connection.execute(
                    text(
                        "INSERT INTO audit_events (occurred_at, actor_label, action, object_type, summary)"
                        " VALUES (:when, 'admin@example.test', 'agency.update', 'agencies', :summary)"
                    ),
                    {"when": f"2026-11-0{n} 10:00:00.123456", "summary": f"Change {n}"},
                )
        upgrade()
        verdict = verify(db.engine)
        assert verdict.whole and verdict.checked == 3
        for statement in (
            "UPDATE audit_events SET summary = 'Nothing happened' WHERE id = 2",
            "UPDATE audit_events SET hash = NULL WHERE id = 2",
            "DELETE FROM audit_events WHERE id = 3",
        ):
            with pytest.raises(DBAPIError), db.engine.begin() as connection:
                connection.execute(text(statement))
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO audit_events (occurred_at, actor_label, action, object_type, summary)"
                    " VALUES ('2026-11-05 10:00:00', 'x', 'agency.update', 'agencies', 'New')"
                )
            )
            connection.execute(
                text("UPDATE audit_events SET chain_seq = 4, prev_hash = 'p', hash = 'h' WHERE id = 4")
            )
            with pytest.raises(DBAPIError), connection.begin_nested():
                connection.execute(text("UPDATE audit_events SET summary = 'Changed' WHERE id = 4"))
        downgrade(revision="0009_participation")
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_events WHERE id = 3"))
        db.engine.dispose()
