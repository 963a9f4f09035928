"""Migration 0005 on a database holding thresholds written before it: versions get the day they
took effect, superseded ones are told apart by date, sections B and C hold the levels and pathways,
and every version is in the search index. Its downgrade gives back what 0004 stored."""

import os
from datetime import datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.extensions import db
from config import normalise_database_url
from tests.conftest import DATABASES, make_app


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migration-0005.sqlite3'}"
        return
    server_url = make_url(normalise_database_url(os.environ["TEST_DATABASE_URL"]))
    name = f"portal_thresholds_migration_{os.getpid()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


ROWS_BEFORE_0005 = [
    "INSERT INTO threshold_documents (id, slug, title, is_public, created_at) "
    "VALUES (1, 'doc', 'Pathway to Provision', true, '2026-01-01 09:00:00')",
    # Version 1 superseded in June, version 2 published then (late evening UTC: the next day in
    # London in summer), version 3 a draft.
    "INSERT INTO threshold_versions (id, document_id, number, status, summary_of_amendments, created_at, "
    "updated_at, published_at, superseded_at, lock_version) VALUES "
    "(1, 1, 1, 'superseded', 'First version.', '2026-01-01 09:00:00', '2026-01-01 09:00:00', "
    "'2026-01-02 10:00:00', '2026-06-30 23:30:00', 1), "
    "(2, 1, 2, 'published', 'The MASH is the front door.', '2026-06-01 09:00:00', '2026-06-01 09:00:00', "
    "'2026-06-30 23:30:00', NULL, 1), "
    "(3, 1, 3, 'draft', '', '2026-07-01 09:00:00', '2026-07-01 09:00:00', NULL, NULL, 1)",
    "INSERT INTO threshold_sections (id, version_id, position, code, title, body_source, body_html) VALUES "
    "(1, 2, 0, 'A', 'A continuum of need', 'Needs **change**.', '<p>Needs <strong>change</strong>.</p>'), "
    "(2, 2, 1, 'B', 'Levels of need', '', ''), "
    "(3, 2, 2, 'C', 'Referral pathways', '', ''), "
    "(4, 2, 3, 'D', 'More pathways', '', '')",
    "INSERT INTO need_levels (id, version_id, level, title, description_source, description_html, "
    "response_source, response_html, contact_source, contact_html) VALUES "
    "(1, 2, 3, 'Targeted early help', '', '', '', '', 'The MASH.', '<p>The MASH.</p>')",
    "INSERT INTO need_indicators (id, need_level_id, domain, position, text) VALUES "
    "(1, 1, 'development', 0, 'Self-harming behaviour')",
    "INSERT INTO pathways (id, version_id, position, concern, level, title, steps_source, steps_html, "
    "service_name, contact_phone, contact_email) VALUES "
    "(1, 2, 0, 'Domestic violence', 3, 'Standard or medium risk', '1. Complete a DASH.', "
    "'<ol><li>Complete a DASH.</li></ol>', 'Outreach', '0808 800 0340', '')",
]


def rows(sql):
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def test_0005_backfills_dates_sections_and_the_search_index_and_unwinds(database_url):
    app = make_app(database_url)
    with app.app_context():
        upgrade(revision="0004_rulebook")
        with db.engine.begin() as connection:
            for statement in ROWS_BEFORE_0005:
                connection.execute(text(statement))
        upgrade(revision="0005_thresholds_search")

        versions = rows("SELECT number, status, effective_from FROM threshold_versions ORDER BY number")
        assert [(n, s, str(d) if d else None) for n, s, d in versions] == [
            (1, "published", "2026-01-02"),
            (2, "published", "2026-07-01"),  # 23:30 UTC on 30 June is 1 July in London
            (3, "draft", None),
        ]
        assert rows("SELECT code, shows FROM threshold_sections ORDER BY position") == [
            ("A", ""),
            ("B", "levels"),
            ("C", "pathways"),
            ("D", ""),  # the first section about pathways holds them, not a second
        ]
        entries = rows(
            "SELECT version_id, kind, label, anchor, text, search_text FROM threshold_search_entries "
            "WHERE version_id = 2 ORDER BY position"
        )
        assert [e[1:4] for e in entries] == [
            ("document", "Pathway to Provision", ""),
            ("amendments", "Key amendments in version 2", "amendments"),
            ("section", "A. A continuum of need", "section-a"),
            ("section", "B. Levels of need", "section-b"),
            ("section", "C. Referral pathways", "section-c"),
            ("section", "D. More pathways", "section-d"),
            ("level", "Level 3: Targeted early help", "level-3"),
            ("level", "Level 3: Targeted early help – who to contact", "level-3-contact"),
            ("indicator", "Level 3: Targeted early help", "level-3"),
            ("pathway", "Domestic violence, level 3", "pathway-0"),
        ]
        assert entries[2][4:] == ("Needs change.", " a continuum of need need chang ")
        assert entries[8][5] == " self harm behaviour "
        assert entries[9][4] == "Standard or medium risk. 1. Complete a DASH."
        assert {v for (v,) in rows("SELECT DISTINCT version_id FROM threshold_search_entries")} == {1, 2, 3}

        downgrade(revision="0004_rulebook")
        versions = rows("SELECT number, status, superseded_at FROM threshold_versions ORDER BY number")
        assert [(n, s) for n, s, _ in versions] == [(1, "superseded"), (2, "published"), (3, "draft")]
        superseded_at = versions[0][2]
        if isinstance(superseded_at, str):  # SQLite hands back text
            superseded_at = datetime.fromisoformat(superseded_at)
        assert superseded_at == datetime(2026, 6, 30, 23, 30)
        upgrade()
        db.engine.dispose()
