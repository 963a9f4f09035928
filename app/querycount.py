"""For `make bench`: with PORTAL_COUNT_QUERIES=1 each response says how many SQL statements it ran
(`X-Query-Count`). Off otherwise; the test suite counts queries its own way (tests/querycount.py)."""

from __future__ import annotations

from flask import Flask, g
from sqlalchemy import event
from sqlalchemy.engine import Engine


def init_query_count(app: Flask) -> None:
    def count(*_args, **_kwargs) -> None:
        try:
            g.portal_queries = g.get("portal_queries", 0) + 1
        except RuntimeError:  # outside a request (the CLI)
            pass

    event.listen(Engine, "before_cursor_execute", count)

    @app.after_request
    def say_how_many(response):
        response.headers["X-Query-Count"] = str(g.get("portal_queries", 0))
        return response
