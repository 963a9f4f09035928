"""Counting the SQL statements a request runs: the suite's one helper for query budgets."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db


@contextmanager
def counted_queries(app):
    """`with counted_queries(app) as statements: ...` collects every statement run meanwhile."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def count_queries(app, request) -> int:
    """How many statements `request()` runs (it must answer 200)."""
    with counted_queries(app) as statements:
        response = request()
    assert response.status_code == 200, response.status_code
    return len(statements)
