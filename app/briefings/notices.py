"""Telling a briefing's audience that it has been published."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import Agency, User
from app.briefings.models import Briefing
from app.extensions import db
from app.navigation import path_for
from app.notifications.kinds import Kind
from app.notifications.services import notify

NEW_BRIEFING = Kind("briefing", "A briefing is published for you", email_by_default=False)


def audience_of(briefing: Briefing) -> list[User]:
    stmt = select(User).join(Agency, Agency.id == User.agency_id).where(User.active.is_(True))
    if briefing.roles:
        stmt = stmt.where(User.role.in_(briefing.roles))
    if briefing.kinds:
        stmt = stmt.where(Agency.kind.in_(briefing.kinds))
    return db.session.scalars(stmt).all()


def tell_audience(briefing: Briefing) -> int:
    return len(
        notify(
            NEW_BRIEFING,
            audience_of(briefing),
            title=f"Briefing: {briefing.title}",
            link=path_for("briefings.show_briefing", briefing_id=briefing.id),
        )
    )
