"""On PostgreSQL a request reads outside a transaction and begins one at its first write
(app/postgres_reads.py): two round trips fewer for a page that only reads, the same guarantees for
one that writes."""

import pytest
from sqlalchemy import func, select, text, update

from app.auth.models import Agency
from app.extensions import db
from app.postgres_reads import plain_read
from tests.factories import make_agency


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT users.id FROM users WHERE users.id = %(pk_1)s",
        "  select max(audit_events.id) from audit_events",
        "SELECT (SELECT count(*) FROM users) AS anon_1",
    ],
)
def test_plain_selects_are_reads(statement):
    assert plain_read(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO agencies (name) VALUES (%(name)s)",
        "UPDATE audit_chain SET seq=(audit_chain.seq + 1) RETURNING audit_chain.seq",
        "DELETE FROM submissions",
        "SAVEPOINT sa_savepoint_1",
        "SET LOCAL lock_timeout = '10s'",
        "SELECT actions.id FROM actions WHERE actions.id = 1 FOR UPDATE",
        "SELECT actions.id FROM actions FOR NO KEY UPDATE",
        "SELECT agencies.id FROM agencies FOR SHARE",
        "SELECT * INTO copy_of_agencies FROM agencies",
        "WITH moved AS (UPDATE actions SET rag = 'red' RETURNING id) SELECT id FROM moved",
        "SELECT pg_advisory_xact_lock(42)",
        "SELECT pg_try_advisory_lock(42)",
        "SELECT set_config('statement_timeout', '1s', true)",
        "SELECT pg_notify('portal', 'changed')",
        "SELECT nextval('actions_id_seq')",
        "SELECT 1; UPDATE agencies SET name = 'x'",
    ],
)
def test_writes_locks_and_everything_else_are_not(statement):
    assert not plain_read(statement)


@pytest.fixture
def postgresql(app, database):
    if database != "postgresql":
        pytest.skip("PostgreSQL's transactions only: SQLite's driver already begins at the first write")
    return app


def _state():
    from psycopg.pq import TransactionStatus

    status = db.session.connection().connection.dbapi_connection.info.transaction_status
    return {TransactionStatus.IDLE: "idle", TransactionStatus.INTRANS: "in a transaction"}[status]


def test_a_requests_reads_run_outside_a_transaction_and_its_first_write_begins_one(postgresql):
    agency_id = make_agency(name="Bassetlaw Youth Service").id
    named = select(Agency.name).where(Agency.id == agency_id)
    db.session.remove()
    with postgresql.test_request_context("/", method="POST"):
        assert db.session.scalar(named) == "Bassetlaw Youth Service"
        assert _state() == "idle", "no BEGIN was sent for a read"
        db.session.execute(update(Agency).where(Agency.id == agency_id).values(name="Renamed"))
        assert _state() == "in a transaction"
        db.session.rollback()
        assert db.session.scalar(named) == "Bassetlaw Youth Service", (
            "a rolled-back write is undone: the write ran inside a transaction"
        )
        db.session.remove()


def test_a_locking_read_begins_the_transaction_it_needs(postgresql):
    agency_id = make_agency().id
    db.session.remove()
    with postgresql.test_request_context("/"):
        db.session.scalar(select(Agency).where(Agency.id == agency_id).with_for_update())
        assert _state() == "in a transaction"
        db.session.remove()


def test_writes_commit_together_and_the_connection_goes_back_to_the_pool_as_it_came(postgresql):
    agency_id = make_agency().id
    db.session.remove()
    with postgresql.test_request_context("/"):
        db.session.execute(update(Agency).where(Agency.id == agency_id).values(name="First"))
        db.session.execute(update(Agency).where(Agency.id == agency_id).values(name="Second"))
        db.session.commit()
        db.session.remove()
    assert db.session.scalar(select(Agency.name).where(Agency.id == agency_id)) == "Second"
    db.session.remove()

    with postgresql.test_request_context("/"):
        db.session.scalar(select(Agency.name).where(Agency.id == agency_id))
        used = db.session.connection().connection.dbapi_connection
        assert used.autocommit, "a request that only read was outside a transaction throughout"
        db.session.remove()
    # Back in the pool, for commands and migrations too: the driver's default, a transaction
    # from the first statement.
    assert used.autocommit is False


def test_it_can_be_turned_off(postgresql):
    postgresql.config["POSTGRES_READS_OUTSIDE_TRANSACTIONS"] = False
    db.session.remove()
    with postgresql.test_request_context("/"):
        db.session.execute(text("SELECT 1"))
        assert _state() == "in a transaction"
        db.session.remove()


def test_a_connection_asked_for_another_isolation_level_keeps_it(postgresql):
    db.session.remove()
    with postgresql.test_request_context("/"):
        repeatable = db.engine.execution_options(isolation_level="REPEATABLE READ")
        with repeatable.connect() as connection:
            connection.execute(text("SELECT 1"))
            assert connection.connection.dbapi_connection.autocommit is False, "one snapshot for the whole"


def test_autocommit_asked_for_inside_a_request_is_honoured(postgresql):
    agency_id = make_agency(name="Before").id
    db.session.remove()
    with postgresql.test_request_context("/"), db.engine.connect() as connection:
        autocommitting = connection.execution_options(isolation_level="AUTOCOMMIT")
        autocommitting.execute(text("SELECT 1"))
        autocommitting.execute(update(Agency).where(Agency.id == agency_id).values(name="After"))
    # Not committed by anyone: kept only because AUTOCOMMIT was honoured.
    assert db.session.scalar(select(Agency.name).where(Agency.id == agency_id)) == "After"


def test_an_audited_change_after_reads_commits_with_its_event_and_chain_link(postgresql):
    from app.audit.chain import verify
    from app.audit.models import AuditEvent
    from app.audit.services import record

    agency_id = make_agency(name="Newark Family Hub").id
    events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    db.session.remove()
    with postgresql.test_request_context("/"):
        agency = db.session.get(Agency, agency_id)
        assert _state() == "idle"
        agency.name = "Newark and Sherwood Family Hub"
        record("agency.update", agency, before={"name": "Newark Family Hub"}, summary="Renamed")
        db.session.rollback()
        db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events_before, (
        "rolled back whole"
    )
    with postgresql.test_request_context("/"):
        agency = db.session.get(Agency, agency_id)
        agency.name = "Newark and Sherwood Family Hub"
        record("agency.update", agency, before={"name": "Newark Family Hub"}, summary="Renamed")
        db.session.commit()
        db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events_before + 1
    assert db.session.get(Agency, agency_id).name == "Newark and Sherwood Family Hub"
    assert verify(db.engine).whole


@pytest.mark.parametrize(
    "engine_options",
    [
        {"isolation_level": "REPEATABLE READ"},
        {"connect_args": {"options": "-c default_transaction_isolation=serializable"}},
    ],
    ids=["the engine's", "the server's default"],
)
def test_a_stricter_isolation_level_for_every_connection_is_kept(postgresql, database_urls, engine_options):
    from tests.conftest import make_app

    strict = make_app(database_urls["postgresql"], SQLALCHEMY_ENGINE_OPTIONS=engine_options)
    try:
        with strict.test_request_context("/"):
            db.session.execute(text("SELECT 1"))
            assert _state() == "in a transaction", "one snapshot for the whole request"
            db.session.remove()
    finally:
        with strict.app_context():
            db.engine.dispose()
