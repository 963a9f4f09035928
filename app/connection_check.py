"""A pooled PostgreSQL connection is checked before use when it has been idle a while, not always.

A database server that restarts or fails over, or a firewall that drops idle connections, leaves
the pool holding connections that are dead; the first statement on one would fail. SQLAlchemy's
`pool_pre_ping` checks every connection on every checkout: one more round trip for every request
(a page that reads its user and its rows in two statements paid three), 9-13% of a page's time on
PostgreSQL here.

Here a connection is checked only when it has been back in the pool for CHECK_AFTER_IDLE_SECONDS
or more (config DATABASE_CHECK_AFTER_IDLE_SECONDS): a connection that answered a moment ago is
used as it is. If the check finds it dead, the pool is invalidated (every connection older than now
is replaced on its next checkout, as they will all have gone in a restart) and a new one is opened
for this request, as pool_pre_ping does. The difference: a restart while requests are streaming in
can still fail the few requests that take a connection used within that second, as requests in
flight at that moment fail with either (a 503 that says to try again: app/errors.py).

Not for SQLite: a database file has no server to go away.
"""

from __future__ import annotations

import time

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

IDLE_SINCE = "portal.idle_since"


def check_after_idle(engine: Engine, seconds: float) -> None:
    if engine.dialect.name == "sqlite":
        return
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _back_in_the_pool(dbapi_connection, connection_record) -> None:
        if dbapi_connection is not None:
            connection_record.info[IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_if_idle(dbapi_connection, connection_record, connection_proxy) -> None:
        # A connection just opened has no time here (its record's info is emptied when it is
        # replaced): it needs no check.
        since = connection_record.info.get(IDLE_SINCE)
        if since is None or time.monotonic() - since < seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.InvalidatePoolError() from error
            raise
