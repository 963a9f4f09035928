"""SQLite writers take turns through a lock file, instead of sleeping in SQLite's busy handler.

SQLite lets one connection write at a time. A writer that finds the database locked sleeps in
SQLite's busy handler for 1, 2, 5, 10 ... then 100 ms at a time before it looks again, so under
many parallel writes the lock is often free while every waiter sleeps, and an unlucky one waits
half a second or more (p95 of 300-650 ms for 16 clients posting, against 160-180 ms this way).

Here a connection takes its turn just before its transaction's first INSERT, UPDATE or DELETE,
and gives it back as soon as that transaction commits or rolls back:
- within a process, threads queue on a lock (they sleep until it is theirs, without polling);
- between processes (gunicorn's workers), the thread at the front holds an exclusive flock on
  `<database>-writers.lock`, looking again every half millisecond at most while another process
  has it.
Reads never wait (WAL: readers do not block the writer). After BUSY_SECONDS a writer gives up as
SQLite would: "database is locked" (a 503).

Only for SQLite database files; PostgreSQL has row locks of its own.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_SECONDS = 15  # as PRAGMA busy_timeout in app.extensions
FIRST_WAIT, LONGEST_WAIT = 0.0001, 0.0005
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")

_queues: dict[str, threading.Lock] = {}  # one per database file: this process's writers queue
_queues_lock = threading.Lock()


def _queue_for(path: str) -> threading.Lock:
    with _queues_lock:
        return _queues.setdefault(path, threading.Lock())


class TakingTurnsConnection(sqlite3.Connection):
    """A sqlite3 connection that holds the writers' lock from its first write to commit or
    rollback. Used as sqlite3.connect(factory=...) for database files (app.create_app)."""

    _lock_fd: int | None = None
    _queue: threading.Lock | None = None
    _holding = False

    def hold_writers_lock(self) -> None:
        if self._holding:
            return
        if self._lock_fd is None:
            path = _database_file(self)
            if path is None:
                return
            self._queue = _queue_for(path)
            self._lock_fd = os.open(f"{path}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
        give_up = time.monotonic() + BUSY_SECONDS
        if not self._queue.acquire(timeout=BUSY_SECONDS):
            raise sqlite3.OperationalError("database is locked")
        try:
            _flock(self._lock_fd, give_up)
        except BaseException:
            self._queue.release()
            raise
        self._holding = True

    def _let_go(self) -> None:
        if self._holding:
            self._holding = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            self._queue.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._let_go()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._let_go()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._let_go()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None


def _database_file(connection: sqlite3.Connection) -> str | None:
    """The main database file's path; None for an in-memory database."""
    return connection.execute("PRAGMA database_list").fetchone()[2] or None


def _flock(fd: int, give_up: float) -> None:
    wait = FIRST_WAIT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > give_up:
                raise sqlite3.OperationalError("database is locked") from None
            time.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT)


@event.listens_for(Engine, "before_cursor_execute")
def _writers_take_turns(conn, cursor, statement: str, parameters, context, executemany) -> None:
    dbapi_connection = conn.connection.dbapi_connection
    if isinstance(dbapi_connection, TakingTurnsConnection) and statement.lstrip()[:7].upper().startswith(
        WRITES
    ):
        dbapi_connection.hold_writers_lock()


def taking_turns(engine_options: dict, database_uri: str) -> dict:
    """The engine options with SQLite file connections taking turns to write."""
    if not database_uri.startswith("sqlite") or database_uri in ("sqlite://", "sqlite:///:memory:"):
        return engine_options
    connect_args = {**engine_options.get("connect_args", {}), "factory": TakingTurnsConnection}
    return {**engine_options, "connect_args": connect_args}
