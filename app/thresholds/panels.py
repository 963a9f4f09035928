"""Home-page panels: acknowledgements an agency still owes, and drafts waiting to be published."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from app.auth.models import Agency, User
from app.extensions import db
from app.home.panels import Panel, PanelItem, register_panel
from app.thresholds.models import AgencyAcknowledgement, ThresholdDocument, ThresholdVersion, VersionStatus
from app.thresholds.permissions import ACKNOWLEDGE, SEE_ACKNOWLEDGEMENTS, WRITE
from app.thresholds.services import outstanding_acknowledgements


@register_panel
def threshold_acknowledgements_panel(user: User) -> Panel | None:
    if not ACKNOWLEDGE.allows(user):
        return None
    items = [
        PanelItem(
            f"Confirm your agency has been briefed on {v.document.title} (version {v.number})",
            url_for(
                "thresholds.show_version", slug=v.document.slug, number=v.number, _anchor="acknowledgement"
            ),
        )
        for v in outstanding_acknowledgements(user.agency_id)
    ]
    return Panel(
        "Thresholds to acknowledge", items, "Your agency has acknowledged every current threshold document."
    )


@register_panel
def threshold_oversight_panel(user: User) -> Panel | None:
    if not SEE_ACKNOWLEDGEMENTS.allows(user):
        return None
    active_agencies = db.session.scalar(select(func.count(Agency.id)).where(Agency.active.is_(True)))
    rows = db.session.execute(
        select(
            ThresholdDocument.slug,
            ThresholdDocument.title,
            ThresholdVersion.number,
            func.count(AgencyAcknowledgement.id),
        )
        .join(ThresholdVersion, ThresholdVersion.document_id == ThresholdDocument.id)
        .outerjoin(AgencyAcknowledgement, AgencyAcknowledgement.version_id == ThresholdVersion.id)
        .where(ThresholdVersion.status == VersionStatus.PUBLISHED)
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
