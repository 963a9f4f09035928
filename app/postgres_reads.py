"""On PostgreSQL, a page's reads run outside a transaction; its first write begins one.

psycopg, like every DB-API driver, opens a transaction before a connection's first statement: a
`BEGIN` round trip, and a `ROLLBACK` round trip when the request hands the connection back. A page
that reads its user and its rows in one or two statements paid two more round trips for them, on
every request. SQLite's driver has always done otherwise: it begins a transaction only before the
first INSERT, UPDATE or DELETE, and the portal's pages were written for that.

So a connection checked out by a web request starts in psycopg's autocommit mode, and goes back to
transactions just before its first statement that is not a plain read (a write, a SAVEPOINT, a SET,
a locking read, a server-side cursor's DECLARE, a function that locks, notifies or sets). From there
on it is as before: the writes, the audit events and the hash chain's lock (app/audit/chain.py)
commit or roll back together.

Nothing that reads changes meaning, at READ COMMITTED: each statement of such a transaction already
sees the data as it was when that statement began, not when the transaction did, and a statement on
its own sees the same. So it applies only where the connection runs at READ COMMITTED (the server's
default and the portal's): never to a connection asked for another isolation level (REPEATABLE
READ, SERIALIZABLE or AUTOCOMMIT, by the engine, by execution options or by the server's
`default_transaction_isolation`). A read's share lock on its table ends with the read instead of
with the request, which lets nothing through that a row lock would stop. Optimistic versions
(`lock_version`) and the row locks taken by UPDATE do the guarding, inside the transaction. One
difference: a read that fails (a statement timeout, say) no longer spoils the transaction for the
statements after it, as it would inside one; the request's writes still all commit or all roll
back.

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
SERVER_READ_COMMITTED = "portal.server_default_is_read_committed"
# A statement that only reads: one SELECT (or VALUES/SHOW), not FOR UPDATE/SHARE, not SELECT INTO,
# calling no function that locks, notifies, sets or moves a sequence.
_PLAIN_READ = re.compile(r"\s*(?:SELECT|VALUES|SHOW)\b", re.IGNORECASE)
_NOT_ONLY_READING = re.compile(
    r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE|KEY\s+SHARE)\b|\bINTO\b|;"
    r"|\b(?:pg_(?:try_)?advisory\w*|set_config|pg_notify|nextval|setval|txid_current|pg_current_xact_id"
    r"|lo_\w+|dblink\w*)\s*\(",
    re.IGNORECASE,
)


def plain_read(statement: str) -> bool:
    return bool(_PLAIN_READ.match(statement)) and not _NOT_ONLY_READING.search(statement.rstrip().rstrip(";"))


def _wanted(connection) -> bool:
    return (
        connection.engine.dialect.name == "postgresql"
        and has_request_context()
        and current_app.config.get("POSTGRES_READS_OUTSIDE_TRANSACTIONS", True)
        and "isolation_level" not in connection.get_execution_options()
    )


@event.listens_for(Pool, "connect")
def _note_the_servers_isolation(dbapi_connection, connection_record) -> None:
    """Once per new PostgreSQL connection: is the server's default isolation READ COMMITTED?"""
    if type(dbapi_connection).__module__.split(".")[0] != "psycopg":
        return
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    try:
        level = dbapi_connection.execute("SHOW default_transaction_isolation").fetchone()[0]
    finally:
        dbapi_connection.autocommit = autocommit
    connection_record.info[SERVER_READ_COMMITTED] = level == "read committed"


def _read_committed(dbapi_connection, info) -> bool:
    from psycopg import IsolationLevel

    level = dbapi_connection.isolation_level
    if level is None:  # the server's default
        return bool(info.get(SERVER_READ_COMMITTED))
    return level == IsolationLevel.READ_COMMITTED


@event.listens_for(Engine, "engine_connect")
def _reads_first(connection) -> None:
    """A connection handed to a request reads outside a transaction until its first write."""
    if not _wanted(connection) or connection.info.get(READING) or connection.in_transaction():
        return
    dbapi_connection = connection.connection.dbapi_connection
    if (
        not dbapi_connection.autocommit
        and dbapi_connection.info.transaction_status == _idle()
        and _read_committed(dbapi_connection, connection.info)
    ):
        dbapi_connection.autocommit = True
        connection.info[READING] = True


@event.listens_for(Engine, "before_cursor_execute")
def _begin_before_writing(conn, cursor, statement: str, parameters, context, executemany) -> None:
    if not conn.info.get(READING):
        return
    if "isolation_level" in conn.get_execution_options():
        # Asked for since (AUTOCOMMIT, say): SQLAlchemy has set the driver as it was asked.
        conn.info.pop(READING)
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
