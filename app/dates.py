"""The partnership's calendar: "today" is the date in Europe/London, as every page shows it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.db_types import utcnow

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
