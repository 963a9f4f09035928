"""Reminders about flagged messages that nobody has acted on: every participation lead, once a
day for each message still waiting (a flagged message is never left to a single alert)."""

from __future__ import annotations

from app.dates import today
from app.extensions import db
from app.navigation import path_for
from app.notifications.kinds import Kind
from app.notifications.services import notify
from app.participation.services import alert_recipients, awaiting_action

FLAGGED_WAITING = Kind(
    "flagged_waiting", "A flagged message from a young person is still waiting for action", required=True
)


def reminders() -> int:
    recipients = alert_recipients()
    written = 0
    for feedback in db.session.scalars(awaiting_action()):
        written += len(
            notify(
                FLAGGED_WAITING,
                recipients,
                title=f"Still waiting: message {feedback.id} may show a young person at risk",
                body="Nobody has yet recorded what was done about it.",
                link=path_for("participation.show_feedback", feedback_id=feedback.id),
                once_key=f"flagged:{feedback.id}:{today():%Y%m%d}",
            )
        )
    return written
