"""On PostgreSQL a request reads outside a transaction and begins one at its first write
(app/postgres_reads.py): two round trips fewer for a page that only reads, the same guarantees for
one that writes."""

import pytest
from sqlalchemy import select, text, update

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
