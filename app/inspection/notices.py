"""Telling attendees when their own inspection schedule changes."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.navigation import path_for
from app.notifications.kinds import Kind
from app.notifications.services import notify

SCHEDULE_CHANGED = Kind("inspection_schedule", "Your inspection schedule changes")

# What an attendee needs to hear about: when and where, and whether it still happens.
NOTICEABLE = ("day", "starts_at", "ends_at", "location", "status", "title")


def tell_attendees(activity, *, before: dict | None, earlier_users: set[int], now_users: set[int]) -> None:
    after = activity.audit_view()
    added = now_users - earlier_users
    removed = earlier_users - now_users
    moved = before is not None and any(before.get(k) != after.get(k) for k in NOTICEABLE)
    told = (now_users if moved else added) | removed
    if not told:
        return
    users = db.session.scalars(select(User).where(User.id.in_(told))).all()
    link = path_for("inspection.show_my_schedule")
    when = f"{activity.day:%A %-d %B} {activity.slot}, {activity.location or 'place to be confirmed'}"
    for user in users:
        if user.id in removed:
            title = f"You are no longer needed at \u201c{activity.title}\u201d"
        elif user.id in added:
            title = f"You are asked to attend \u201c{activity.title}\u201d"
        else:
            title = f"Changed: \u201c{activity.title}\u201d"
        notify(SCHEDULE_CHANGED, [user], title=title, body=when, link=link)
