"""Publishing briefings, reading them, and who has read them. The caller commits."""

from __future__ import annotations

from sqlalchemy import exists, func, select

from app.audit import record
from app.auth.models import Agency, AgencyKind, Role, User
from app.briefings import permissions
from app.briefings.models import Briefing, BriefingRead
from app.errors import RuleBroken
from app.extensions import db
from app.sanitize import render_markdown

ROLE_VALUES = {str(role) for role in Role}
KIND_VALUES = {str(kind) for kind in AgencyKind}


def _packed(values: list[str]) -> str:
    return "," + ",".join(sorted(set(values))) + "," if values else ""


def publish_briefing(*, user, title: str, body: str, roles: list[str], kinds: list[str]) -> Briefing:
    permissions.PUBLISH.require(user)
    if not title.strip():
        raise RuleBroken("Enter a title", field="title")
    html = render_markdown(body)
    if not html.strip():
        raise RuleBroken("Enter the briefing", field="body")
    if set(roles) - ROLE_VALUES:
        raise RuleBroken("Choose roles from the list", field="roles")
    if set(kinds) - KIND_VALUES:
        raise RuleBroken("Choose kinds of agency from the list", field="kinds")
    briefing = Briefing(
        title=title.strip(),
        body_html=html,
        audience_roles=_packed(roles),
        audience_kinds=_packed(kinds),
        published_by_id=user.id,
    )
    db.session.add(briefing)
    db.session.flush()
    record("briefing.publish", briefing, after=briefing.audit_view())
    from app.briefings.notices import tell_audience

    tell_audience(briefing)
    return briefing


def _agency_kind(user):
    return select(Agency.kind).where(Agency.id == user.agency_id).scalar_subquery()


def visible_briefings(user):
    stmt = select(Briefing).order_by(Briefing.published_at.desc(), Briefing.id.desc())
    return permissions.briefings_for(stmt, user, _agency_kind(user))


def unread_briefings(user, limit: int = 5):
    """The briefings for this user they have not yet read: one query."""
    read = exists().where(BriefingRead.briefing_id == Briefing.id, BriefingRead.user_id == user.id)
    return db.session.scalars(
        permissions.briefings_for(
            select(Briefing).where(~read).order_by(Briefing.published_at.desc()), user, _agency_kind(user)
        ).limit(limit)
    ).all()


def mark_read(briefing: Briefing, *, user) -> bool:
    """True if this is the first time the user read it (reading twice is not an error)."""
    permissions.READ.require(user)
    if db.session.get(BriefingRead, (briefing.id, user.id)) is not None:
        return False
    db.session.add(BriefingRead(briefing_id=briefing.id, user_id=user.id))
    db.session.flush()
    record("briefing.read", briefing)
    return True


def reads_by_agency(briefing: Briefing) -> list[tuple[str, int]]:
    """How many people in each agency have read the briefing, most first."""
    return db.session.execute(
        select(Agency.name, func.count(BriefingRead.user_id))
        .join(User, User.agency_id == Agency.id)
        .join(BriefingRead, BriefingRead.user_id == User.id)
        .where(BriefingRead.briefing_id == briefing.id)
        .group_by(Agency.name)
        .order_by(func.count(BriefingRead.user_id).desc(), Agency.name)
    ).all()


def read_counts(briefing_ids: list[int]) -> dict[int, int]:
    if not briefing_ids:
        return {}
    return dict(
        db.session.execute(
            select(BriefingRead.briefing_id, func.count(BriefingRead.user_id))
            .where(BriefingRead.briefing_id.in_(briefing_ids))
            .group_by(BriefingRead.briefing_id)
        ).all()
    )
