"""What threshold documents tell people: a new version is published (every member of staff is
asked to read it), and agency leads who have not acknowledged it after 14 days are reminded."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.dates import today
from app.extensions import db
from app.navigation import path_for
from app.notifications.kinds import Kind
from app.notifications.services import notify
from app.thresholds.models import ThresholdVersion
from app.thresholds.permissions import ACKNOWLEDGE

VERSION_PUBLISHED = Kind(
    "thresholds_published", "A new version of the thresholds of need is published", email_by_default=False
)
ACKNOWLEDGEMENT_DUE = Kind(
    "acknowledgement_due", "Your agency has still to confirm its staff were briefed on the thresholds"
)
ACKNOWLEDGE_WITHIN_DAYS = 14


def version_published(version: ThresholdVersion) -> None:
    """Everyone reads the thresholds: every active account is told, in the portal (and by email
    only if they asked for it)."""
    staff = db.session.scalars(select(User).where(User.active.is_(True))).all()
    when = "" if version.effective_from <= today() else f", in effect from {version.effective_from:%-d %B %Y}"
    notify(
        VERSION_PUBLISHED,
        staff,
        title=f"Version {version.number} of {version.document.title} is published{when}",
        body=version.summary_of_amendments[:1000],
        link=path_for("thresholds.show_version", slug=version.document.slug, number=version.number),
    )


def reminders() -> int:
    """Agency leads whose agency has not acknowledged a version published 14 or more days ago."""
    from app.thresholds.services import outstanding_for_agencies

    cutoff = today() - timedelta(days=ACKNOWLEDGE_WITHIN_DAYS)
    roles = [str(role) for role in ACKNOWLEDGE.roles]
    leads = db.session.scalars(select(User).where(User.active.is_(True), User.role.in_(roles))).all()
    outstanding = outstanding_for_agencies({u.agency_id for u in leads})
    written = 0
    for lead in leads:
        for version in outstanding.get(lead.agency_id, []):
            if version.published_at is None or version.published_at.date() > cutoff:
                continue
            link = path_for("thresholds.show_version", slug=version.document.slug, number=version.number)
            written += len(
                notify(
                    ACKNOWLEDGEMENT_DUE,
                    [lead],
                    title=f"Confirm your staff have been briefed on {version.document.title}, "
                    f"version {version.number}",
                    link=link,
                    once_key=f"acknowledge:{version.id}:{lead.agency_id}",
                )
            )
    return written
