"""Home-page panels: an agency's outstanding return and the days left (or how overdue it is), and
for reviewers the returns waiting for review. One query each."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import and_, func, select

from app.auth.models import User
from app.dates import today
from app.extensions import db
from app.home.panels import Panel, PanelItem, register_panel
from app.returns import permissions
from app.returns.models import EDITABLE, STATUS_LABELS, Return, ReturnPeriod, ReturnStatus


@register_panel(kept=True)
def returns_panel(user: User) -> Panel | None:
    if permissions.PREPARE.held_by_role(user.role):
        return _agency_panel(user)
    if permissions.REVIEW.allows(user):
        return _review_panel()
    return None


def _days(days_left: int) -> str:
    if days_left < 0:
        return f"overdue by {-days_left} day{'s' if days_left != -1 else ''}"
    if days_left == 0:
        return "due today"
    return f"{days_left} day{'s' if days_left != 1 else ''} left"


def _agency_panel(user: User) -> Panel:
    """Open periods that ask the agency for a return it has not submitted (or that came back)."""
    rows = db.session.execute(
        select(ReturnPeriod, Return.id, Return.status)
        .outerjoin(Return, and_(Return.period_id == ReturnPeriod.id, Return.agency_id == user.agency_id))
        .where(ReturnPeriod.closed.is_(False), ReturnPeriod.opens_on <= today())
        .order_by(ReturnPeriod.due_on)
    ).all()
    items = []
    for period, return_id, status in rows:
        if not period.applies_to(user.agency) or (status is not None and status not in EDITABLE):
            continue
        state = STATUS_LABELS[status].lower() if status else "not started"
        items.append(
            PanelItem(
                f"Your agency’s {period.name} safer-recruitment return ({state}): {_days(period.days_left)}",
                url_for("returns.show_return", return_id=return_id)
                if return_id
                else url_for("returns.list_returns"),
            )
        )
    return Panel(
        "Safer-recruitment returns", items, "Your agency has no safer-recruitment return outstanding."
    )


def _review_panel() -> Panel:
    waiting = db.session.scalar(select(func.count(Return.id)).where(Return.status == ReturnStatus.SUBMITTED))
    items = []
    if waiting:
        items.append(
            PanelItem(
                f"{waiting} safer-recruitment return{'s are' if waiting != 1 else ' is'} waiting for review",
                url_for("returns.list_returns", status=str(ReturnStatus.SUBMITTED)),
                waiting,
            )
        )
    return Panel("Safer-recruitment returns", items, "No safer-recruitment return is waiting for review.")
