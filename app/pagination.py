"""Paginating list pages: two queries (count and page) however many rows there are."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app, request
from sqlalchemy import func, literal_column, select

from app.extensions import db
from app.report_cache import remember

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


def paginate(
    stmt,
    *,
    per_page: int | None = None,
    keep_count: bool = False,
    count_at_most: int | None = None,
    counted=None,
):
    """A page of `stmt`'s rows. `keep_count`: the total is kept until shared data changes
    (kept_count), for lists whose every change writes an audit event. `count_at_most`: rows are
    counted only up to that many, for a list that grows without end (the audit trail), and
    `page.more` says there are more; the page links then reach that far. `counted`: the same rows
    as `stmt`, asked for in a way that suits counting them (see rarely_true)."""
    page = db.paginate(
        stmt,
        page=page_arg(),
        per_page=per_page or current_app.config["PAGE_SIZE"],
        max_per_page=100,
        error_out=False,
        count=not (keep_count or count_at_most),
    )
    page.more = False
    if keep_count:
        page.total = kept_count(stmt)
    elif count_at_most:
        limited = (stmt if counted is None else counted).order_by(None).limit(count_at_most + 1).subquery()
        found = db.session.scalar(select(func.count()).select_from(limited))
        page.total, page.more = min(found, count_at_most), found > count_at_most
    return page


def rarely_true(condition):
    """`condition`, said to be true of few rows. SQLite's planner knows only how many rows each
    value of an index has on average, so it may read the whole table where a few values are rare
    (the kinds of audit event that are not sign-ins); told so, it looks them up in the index.
    PostgreSQL knows each value's frequency and is told nothing."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.likelihood(condition, literal_column("0.0625"))  # a constant, as SQLite asks
    return condition


def distinct_values(column, *where) -> list:
    """The column's values, each once, in order: one step into its index for each value (a loose
    index scan), where SELECT DISTINCT would read every row. For an indexed column with few
    values in a big table (the audit trail's kinds of event)."""
    steps = select(func.min(column).label("value")).where(*where).cte("steps", recursive=True)
    following = select(func.min(column)).where(*where, column > steps.c.value).scalar_subquery()
    steps = steps.union_all(select(following).where(steps.c.value.is_not(None)))
    return list(db.session.scalars(select(steps.c.value).where(steps.c.value.is_not(None))))


def kept_count(stmt) -> int:
    """How many rows `stmt` gives, kept in this process until the next audit event
    (app.report_cache). The key is the statement itself, its SQL and its values (the person's
    agency, the filters, today's date), so each scope and filter has its own count; it is the key
    SQLAlchemy caches compiled statements by, as its dogpile caching example does."""
    counting = select(func.count()).select_from(stmt.order_by(None).subquery())
    cache_key = counting._generate_cache_key()
    if cache_key is None:
        return db.session.scalar(counting)
    values = tuple(_hashable(p.effective_value) for p in cache_key.bindparams)
    return remember("list-count", (cache_key.key, values), lambda: db.session.scalar(counting))


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def like_pattern(text: str) -> str:
    """A case-insensitive LIKE pattern that treats % and _ in the user's text literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
