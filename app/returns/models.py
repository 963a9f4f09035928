"""Return periods, each agency's return for a period, and every move of a return through review.

The domain's words are defined here once: a period's status (upcoming, open, closed) from its
dates, a return's status and what an agency user or a reviewer sees of it (not started, draft,
submitted, accepted, returned, overdue), and compliance: the share of appointments fully checked
before they started.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import AGENCY_KIND_LABELS, Agency, User
from app.dates import today
from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.locking import Versioned
from app.returns.questions import COUNT, CURRENT_VERSION, DATE, questions_for


class PeriodStatus(StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


PERIOD_STATUS_LABELS = {
    PeriodStatus.UPCOMING: "Upcoming",
    PeriodStatus.OPEN: "Open",
    PeriodStatus.CLOSED: "Closed",
}


class ReturnStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


# What the partnership view shows for an agency in a period: the return's status, or one of these.
NOT_STARTED = "not_started"
OVERDUE = "overdue"
STATUS_LABELS = {
    NOT_STARTED: "Not started",
    ReturnStatus.DRAFT: "Draft",
    ReturnStatus.SUBMITTED: "Submitted",
    ReturnStatus.ACCEPTED: "Accepted",
    ReturnStatus.RETURNED: "Returned for amendment",
    OVERDUE: "Overdue",
}
STATUS_TAGS = {
    NOT_STARTED: "govuk-tag--grey",
    ReturnStatus.DRAFT: "govuk-tag--light-blue",
    ReturnStatus.SUBMITTED: "govuk-tag--blue",
    ReturnStatus.ACCEPTED: "govuk-tag--green",
    ReturnStatus.RETURNED: "govuk-tag--orange",
    OVERDUE: "govuk-tag--red",
}
# The agency may change its answers (and submit) only in these.
EDITABLE = frozenset({ReturnStatus.DRAFT, ReturnStatus.RETURNED})
# Still the agency's to finish: overdue once the due date has passed.
OUTSTANDING = frozenset({ReturnStatus.DRAFT, ReturnStatus.RETURNED})


class Rating(StrEnum):
    COMPLIANT = "compliant"
    PARTLY = "partly_compliant"
    NOT_COMPLIANT = "not_compliant"


RATING_LABELS = {
    Rating.COMPLIANT: "Compliant",
    Rating.PARTLY: "Partly compliant",
    Rating.NOT_COMPLIANT: "Not compliant",
}


def display_status(status: str | None, due_on: date) -> str:
    """One agency's state in a period, as every list shows it: overdue wins while it is the
    agency's to finish after the due date."""
    if (status is None or status in OUTSTANDING) and due_on < today():
        return OVERDUE
    return status or NOT_STARTED


def compliance_percent(answers: dict[str, Any]) -> int | None:
    """% of appointments fully checked before they started; None when there were none."""
    total, fully = answers.get("appointments"), answers.get("fully_checked")
    if not isinstance(total, int) or total <= 0 or not isinstance(fully, int):
        return None
    return round(100 * min(fully, total) / total)


class ReturnPeriod(Versioned, db.Model):
    __tablename__ = "return_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    covers_from: Mapped[date] = mapped_column(Date)
    covers_to: Mapped[date] = mapped_column(Date)
    opens_on: Mapped[date] = mapped_column(Date, index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    # Comma-separated agency kinds the period applies to; empty: every agency.
    agency_kinds: Mapped[str] = mapped_column(String(300), default="")
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def kinds(self) -> list[str]:
        return [kind for kind in self.agency_kinds.split(",") if kind]

    @property
    def kinds_label(self) -> str:
        return ", ".join(AGENCY_KIND_LABELS.get(k, k) for k in self.kinds) or "Every agency"

    def applies_to(self, agency: Agency) -> bool:
        return not self.kinds or agency.kind in self.kinds

    @property
    def status(self) -> PeriodStatus:
        if self.closed:
            return PeriodStatus.CLOSED
        return PeriodStatus.UPCOMING if today() < self.opens_on else PeriodStatus.OPEN

    @property
    def status_label(self) -> str:
        return PERIOD_STATUS_LABELS[self.status]

    @property
    def is_open(self) -> bool:
        return self.status == PeriodStatus.OPEN

    @property
    def days_left(self) -> int:
        return (self.due_on - today()).days

    def audit_view(self) -> dict:
        return {
            "name": self.name,
            "covers_from": self.covers_from.isoformat() if self.covers_from else None,
            "covers_to": self.covers_to.isoformat() if self.covers_to else None,
            "opens_on": self.opens_on.isoformat() if self.opens_on else None,
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "agency_kinds": self.agency_kinds,
            "closed": self.closed,
        }


class Return(Versioned, db.Model):
    """One agency's return for one period. Its answers are a JSON object keyed by the questions of
    its `template_version` (app.returns.questions); counts are whole numbers or absent."""

    __tablename__ = "returns"
    __table_args__ = (UniqueConstraint("agency_id", "period_id", name="uq_returns_agency_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("return_periods.id"), index=True)
    template_version: Mapped[int] = mapped_column(Integer, default=CURRENT_VERSION)
    status: Mapped[str] = mapped_column(String(20), default=ReturnStatus.DRAFT, index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comments: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Kept beside the answers so lists can show and sort by it without reading every answer.
    compliance: Mapped[int | None] = mapped_column(Integer)
    self_rating: Mapped[str] = mapped_column(String(20), default="")
    moderated_rating: Mapped[str] = mapped_column(String(20), default="")
    return_reason: Mapped[str] = mapped_column(Text, default="")
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency] = relationship()
    period: Mapped[ReturnPeriod] = relationship()

    @property
    def questions(self):
        return questions_for(self.template_version, self.agency.kind)

    @property
    def answer_values(self) -> dict[str, Any]:
        """The answers as Python values (dates are stored as ISO text in the JSON)."""
        values = dict(self.answers or {})
        for question in questions_for(self.template_version):
            if question.kind == DATE and isinstance(values.get(question.key), str):
                values[question.key] = date.fromisoformat(values[question.key])
        return values

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def shown_status(self) -> str:
        return display_status(self.status, self.period.due_on)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.shown_status]

    @property
    def self_rating_label(self) -> str:
        return RATING_LABELS.get(self.self_rating, "Not given")

    @property
    def moderated_rating_label(self) -> str:
        return RATING_LABELS.get(self.moderated_rating, "Not moderated yet")

    def audit_view(self) -> dict:
        counts = {
            q.key: self.answers.get(q.key) for q in questions_for(self.template_version) if q.kind == COUNT
        }
        return {
            "agency_id": self.agency_id,
            "period_id": self.period_id,
            "status": self.status,
            "self_rating": self.self_rating,
            "moderated_rating": self.moderated_rating,
            "compliance": self.compliance,
            **counts,
        }


class ReturnTransition(db.Model):
    __tablename__ = "return_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor: Mapped[User] = relationship()

    @property
    def to_label(self) -> str:
        return STATUS_LABELS.get(self.to_status, self.to_status)
