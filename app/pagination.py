"""Paginating list pages: two queries (count and page) however many rows there are."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app, request

from app.extensions import db

MAX_ID = 2**31 - 1  # the largest id or page number a query will be asked about
MAX_PAGE = 100_000
# Date filters outside these years are mistakes; year 9999 would also overflow date arithmetic.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def bounded_int(value, *, upper: int = MAX_ID) -> int | None:
    """A whole number from a query string or form within 1..upper, else None (never a 500)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= upper else None


def bounded_date(value) -> date | None:
    """A YYYY-MM-DD date from a query string within EARLIEST_DATE..LATEST_DATE, else None."""
    try:
        parsed = datetime.strptime(value, "%Y-%m-%d").date()
    except (TypeError, ValueError):
        return None
    return parsed if EARLIEST_DATE <= parsed <= LATEST_DATE else None


def int_arg(name: str, *, upper: int = MAX_ID) -> int | None:
    return bounded_int(request.args.get(name), upper=upper)


def page_arg() -> int:
    return int_arg("page", upper=MAX_PAGE) or 1


def paginate(stmt, *, per_page: int | None = None):
    return db.paginate(
        stmt,
        page=page_arg(),
        per_page=per_page or current_app.config["PAGE_SIZE"],
        max_per_page=100,
        error_out=False,
    )


def like_pattern(text: str) -> str:
    """A case-insensitive LIKE pattern that treats % and _ in the user's text literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
