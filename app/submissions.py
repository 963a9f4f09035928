"""One-time form tokens: a double click or a resubmitted form does its work once.

Every form that creates something carries a `submission_token` (app.forms.OneTimeForm). The view
calls `first_use(form)` before doing the work: the first time it records the token (in the same
transaction as the work) and returns None; a repeat returns the first submission, whose
`result_url` says where its result is, so the user is told "already saved" and shown it.
The token is recorded by one INSERT that does nothing if the token is there already (ON CONFLICT
DO NOTHING): a first use costs that one statement, a repeat one more to read the earlier
submission. Of two identical requests in flight at once, the second one's INSERT waits for the
first one's transaction (PostgreSQL's unique index; SQLite's one writer at a time): if that
commits, the second finds its row and says "already saved"; if it rolls back, the second goes on.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from flask import flash, redirect
from sqlalchemy import ForeignKey, String, bindparam, update
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime, insert_unless_there, utcnow
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
    recorded = db.session.scalar(
        _record_statement(db.session.get_bind().dialect.name),
        {"token": token, "user_id": getattr(user, "id", None), "created_at": utcnow()},
    )
    if recorded is not None:
        return None
    return db.session.get(Submission, token, populate_existing=True)


@lru_cache(maxsize=2)
def _record_statement(dialect: str):
    """The INSERT that records a token unless it is there, for `dialect`: built once, as every form
    post runs it and building it cost more than running it."""
    return (
        insert_unless_there(db.session, Submission)
        .values(token=bindparam("token"), user_id=bindparam("user_id"), created_at=bindparam("created_at"))
        .values(result_url="")
        .on_conflict_do_nothing(index_elements=[Submission.token])
        .returning(Submission.token)
    )


def record_result(form, url: str) -> None:
    """Remember where the result of this submission is, for a repeat of it."""
    db.session.execute(
        update(Submission)
        .where(Submission.token == form.submission_token.data)
        .values(result_url=url[:300])
        .execution_options(synchronize_session=False)
    )


def already_saved(earlier: Submission, fallback_url: str, message: str = "That was already saved."):
    flash(message, "success")
    return redirect(earlier.result_url or fallback_url, 303)
