"""The partnership's calendar: "today" is the date in Europe/London, as every page shows it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func

from app.db_types import utcnow
from app.extensions import db

LOCAL_ZONE = ZoneInfo("Europe/London")


def local_now() -> datetime:
    return utcnow().astimezone(LOCAL_ZONE)


def today() -> date:
    return local_now().date()


def add_working_days(start: date, days: int) -> date:
    """`days` working days (Monday to Friday) after `start`."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def local_month(column):
    """The month ("YYYY-MM") of a UTC timestamp column in the partnership's time zone, in SQL: a
    message sent at 00:30 on 1 October, British Summer Time, belongs to October, not September.
    The dashboard's and the young people's monthly counts both use it."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone(LOCAL_ZONE.key, func.timezone("UTC", column)), "YYYY-MM")
    # SQLite knows no time zones. Summer time (UTC+1) starts on the last Sunday of March and ends
    # on the last Sunday of October, so the last hour of March to September (in UTC) is already
    # the next month, and that of October to February is not: an hour later, or not, tells the
    # month. The stored text starts "YYYY-MM", so the UTC month is read without parsing it.
    hour_on = case((func.substr(column, 6, 2).between("03", "09"), "+1 hours"), else_="+0 hours")
    return func.strftime("%Y-%m", column, hour_on)
