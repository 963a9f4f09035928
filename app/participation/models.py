"""Consultations, young people's feedback, the alerts a worrying message raises, the themes the
participation leads tag, and "you said, we did".

Feedback holds only what the young person chose to write: no name unless they asked to be
contacted and gave one, and never an IP address, a device or a browser (the tables have no
column for them; tests/participation checks).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, String, Table, Text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.locking import Versioned

AGE_BANDS = {
    "under_11": "Under 11",
    "11_13": "11 to 13",
    "14_15": "14 to 15",
    "16_17": "16 to 17",
    "18_25": "18 to 25",
}


class Triage(StrEnum):
    NEW = "new"
    REVIEWED = "reviewed"


class ActionTaken(StrEnum):
    """What a participation lead did about a flagged message."""

    REFERRED_MASH = "referred_mash"
    REFERRED_SOCIAL_CARE = "referred_social_care"
    CONTACTED = "contacted"
    NO_CONCERN = "no_concern"


ACTION_LABELS = {
    ActionTaken.REFERRED_MASH: "Referred to the MASH",
    ActionTaken.REFERRED_SOCIAL_CARE: "Referred to children's social care",
    ActionTaken.CONTACTED: "Contacted the young person",
    ActionTaken.NO_CONCERN: "Read carefully: no safeguarding concern",
}


class Consultation(Versioned, db.Model):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    question: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(200), default="")
    opens_on: Mapped[date] = mapped_column(Date, index=True)
    closes_on: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def is_open_on(self, day: date) -> bool:
        return self.opens_on <= day <= self.closes_on

    def audit_view(self) -> dict:
        return {
            "title": self.title,
            "question": self.question,
            "opens_on": self.opens_on.isoformat(),
            "closes_on": self.closes_on.isoformat(),
        }


feedback_themes = Table(
    "feedback_themes",
    db.metadata,
    Column("feedback_id", ForeignKey("feedback.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id"), primary_key=True, index=True),
)


class Theme(db.Model):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)


class Feedback(db.Model):
    __tablename__ = "feedback"
    __table_args__ = (
        # The triage queue and the home panels at county scale (100,000 messages): flagged and
        # waiting, oldest first; how many new messages are not flagged; and the new ones, newest
        # first (a few among 100,000: read from their own index, not found by scanning by date).
        Index("ix_feedback_waiting", "flagged", "actioned_at", "received_at"),
        Index("ix_feedback_triage_flagged", "triage", "flagged"),
        Index("ix_feedback_triage_received", "triage", "received_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id"), index=True)
    what_is_good: Mapped[str] = mapped_column(Text, default="")
    what_should_change: Mapped[str] = mapped_column(Text, default="")
    age_band: Mapped[str | None] = mapped_column(String(20), index=True)
    service: Mapped[str] = mapped_column(String(120), default="")
    # "I don't feel safe / I want someone to talk to me", and how to reach them if they said.
    wants_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_details: Mapped[str] = mapped_column(String(300), default="")
    # Flagged: ticked the box, or the words look like a disclosure of harm.
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reasons: Mapped[str] = mapped_column(String(300), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    triage: Mapped[str] = mapped_column(String(20), default=Triage.NEW)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # For a flagged message: what a named participation lead did about it, and when.
    action_taken: Mapped[str | None] = mapped_column(String(30))
    action_note: Mapped[str] = mapped_column(Text, default="")
    actioned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actioned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    consultation: Mapped[Consultation | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=feedback_themes, order_by="Theme.name")
    actioned_by: Mapped[User | None] = relationship(foreign_keys=[actioned_by_id])

    @hybrid_property
    def awaits_action(self) -> bool:
        """Flagged and nobody has yet recorded what was done about it."""
        return self.flagged and self.actioned_at is None

    @awaits_action.inplace.expression
    @classmethod
    def _awaits_action_expression(cls):
        return cls.flagged.is_(True) & cls.actioned_at.is_(None)

    @property
    def age_band_label(self) -> str:
        return AGE_BANDS.get(self.age_band or "", "Not given")

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action_taken, "") if self.action_taken else ""


class Response(Versioned, db.Model):
    """You said, we did: a theme in the partnership's words (never a quote), and what changed."""

    __tablename__ = "you_said_we_did"

    id: Mapped[int] = mapped_column(primary_key=True)
    you_said: Mapped[str] = mapped_column(String(400))
    we_did: Mapped[str] = mapped_column(Text)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"), index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    action = relationship("Action")

    def audit_view(self) -> dict:
        return {
            "you_said": self.you_said,
            "we_did": self.we_did,
            "action_id": self.action_id,
            "published": self.published_at is not None,
        }
