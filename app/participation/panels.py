"""Home-page panel for participation leads and admins: every flagged message nobody has acted on,
with how long it has waited, and how many new messages there are."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from app.auth.models import User
from app.db_types import utcnow
from app.extensions import db
from app.home.panels import Panel, PanelItem, register_panel
from app.participation import permissions
from app.participation.models import Feedback, Triage
from app.participation.services import awaiting_action


def waited(since) -> str:
    minutes = int((utcnow() - since).total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{hours // 24} days"


@register_panel
def feedback_panel(user: User) -> Panel | None:
    if not permissions.READ_FEEDBACK.allows(user):
        return None
    urgent = db.session.scalars(awaiting_action().limit(20)).all()
    items = [
        PanelItem(
            f"Urgent: message {f.id} may show a young person at risk, waiting {waited(f.received_at)}",
            url_for("participation.show_feedback", feedback_id=f.id),
        )
        for f in urgent
    ]
    new = db.session.scalar(
        select(func.count(Feedback.id)).where(Feedback.triage == Triage.NEW, Feedback.flagged.is_(False))
    )
    if new:
        items.append(
            PanelItem(
                f"{new} new message{'s' if new != 1 else ''} from young people to read",
                url_for("participation.triage"),
                new,
            )
        )
    return Panel(
        "Young people's feedback",
        items,
        "No flagged messages are waiting, and every message has been read.",
    )
