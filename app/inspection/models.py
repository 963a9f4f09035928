"""Inspection readiness: the framework and its grade descriptors, the partnership's
self-assessment with its versions, the evidence library and checklist, and the inspectors'
schedule of activities."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Agency, User
from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.locking import Versioned


class Grade(StrEnum):
    OUTSTANDING = "outstanding"
    GOOD = "good"
    ADEQUATE = "adequate"
    INADEQUATE = "inadequate"

    @property
    def label(self) -> str:
        return self.value.capitalize()


GRADE_LABELS = {grade.value: grade.label for grade in Grade}
GRADE_TAG = {"outstanding": "green", "good": "turquoise", "adequate": "yellow", "inadequate": "red"}


class Framework(Versioned, db.Model):
    """The inspection the partnership is preparing for, and when its fieldwork starts."""

    __tablename__ = "inspection_frameworks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    fieldwork_starts_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    areas: Mapped[list[JudgementArea]] = relationship(
        back_populates="framework", order_by="JudgementArea.position"
    )

    def audit_view(self) -> dict:
        starts = self.fieldwork_starts_on.isoformat() if self.fieldwork_starts_on else None
        return {"name": self.name, "fieldwork_starts_on": starts}


area_actions = Table(
    "inspection_area_actions",
    db.metadata,
    Column("area_id", ForeignKey("inspection_areas.id", ondelete="CASCADE"), primary_key=True),
    Column("action_id", ForeignKey("actions.id"), primary_key=True, index=True),
)


class JudgementArea(Versioned, db.Model):
    """One judgement area (leadership and management…) with the partnership's current
    self-assessment of it; every consolidation also keeps an AssessmentVersion."""

    __tablename__ = "inspection_areas"
    __table_args__ = (UniqueConstraint("framework_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("inspection_frameworks.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    # The consolidated self-assessment, as last saved by the programme manager.
    grade: Mapped[str | None] = mapped_column(String(20))
    strengths: Mapped[str] = mapped_column(Text, default="")
    areas_for_development: Mapped[str] = mapped_column(Text, default="")
    assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    framework: Mapped[Framework] = relationship(back_populates="areas")
    descriptors: Mapped[list[GradeDescriptor]] = relationship(
        back_populates="area", order_by="GradeDescriptor.position"
    )
    actions = relationship("Action", secondary=area_actions, order_by="Action.reference")

    @property
    def grade_label(self) -> str:
        return GRADE_LABELS.get(self.grade or "", "Not yet judged")

    @property
    def status(self) -> str:
        if self.grade is None:
            return "Not started"
        if not (self.strengths.strip() and self.areas_for_development.strip()):
            return "In progress"
        return "Judged"

    def audit_view(self) -> dict:
        return {
            "name": self.name,
            "grade": self.grade,
            "strengths": self.strengths,
            "areas_for_development": self.areas_for_development,
        }


class GradeDescriptor(db.Model):
    __tablename__ = "inspection_descriptors"
    __table_args__ = (UniqueConstraint("area_id", "grade"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("inspection_areas.id", ondelete="CASCADE"), index=True)
    grade: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text, default="")

    area: Mapped[JudgementArea] = relationship(back_populates="descriptors")

    @property
    def grade_label(self) -> str:
        return GRADE_LABELS.get(self.grade, self.grade)


class AssessmentVersion(db.Model):
    """What the partnership judged an area at one consolidation: how its judgement moved."""

    __tablename__ = "inspection_assessment_versions"
    __table_args__ = (UniqueConstraint("area_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("inspection_areas.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(20))
    strengths: Mapped[str] = mapped_column(Text, default="")
    areas_for_development: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    saved_by: Mapped[User | None] = relationship()

    @property
    def grade_label(self) -> str:
        return GRADE_LABELS.get(self.grade, self.grade)


class AgencyInput(Versioned, db.Model):
    """An agency lead's contribution to one area, for the programme manager to consolidate."""

    __tablename__ = "inspection_agency_inputs"
    __table_args__ = (UniqueConstraint("area_id", "agency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("inspection_areas.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    suggested_grade: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()
    updated_by: Mapped[User | None] = relationship()

    @property
    def grade_label(self) -> str:
        return GRADE_LABELS.get(self.suggested_grade or "", "No grade suggested")

    def audit_view(self) -> dict:
        return {"suggested_grade": self.suggested_grade, "text": self.text}


# --- Evidence ------------------------------------------------------------------------------------


class Visibility(StrEnum):
    PARTNERSHIP = "partnership"
    RESTRICTED = "restricted"


evidence_areas = Table(
    "inspection_evidence_areas",
    db.metadata,
    Column("evidence_id", ForeignKey("inspection_evidence.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("inspection_areas.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class EvidenceItem(Versioned, db.Model):
    """A document uploaded for the inspectors, or a link to a page already in the portal."""

    __tablename__ = "inspection_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    dated: Mapped[date] = mapped_column(Date, index=True)
    # A link to a portal page (a threshold version, an action), or an uploaded file.
    link_path: Mapped[str] = mapped_column(String(300), default="")
    file_name: Mapped[str] = mapped_column(String(200), default="")
    stored_name: Mapped[str] = mapped_column(String(80), default="")
    content_type: Mapped[str] = mapped_column(String(120), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    visibility: Mapped[str] = mapped_column(String(20), default=Visibility.PARTNERSHIP, index=True)
    # Restricted items: the roles that may see them, stored ",role,role," for a LIKE in the query.
    visible_to: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner_agency: Mapped[Agency] = relationship()
    areas: Mapped[list[JudgementArea]] = relationship(
        secondary=evidence_areas, order_by="JudgementArea.position"
    )

    @property
    def is_file(self) -> bool:
        return bool(self.stored_name)

    @property
    def visible_roles(self) -> list[str]:
        return [role for role in self.visible_to.split(",") if role]

    def audit_view(self) -> dict:
        return {
            "title": self.title,
            "owner_agency_id": self.owner_agency_id,
            "dated": self.dated.isoformat(),
            "link_path": self.link_path,
            "file_name": self.file_name,
            "visibility": self.visibility,
            "visible_to": self.visible_to,
        }


class ChecklistItem(Versioned, db.Model):
    """A document inspectors usually ask for in advance; ticked once evidence is linked."""

    __tablename__ = "inspection_checklist"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    owner_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    evidence_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection_evidence.id", ondelete="SET NULL"), index=True
    )

    owner_agency: Mapped[Agency | None] = relationship()
    evidence: Mapped[EvidenceItem | None] = relationship()

    @property
    def ticked(self) -> bool:
        return self.evidence_id is not None

    def audit_view(self) -> dict:
        return {
            "title": self.title,
            "owner_agency_id": self.owner_agency_id,
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "evidence_id": self.evidence_id,
        }


# --- The inspectors' schedule ----------------------------------------------------------------------


ACTIVITY_KINDS = {
    "young_people": "Meeting with young people",
    "parents_carers": "Meeting with parents and carers",
    "managers": "Meeting with managers",
    "health": "Meeting with health professionals",
    "police": "Meeting with police",
    "focus_group": "Staff focus group",
    "case_tracking": "Case tracking",
    "site_visit": "Site visit",
    "partnership": "Partnership meeting",
    "feedback": "Feedback to the partnership",
}
ACTIVITY_STATUSES = {"planned": "Planned", "confirmed": "Confirmed", "done": "Done", "cancelled": "Cancelled"}


class Activity(Versioned, db.Model):
    __tablename__ = "inspection_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    day: Mapped[date] = mapped_column(Date, index=True)
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    location: Mapped[str] = mapped_column(String(120), default="", index=True)
    inspectors: Mapped[str] = mapped_column(String(200), default="")
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="planned", index=True)
    # Saved despite a clash: why (an empty reason means nothing clashed when it was saved).
    override_reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency | None] = relationship()
    attendees: Mapped[list[Attendee]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="Attendee.id"
    )

    @property
    def kind_label(self) -> str:
        return ACTIVITY_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return ACTIVITY_STATUSES.get(self.status, self.status)

    @property
    def slot(self) -> str:
        return f"{self.starts_at:%H:%M}\u2013{self.ends_at:%H:%M}"

    def audit_view(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "day": self.day.isoformat(),
            "starts_at": f"{self.starts_at:%H:%M}",
            "ends_at": f"{self.ends_at:%H:%M}",
            "location": self.location,
            "inspectors": self.inspectors,
            "agency_id": self.agency_id,
            "status": self.status,
            "attendees": [a.name for a in self.attendees],
            "override_reason": self.override_reason,
        }


class Attendee(db.Model):
    """Someone at an activity: a portal user, or a named person from outside the portal."""

    __tablename__ = "inspection_attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_activities.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    external_name: Mapped[str] = mapped_column(String(120), default="")

    activity: Mapped[Activity] = relationship(back_populates="attendees")
    user: Mapped[User | None] = relationship()

    @property
    def name(self) -> str:
        return self.user.full_name if self.user is not None else self.external_name


class AgencyUnavailability(db.Model):
    """A day an agency cannot take part (a training day, a court week): an activity for that
    agency, or with someone from it, clashes with it."""

    __tablename__ = "inspection_unavailability"
    __table_args__ = (UniqueConstraint("agency_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()

    def audit_view(self) -> dict:
        return {"agency_id": self.agency_id, "day": self.day.isoformat(), "reason": self.reason}
