"""The improvement programme's data: the programme, its projects, the partnership's actions, their
progress updates (every RAG change with a reason) and challenges.

The domain's words are defined here once: RAG and its order, finished, overdue and due soon (as
properties for one action and as SQL for queries), a challenge's response date and when it is late,
each against the partnership's today. `app.programme` shows the programme and manages its
projects; it reads these models.

Two words a board reads side by side, kept apart (RAG_AND_STATUS says it in one line):
- RAG is the owner's confidence that the action will be delivered as planned;
- status is only where the action is in its life: not started, in progress, complete, closed
  (and, before that, proposed: `review`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    case,
    not_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Agency, User
from app.dates import add_working_days, today
from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.locking import Versioned


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def label(self) -> str:
        return RAG_LABELS[self]


RAG_LABELS = {Rag.GREEN: "Green", Rag.AMBER: "Amber", Rag.RED: "Red"}
RAG_DEFINITIONS = {
    Rag.GREEN: "Confident it will be delivered as planned.",
    Rag.AMBER: "Issues or risks that the owner can manage.",
    Rag.RED: "Significant issues needing escalation.",
}
RAG_AND_STATUS = (
    "RAG is how confident you are that the action will be delivered as planned; status is only "
    "where it is in its life: not started, in progress or complete."
)
# How serious each RAG is: the roll-up takes the worst, lists sort red first.
RAG_SEVERITY = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}
RAG_BY_SEVERITY = {severity: rag for rag, severity in RAG_SEVERITY.items()}
DUE_SOON_DAYS = 30


class ActionStatus(StrEnum):
    """Where an accepted action is in its life. How well it is going is its RAG, never its status."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    CLOSED = "closed"


STATUS_LABELS = {
    ActionStatus.NOT_STARTED: "Not started",
    ActionStatus.IN_PROGRESS: "In progress",
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
    """Actions proposed by an agency wait for the programme manager to accept or return them; a
    returned one is edited and sent again, or withdrawn by its agency."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


REVIEW_LABELS = {
    Review.PROPOSED: "Proposed",
    Review.ACCEPTED: "Accepted",
    Review.RETURNED: "Returned to the agency",
    Review.WITHDRAWN: "Withdrawn",
}
# Proposals the agency may still edit, send again or withdraw.
OPEN_PROPOSALS = frozenset({Review.PROPOSED, Review.RETURNED})
# A challenge is answered within this many working days of being raised.
CHALLENGE_RESPONSE_WORKING_DAYS = 10


class Programme(db.Model):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    sponsor_group: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    planned_end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    projects: Mapped[list[Project]] = relationship(back_populates="programme", order_by="Project.number")

    @property
    def status_label(self) -> str:
        return {"active": "In progress", "closed": "Closed"}.get(self.status, self.status)


class Project(Versioned, db.Model):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("programme_id", "number", name="uq_projects_programme_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    aim: Mapped[str] = mapped_column(Text, default="")
    lead_name: Mapped[str] = mapped_column(String(120), default="")
    lead_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The last number given to an action in this project (P12-03 → 3); references are taken by
    # incrementing it in one UPDATE, so parallel requests never get the same one.
    last_action_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    programme: Mapped[Programme] = relationship(back_populates="projects")
    lead_agency: Mapped[Agency | None] = relationship()

    @property
    def code(self) -> str:
        return f"P{self.number:02d}"

    def audit_view(self) -> dict:
        return {
            "number": self.number,
            "title": self.title,
            "aim": self.aim,
            "lead_name": self.lead_name,
            "lead_agency_id": self.lead_agency_id,
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
        }


action_contributors = Table(
    "action_contributors",
    db.metadata,
    Column("action_id", ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agencies.id"), primary_key=True, index=True),
)


class Action(Versioned, db.Model):
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
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

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
        """Its stage: a proposal's review until it is accepted, then its lifecycle status."""
        if self.review != Review.ACCEPTED:
            return REVIEW_LABELS[Review(self.review)]
        return STATUS_LABELS[ActionStatus(self.status)]

    @property
    def rag_label(self) -> str:
        return RAG_LABELS[Rag(self.rag)]

    @property
    def has_rag(self) -> bool:
        """Proposals are not rated: RAG starts when the action is accepted into the programme."""
        return self.review == Review.ACCEPTED

    @property
    def is_open_proposal(self) -> bool:
        return self.review in OPEN_PROPOSALS

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[ActionSource(self.source)]

    @hybrid_property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @is_finished.inplace.expression
    @classmethod
    def _is_finished_expression(cls):
        return cls.status.in_([str(s) for s in FINISHED_STATUSES])

    @hybrid_property
    def is_overdue(self) -> bool:
        """Not finished, and its due date has passed (in the partnership's time zone)."""
        return not self.is_finished and self.due_date < today()

    @is_overdue.inplace.expression
    @classmethod
    def _is_overdue_expression(cls):
        return and_(not_(cls.is_finished), cls.due_date < today())

    @hybrid_property
    def is_due_soon(self) -> bool:
        """Not finished, and due today or within DUE_SOON_DAYS."""
        return not self.is_finished and today() <= self.due_date <= today() + timedelta(days=DUE_SOON_DAYS)

    @is_due_soon.inplace.expression
    @classmethod
    def _is_due_soon_expression(cls):
        return and_(
            not_(cls.is_finished),
            cls.due_date >= today(),
            cls.due_date <= today() + timedelta(days=DUE_SOON_DAYS),
        )

    @hybrid_property
    def rag_severity(self) -> int:
        return RAG_SEVERITY[Rag(self.rag)]

    @rag_severity.inplace.expression
    @classmethod
    def _rag_severity_expression(cls):
        return case({str(rag): severity for rag, severity in RAG_SEVERITY.items()}, value=cls.rag, else_=0)

    @property
    def accepts_updates(self) -> bool:
        """Progress is posted on accepted actions until they are closed."""
        return self.review == Review.ACCEPTED and self.status != ActionStatus.CLOSED

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
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    action: Mapped[Action] = relationship(back_populates="updates")
    created_by: Mapped[User] = relationship()

    @property
    def rag_changed(self) -> bool:
        return self.rag_before != self.rag_after


def default_response_due() -> date:
    return add_working_days(today(), CHALLENGE_RESPONSE_WORKING_DAYS)


class Challenge(db.Model):
    """A Trust member's or programme manager's question about an action, and the owner's answer,
    due within CHALLENGE_RESPONSE_WORKING_DAYS working days."""

    __tablename__ = "challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    response_due: Mapped[date] = mapped_column(Date, default=default_response_due, index=True)
    response: Mapped[str] = mapped_column(Text, default="")
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    action: Mapped[Action] = relationship(back_populates="challenges")
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id])
    responded_by: Mapped[User | None] = relationship(foreign_keys=[responded_by_id])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @hybrid_property
    def is_awaiting_response(self) -> bool:
        """Open, and the owner agency has not answered yet."""
        return self.closed_at is None and self.responded_at is None

    @is_awaiting_response.inplace.expression
    @classmethod
    def _is_awaiting_response_expression(cls):
        return and_(cls.closed_at.is_(None), cls.responded_at.is_(None))

    @hybrid_property
    def is_answered(self) -> bool:
        """Answered, and waiting for whoever raised it to read the answer and close it."""
        return self.closed_at is None and self.responded_at is not None

    @is_answered.inplace.expression
    @classmethod
    def _is_answered_expression(cls):
        return and_(cls.closed_at.is_(None), cls.responded_at.is_not(None))

    @hybrid_property
    def is_overdue(self) -> bool:
        """Still waiting for an answer after its response date (the partnership's today)."""
        return self.is_awaiting_response and self.response_due < today()

    @is_overdue.inplace.expression
    @classmethod
    def _is_overdue_expression(cls):
        return and_(cls.is_awaiting_response, cls.response_due < today())

    @property
    def state_label(self) -> str:
        if self.closed_at:
            return "Closed"
        if self.responded_at:
            return "Answered"
        return "Response overdue" if self.is_overdue else "Awaiting response"
