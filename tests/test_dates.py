"""The partnership's calendar in SQL: months in Europe/London time, on SQLite as on PostgreSQL."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import literal, select

from app.dates import LOCAL_ZONE, local_month
from app.db_types import UTCDateTime
from app.extensions import db


def _month_in_sql(moment: datetime) -> str:
    return db.session.scalar(select(local_month(literal(moment, UTCDateTime))))


def _at(*when) -> datetime:
    return datetime(*when, tzinfo=UTC)


def test_a_month_starts_at_local_midnight_in_summer_and_in_winter(app):
    with app.app_context():
        assert _month_in_sql(_at(2026, 9, 30, 23, 30)) == "2026-10", "00:30 BST on 1 October"
        assert _month_in_sql(_at(2026, 10, 31, 23, 30)) == "2026-10", "23:30 GMT on 31 October"
        assert _month_in_sql(_at(2026, 3, 31, 23, 30)) == "2026-04", "summer time began on 29 March"
        assert _month_in_sql(_at(2026, 12, 31, 23, 30)) == "2026-12"


def test_every_month_boundary_of_three_years_agrees_with_python(app):
    moments = []
    for year in (2025, 2026, 2027):
        for month in range(1, 13):
            moments += [_at(year, month, 1) + timedelta(minutes=30 * step) for step in range(-4, 5)]
    with app.app_context():
        found = {moment: _month_in_sql(moment) for moment in moments}
    expected = {moment: moment.astimezone(LOCAL_ZONE).strftime("%Y-%m") for moment in moments}
    assert found == expected
    assert len(moments) == 324
