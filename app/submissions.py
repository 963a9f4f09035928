"""One-time form tokens: a double click or a resubmitted form does its work once.

Every form that creates something carries a `submission_token` (app.forms.OneTimeForm). The view
calls `first_use(form)` before doing the work: the first time it records the token (in the same
transaction as the work) and returns None; a repeat returns the first submission, whose
`result_url` says where its result is, so the user is told "already saved" and shown it.
Two identical requests in flight at once collide on the token's primary key; the loser is run
again (app.errors.dispatch_with_retry) and then finds the winner's row.
"""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class Submission(db.Model):
    __tablename__ = "submissions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    result_url: Mapped[str] = mapped_column(String(300), default="")


def first_use(form, user=None) -> Submission | None:
    """None if this form's token is new (and is now recorded); else the earlier submission."""
    token = form.submission_token.data
    earlier = db.session.get(Submission, token)
    if earlier is not None:
        return earlier
    db.session.add(Submission(token=token, user_id=getattr(user, "id", None)))
    db.session.flush()
    return None


def record_result(form, url: str) -> None:
    """Remember where the result of this submission is, for a repeat of it."""
    submission = db.session.get(Submission, form.submission_token.data)
    if submission is not None:
        submission.result_url = url[:300]


def already_saved(earlier: Submission, fallback_url: str, message: str = "That was already saved."):
    flash(message, "success")
    return redirect(earlier.result_url or fallback_url, 303)
