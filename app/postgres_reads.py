"""On PostgreSQL, a page's reads run outside a transaction; its first write begins one.

psycopg, like every DB-API driver, opens a transaction before a connection's first statement: a
`BEGIN` round trip, and a `ROLLBACK` round trip when the request hands the connection back. A page
that reads its user and its rows in one or two statements paid two more round trips for them, on
every request. SQLite's driver has always done otherwise: it begins a transaction only before the
first INSERT, UPDATE or DELETE, and the portal's pages were written for that.

So a connection checked out by a web request starts in psycopg's autocommit mode, and goes back to
transactions just before its first statement that is not a plain SELECT (a write, a SAVEPOINT, a
locking read, a server-side cursor's DECLARE). From there on it is as before: the writes, the
audit events and the hash chain's lock (app/audit/chain.py) commit or roll back together.

Nothing that reads changes meaning. PostgreSQL runs at READ COMMITTED, where each statement of a
transaction already sees the data as it was when that statement began, not when the transaction
did; a statement on its own sees the same. Plain SELECTs take no locks that a transaction would
have kept. Optimistic versions (`lock_version`) and row locks taken by UPDATE do the guarding, and
they run inside the transaction.

Only inside a request (migrations and commands keep the driver's default) and only for PostgreSQL.
POSTGRES_READS_OUTSIDE_TRANSACTIONS = False turns it off.
"""

from __future__ import annotations

import re

from flask import current_app, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

READING = "portal.reading_outside_a_transaction"
# A statement that only reads: SELECT (or VALUES/SHOW), not FOR UPDATE/SHARE, not SELECT ... INTO.
_PLAIN_READ = re.compile(r"\s*(?:SELECT|VALUES|SHOW)\b", re.IGNORECASE)
_LOCKS_OR_WRITES = re.compile(
    r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE|KEY\s+SHARE)\b|\bINTO\b", re.IGNORECASE
)


def plain_read(statement: str) -> bool:
    return bool(_PLAIN_READ.match(statement)) and not _LOCKS_OR_WRITES.search(statement)


def _wanted(engine: Engine) -> bool:
    return (
        engine.dialect.name == "postgresql"
        and has_request_context()
        and current_app.config.get("POSTGRES_READS_OUTSIDE_TRANSACTIONS", True)
    )


@event.listens_for(Engine, "engine_connect")
def _reads_first(connection) -> None:
    """A connection handed to a request reads outside a transaction until its first write."""
    if not _wanted(connection.engine) or connection.info.get(READING) or connection.in_transaction():
        return
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.autocommit and dbapi_connection.info.transaction_status == _idle():
        dbapi_connection.autocommit = True
        connection.info[READING] = True


@event.listens_for(Engine, "before_cursor_execute")
def _begin_before_writing(conn, cursor, statement: str, parameters, context, executemany) -> None:
    if not conn.info.get(READING):
        return
    if plain_read(statement) and not _server_side(cursor):
        return
    conn.info.pop(READING)
    conn.connection.dbapi_connection.autocommit = False  # this statement begins the transaction


@event.listens_for(Pool, "checkin")
def _as_the_driver_left_it(dbapi_connection, connection_record) -> None:
    """Back in the pool (rolled back, so idle): transactions again, as any other user expects."""
    if connection_record is not None and connection_record.info.pop(READING, False):
        if dbapi_connection is not None and not dbapi_connection.closed:
            dbapi_connection.autocommit = False


def _idle():
    from psycopg.pq import TransactionStatus

    return TransactionStatus.IDLE


def _server_side(cursor) -> bool:
    """A named cursor (yield_per on PostgreSQL) DECLAREs itself: that needs a transaction."""
    from psycopg import ServerCursor

    return isinstance(cursor, ServerCursor)
