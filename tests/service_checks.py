"""Helpers for calling services directly (tests/<feature>/test_services.py).

A refused change must raise exactly the shared error that says why (app.errors) and must write
nothing: `refused(RuleBroken)` checks both. The services leave the commit to the caller, so
"nothing written" means nothing the service put in the session before refusing: whatever it added
or changed is flushed, and every table must read as it did before the call. `lock_version` is left
out of the comparison: claiming a version is part of the attempt and is rolled back with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from app.audit.models import AuditEvent
from app.extensions import db


def database_rows() -> dict[str, list[tuple]]:
    """Every row of every table, as text, in primary-key order (the test databases are tiny)."""
    rows = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name != "lock_version"]
        result = db.session.execute(select(*columns).order_by(*table.primary_key.columns))
        rows[table.name] = [tuple(repr(value) for value in row) for row in result]
    return rows


@contextmanager
def refused(error: type[Exception], match: str | None = None) -> Iterator[pytest.ExceptionInfo]:
    """The block raises exactly `error` (not a subclass or a sibling) and leaves the database as it
    was: no new rows, no changed rows, no audit event."""
    before = database_rows()
    with pytest.raises(error, match=match) as caught:
        yield caught
    assert type(caught.value) is error, f"{type(caught.value).__name__} instead of {error.__name__}"
    db.session.flush()
    after = database_rows()
    changed = {name for name in before if before[name] != after[name]}
    assert changed == set(), f"a refused change wrote to {sorted(changed)}"


def audit_actions() -> list[str]:
    """The audit trail's actions, oldest first."""
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def count_queries(work: Callable[[], object]) -> int:
    statements = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)
