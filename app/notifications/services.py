"""Writing notifications (with the event, in its transaction) and delivering their emails."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import current_app, has_request_context, url_for
from sqlalchemy import func, select, update

from app.auth.models import User
from app.db_types import utcnow
from app.errors import NotAllowed
from app.extensions import db
from app.mail import mail_configured, send_mail
from app.notifications.kinds import KINDS, Kind
from app.notifications.models import Email, EmailChoice, Notification

log = logging.getLogger(__name__)


def wants_email(users: list[User], kind: Kind) -> dict[int, bool]:
    """Each user's choice for this kind (their own, or the kind's default), in one query."""
    if kind.required:
        return {u.id: True for u in users}
    chosen = dict(
        db.session.execute(
            select(EmailChoice.user_id, EmailChoice.by_email).where(
                EmailChoice.kind == kind.name, EmailChoice.user_id.in_([u.id for u in users])
            )
        ).all()
    )
    return {u.id: chosen.get(u.id, kind.email_by_default) for u in users}


def notify(
    kind: Kind,
    recipients: Iterable[User],
    *,
    title: str,
    link: str,
    body: str = "",
    once_key: str | None = None,
) -> list[Notification]:
    """Tell each active recipient, in the portal and by email if they want it. Call it in the same
    transaction as the event, so the notification exists exactly when the event does. With a
    once_key (one per recipient), a notification already sent is not sent again."""
    users = [u for u in {u.id: u for u in recipients}.values() if u.active]
    if not users:
        return []
    if once_key is not None:
        keys = {u.id: f"{once_key}:{u.id}"[:120] for u in users}
        sent = set(
            db.session.scalars(select(Notification.once_key).where(Notification.once_key.in_(keys.values())))
        )
        users = [u for u in users if keys[u.id] not in sent]
    email = wants_email(users, kind)
    made = []
    for user in users:
        notification = Notification(
            recipient_id=user.id,
            kind=kind.name,
            title=title[:200],
            body=body,
            link=link[:300],
            once_key=keys[user.id] if once_key is not None else None,
            email=Email.PENDING if email[user.id] else Email.NOT_WANTED,
        )
        db.session.add(notification)
        made.append(notification)
    db.session.flush()
    return made


def deliver_emails(limit: int = 200) -> tuple[int, int]:
    """Email waiting notifications, oldest first; one the mail server refuses stays waiting for
    the next run. Each is committed alone, so a failure never undoes another's success. Without a
    mail server, each is written to the log instead (never twice)."""
    sent = failed = 0
    waiting = db.session.scalars(
        select(Notification)
        .where(Notification.email == Email.PENDING)
        .order_by(Notification.created_at, Notification.id)
        .limit(limit)
    ).all()
    recipients = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_({n.recipient_id for n in waiting})))
    }
    for notification in waiting:
        user = recipients[notification.recipient_id]
        notification.email_attempts += 1
        link = _absolute(notification.link)
        text = f"Dear {user.full_name},\n\n{notification.title}.\n\n{notification.body}\n\n{link}\n".replace(
            "\n\n\n", "\n\n"
        )
        if not mail_configured():
            log.info("Email to %s (no mail server configured): %s %s", user.email, notification.title, link)
            notification.email, notification.emailed_at = Email.LOGGED, utcnow()
            sent += 1
        elif send_mail(to=user.email, subject=notification.title, body=text):
            notification.email, notification.emailed_at, notification.email_error = Email.SENT, utcnow(), ""
            sent += 1
        else:
            notification.email_error = "The mail server did not accept it; it will be tried again."
            failed += 1
        db.session.commit()
    return sent, failed


def _absolute(link: str) -> str:
    if not link or link.startswith("http"):
        return link
    base = current_app.config.get("PORTAL_URL") or (
        url_for("home.index", _external=True).rstrip("/") if has_request_context() else ""
    )
    return f"{base}{link}"


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.recipient_id == user.id, Notification.read_at.is_(None)
        )
    )


def mine(user: User):
    """This user's notifications, newest first (a select): nobody reads another's."""
    return (
        select(Notification)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def mark_read(notification: Notification, *, user: User) -> None:
    if notification.recipient_id != user.id:
        raise NotAllowed("This notification is someone else's.")
    if notification.read_at is None:
        notification.read_at = utcnow()


def mark_all_read(user: User) -> int:
    return db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    ).rowcount


def save_email_choices(user: User, choices: dict[str, bool]) -> None:
    """Store the user's choice for every kind they may choose (required kinds are not theirs)."""
    existing = {
        c.kind: c for c in db.session.scalars(select(EmailChoice).where(EmailChoice.user_id == user.id))
    }
    for name, by_email in choices.items():
        kind = KINDS.get(name)
        if kind is None or kind.required:
            continue
        choice = existing.get(name) or EmailChoice(user_id=user.id, kind=name)
        choice.by_email = by_email
        db.session.add(choice)
