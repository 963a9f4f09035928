"""What the returns tell people: a return sent back for amendment (with the reason), and
reminders of returns due within 7 days or overdue.

`return_returned` is called by the service in the event's transaction. `reminders()` is run daily
by `flask reminders send`; each reminder goes once per return and stage (and again only if the due
date moves).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select

from app.auth.models import Agency, User
from app.dates import today
from app.extensions import db
from app.navigation import path_for
from app.notifications.kinds import Kind
from app.notifications.services import notify
from app.returns.models import OUTSTANDING, Return, ReturnPeriod

RETURN_RETURNED = Kind("return_returned", "Your agency's safer-recruitment return is returned for amendment")
RETURN_DUE = Kind("return_due", "Your agency's safer-recruitment return is due within 7 days, or overdue")
REMINDER_DAYS = 7


def _leads_of(agency_ids: set[int]) -> dict[int, list[User]]:
    """Each agency's active staff who answer for its returns (TOLD_ABOUT_OWN_RETURNS)."""
    from app.returns.permissions import TOLD_ABOUT_OWN_RETURNS

    if not agency_ids:
        return {}
    roles = [str(role) for role in TOLD_ABOUT_OWN_RETURNS.roles]
    users = db.session.scalars(
        select(User)
        .where(User.agency_id.in_(agency_ids), User.active.is_(True), User.role.in_(roles))
        .order_by(User.full_name)
    ).all()
    by_agency: dict[int, list[User]] = {}
    for user in users:
        by_agency.setdefault(user.agency_id, []).append(user)
    return by_agency


def return_returned(ret: Return) -> None:
    notify(
        RETURN_RETURNED,
        _leads_of({ret.agency_id}).get(ret.agency_id, []),
        title=f"Your {ret.period.name} safer-recruitment return is returned for amendment",
        body=f"The reviewer's reason: {ret.return_reason}",
        link=path_for("returns.show_return", return_id=ret.id),
    )


def reminders() -> int:
    """Open periods due within REMINDER_DAYS or overdue: every agency they apply to whose return
    is not started, a draft or returned. Returns how many notifications were written."""
    day = today()
    periods = db.session.scalars(
        select(ReturnPeriod).where(
            ReturnPeriod.closed.is_(False),
            ReturnPeriod.opens_on <= day,
            ReturnPeriod.due_on <= day + timedelta(days=REMINDER_DAYS),
        )
    ).all()
    written = 0
    for period in periods:
        rows = db.session.execute(
            select(Agency.id, Return.id)
            .outerjoin(Return, (Return.agency_id == Agency.id) & (Return.period_id == period.id))
            .where(
                Agency.active.is_(True),
                or_(Return.id.is_(None), Return.status.in_([str(s) for s in OUTSTANDING])),
            )
            .where(Agency.kind.in_(period.kinds) if period.kinds else Agency.id.is_not(None))
        ).all()
        leads = _leads_of({agency_id for agency_id, _ in rows})
        overdue = period.due_on < day
        stage = "overdue" if overdue else "due-soon"
        title = (
            f"Your {period.name} safer-recruitment return is overdue: it was due on {period.due_on:%-d %B}"
            if overdue
            else f"Your {period.name} safer-recruitment return is due on {period.due_on:%-d %B}"
        )
        for agency_id, return_id in rows:
            link = (
                path_for("returns.show_return", return_id=return_id)
                if return_id
                else path_for("returns.list_returns")
            )
            written += len(
                notify(
                    RETURN_DUE,
                    leads.get(agency_id, []),
                    title=title,
                    link=link,
                    once_key=f"return:{period.id}:{agency_id}:{period.due_on:%Y%m%d}:{stage}",
                )
            )
    return written
