"""Home-page panel for participation leads and admins: every flagged message nobody has acted on,
with how long it has waited, and how many new messages there are."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from flask import url_for
from sqlalchemy import func, literal, select, true

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
    new, urgent = _new_and_urgent()
    items = [
        PanelItem(
            f"Urgent: message {feedback_id} may show a young person at risk, waiting {waited(received_at)}",
            url_for("participation.show_feedback", feedback_id=feedback_id),
        )
        for feedback_id, received_at in urgent
    ]
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


URGENT_LISTED = 20


def _new_and_urgent() -> tuple[int, list[tuple[int, datetime]]]:
    """How many messages are new (not flagged), and the flagged ones nobody has acted on (the
    oldest URGENT_LISTED, oldest first), in one statement: the count rides on every row of the
    waiting messages, outer-joined to one row so that it comes back when none is waiting. The panel
    stays live (it says how long each has waited), so this runs on every home page it is on."""
    rows = db.session.execute(_new_and_urgent_statement()).all()
    return rows[0][0], [(row.id, row.received_at) for row in rows if row.id is not None]


@lru_cache(maxsize=1)
def _new_and_urgent_statement():
    """Built once (it has no parameters): building it cost more than running it."""
    waiting = (
        awaiting_action().with_only_columns(Feedback.id, Feedback.received_at).limit(URGENT_LISTED).subquery()
    )
    new = (
        select(func.count(Feedback.id))
        .where(Feedback.triage == Triage.NEW, Feedback.flagged.is_(False))
        .scalar_subquery()
    )
    one_row = select(literal(1).label("one")).subquery()
    return (
        select(new, waiting.c.id, waiting.c.received_at)
        .select_from(one_row.outerjoin(waiting, true()))
        .order_by(waiting.c.received_at, waiting.c.id)
    )
