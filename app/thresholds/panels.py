"""Home-page panels: a banner asking each member of staff to read a newly published version,
acknowledgements an agency still owes, and, for those who oversee them, who has acknowledged and
which drafts are waiting. Each asks about each document's latest published version: the current
one, or the one scheduled to replace it."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from app.auth.models import Agency, User
from app.extensions import db
from app.home.panels import Panel, PanelItem, register_panel
from app.templating import local_date
from app.thresholds.models import (
    AgencyAcknowledgement,
    ThresholdDocument,
    ThresholdVersion,
    VersionStatus,
    latest_published_versions,
)
from app.thresholds.permissions import ACKNOWLEDGE, SEE_ACKNOWLEDGEMENTS, WRITE
from app.thresholds.services import outstanding_acknowledgements, unread_versions


def _when(version: ThresholdVersion) -> str:
    if version.is_scheduled:
        return f"takes effect on {local_date(version.effective_from)}"
    return f"in effect since {local_date(version.effective_from)}"


@register_panel(kept=True)
def threshold_reading_panel(user: User) -> Panel | None:
    """Every signed-in person (all of them read the thresholds), until they mark it read."""
    items = [
        PanelItem(
            f"Read version {v.number} of {v.document.title} ({_when(v)})",
            url_for(
                "thresholds.show_version", slug=v.document.slug, number=v.number, _anchor="acknowledgement"
            ),
        )
        for v in unread_versions(user)
    ]
    return Panel("New thresholds to read", items, banner=True)  # shown only when it has items


@register_panel(kept=True)
def threshold_acknowledgements_panel(user: User) -> Panel | None:
    if not ACKNOWLEDGE.allows(user):
        return None
    items = [
        PanelItem(
            f"Confirm your agency has been briefed on {v.document.title} (version {v.number})"
            + (f", which {_when(v)}" if v.is_scheduled else ""),
            url_for(
                "thresholds.show_version", slug=v.document.slug, number=v.number, _anchor="acknowledgement"
            ),
        )
        for v in outstanding_acknowledgements(user.agency_id)
    ]
    return Panel(
        "Thresholds to acknowledge", items, "Your agency has acknowledged every current threshold document."
    )


@register_panel(kept=True)
def threshold_oversight_panel(user: User) -> Panel | None:
    if not SEE_ACKNOWLEDGEMENTS.allows(user):
        return None
    active_agencies = db.session.scalar(select(func.count(Agency.id)).where(Agency.active.is_(True)))
    latest = latest_published_versions()
    rows = db.session.execute(
        select(
            ThresholdDocument.slug,
            ThresholdDocument.title,
            ThresholdVersion.number,
            func.count(AgencyAcknowledgement.id),
        )
        .join(ThresholdVersion, ThresholdVersion.document_id == ThresholdDocument.id)
        .join(
            latest,
            (latest.c.document_id == ThresholdVersion.document_id)
            & (latest.c.number == ThresholdVersion.number),
        )
        .outerjoin(AgencyAcknowledgement, AgencyAcknowledgement.version_id == ThresholdVersion.id)
        .group_by(ThresholdDocument.slug, ThresholdDocument.title, ThresholdVersion.number)
        .order_by(ThresholdDocument.title)
    ).all()
    items = [
        PanelItem(
            f"{title} version {number}: {active_agencies - done} of {active_agencies} agencies "
            "have not acknowledged",
            url_for("thresholds.list_acknowledgements", slug=slug, number=number),
        )
        for slug, title, number, done in rows
        if done < active_agencies
    ]
    if WRITE.allows(user):
        drafts = db.session.execute(
            select(ThresholdDocument.slug, ThresholdDocument.title, ThresholdVersion.number)
            .join(ThresholdVersion, ThresholdVersion.document_id == ThresholdDocument.id)
            .where(ThresholdVersion.status == VersionStatus.DRAFT)
            .order_by(ThresholdDocument.title)
        ).all()
        items += [
            PanelItem(
                f"Draft version {number} of {title} is not yet published",
                url_for("thresholds.edit_draft", slug=slug),
            )
            for slug, title, number in drafts
        ]
    return Panel("Thresholds", items, "Every agency has acknowledged the current thresholds.")
