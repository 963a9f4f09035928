"""Notifications and each person's choice of email for each kind."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class Email(StrEnum):
    NOT_WANTED = "not_wanted"
    PENDING = "pending"
    SENT = "sent"
    LOGGED = "logged"  # no mail server configured: written to the log instead


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(200))
    # What the email says too: never a young person's words or anything a mailbox should not hold.
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Reminders are sent once per item and stage: the key says which ("action:12:overdue").
    once_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    email: Mapped[str] = mapped_column(String(12), default=Email.NOT_WANTED, index=True)
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    email_error: Mapped[str] = mapped_column(String(300), default="")
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EmailChoice(db.Model):
    """A person's choice for one kind of notification: in the portal only, or by email as well."""

    __tablename__ = "notification_choices"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    by_email: Mapped[bool] = mapped_column(Boolean)
