"""Partnership actions, their progress updates (every RAG change with a reason) and challenges."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Agency, User
from app.db_types import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:  # imported for typing only: app.programme imports this module
    from app.programme.models import Project


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def label(self) -> str:
        return RAG_LABELS[self]


RAG_LABELS = {Rag.GREEN: "Green", Rag.AMBER: "Amber", Rag.RED: "Red"}
RAG_DEFINITIONS = {
    Rag.GREEN: "On track.",
    Rag.AMBER: "Issues or risks that the owner can manage.",
    Rag.RED: "Significant issues needing escalation.",
}
RAG_SEVERITY = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}


class ActionStatus(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    COMPLETE = "complete"
    CLOSED = "closed"


STATUS_LABELS = {
    ActionStatus.NOT_STARTED: "Not started",
    ActionStatus.ON_TRACK: "On track",
    ActionStatus.AT_RISK: "At risk",
    ActionStatus.OFF_TRACK: "Off track",
    ActionStatus.COMPLETE: "Complete",
    ActionStatus.CLOSED: "Closed",
}
FINISHED_STATUSES = frozenset({ActionStatus.COMPLETE, ActionStatus.CLOSED})


class ActionSource(StrEnum):
    IMPROVEMENT_PROGRAMME = "improvement_programme"
    JAR_ACTION_PLAN = "jar_action_plan"
    INSPECTION = "inspection_recommendation"
    PARTNERSHIP = "partnership"


SOURCE_LABELS = {
    ActionSource.IMPROVEMENT_PROGRAMME: "Improvement programme",
    ActionSource.JAR_ACTION_PLAN: "Joint Area Review action plan",
    ActionSource.INSPECTION: "Inspection recommendation",
    ActionSource.PARTNERSHIP: "Partnership",
}


class Review(StrEnum):
    """Actions proposed by an agency wait for the programme manager to accept or return them."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    RETURNED = "returned"


action_contributors = Table(
    "action_contributors",
    db.metadata,
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agencies.id"), primary_key=True),
)


class Action(db.Model):
    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    owner_name: Mapped[str] = mapped_column(String(120), default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    percent_complete: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.NOT_STARTED, index=True)
    rag: Mapped[str] = mapped_column(String(10), default=Rag.GREEN, index=True)
    weight: Mapped[int] = mapped_column(Integer, default=1)
    evidence: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(40), default=ActionSource.IMPROVEMENT_PROGRAMME)
    review: Mapped[str] = mapped_column(String(20), default=Review.ACCEPTED, index=True)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped by every change: a form based on an older value is a conflict (409), never an overwrite.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    project: Mapped[Project | None] = relationship()
    owner_agency: Mapped[Agency] = relationship()
    contributors: Mapped[list[Agency]] = relationship(secondary=action_contributors, order_by="Agency.name")
    updates: Mapped[list[ProgressUpdate]] = relationship(
        back_populates="action", order_by="ProgressUpdate.created_at.desc()"
    )
    challenges: Mapped[list[Challenge]] = relationship(
        back_populates="action", order_by="Challenge.raised_at"
    )

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[ActionStatus(self.status)]

    @property
    def rag_label(self) -> str:
        return RAG_LABELS[Rag(self.rag)]

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[ActionSource(self.source)]

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    def is_overdue(self, today: date) -> bool:
        return not self.is_finished and self.due_date < today

    def audit_view(self) -> dict:
        return {
            "reference": self.reference,
            "project_id": self.project_id,
            "title": self.title,
            "owner_agency_id": self.owner_agency_id,
            "owner_name": self.owner_name,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "percent_complete": self.percent_complete,
            "status": self.status,
            "rag": self.rag,
            "weight": self.weight,
            "review": self.review,
        }


class ProgressUpdate(db.Model):
    __tablename__ = "progress_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    note: Mapped[str] = mapped_column(Text)
    rag_before: Mapped[str] = mapped_column(String(10))
    rag_after: Mapped[str] = mapped_column(String(10))
    rag_reason: Mapped[str] = mapped_column(Text, default="")
    percent_before: Mapped[int] = mapped_column(Integer)
    percent_after: Mapped[int] = mapped_column(Integer)
    status_after: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The form's one-time token: a double click or resubmitted form makes one update, not two.
    submission_token: Mapped[str] = mapped_column(String(64), unique=True)

    action: Mapped[Action] = relationship(back_populates="updates")
    created_by: Mapped[User] = relationship()

    @property
    def rag_changed(self) -> bool:
        return self.rag_before != self.rag_after


class Challenge(db.Model):
    """A Trust member's or programme manager's question about an action, and the owner's answer."""

    __tablename__ = "challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    response: Mapped[str] = mapped_column(Text, default="")
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    action: Mapped[Action] = relationship(back_populates="challenges")
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id])
    responded_by: Mapped[User | None] = relationship(foreign_keys=[responded_by_id])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def state_label(self) -> str:
        if self.closed_at:
            return "Closed"
        return "Answered" if self.responded_at else "Awaiting response"
