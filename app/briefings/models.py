"""Briefings from the inspection project team to staff, partners and stakeholders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class Briefing(db.Model):
    __tablename__ = "briefings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body_html: Mapped[str] = mapped_column(Text, default="")
    # The audience, stored ",a,b," so a LIKE in the query finds it; empty means everyone.
    audience_roles: Mapped[str] = mapped_column(String(200), default="")
    audience_kinds: Mapped[str] = mapped_column(String(300), default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    published_by: Mapped[User | None] = relationship()

    @property
    def roles(self) -> list[str]:
        return [r for r in self.audience_roles.split(",") if r]

    @property
    def kinds(self) -> list[str]:
        return [k for k in self.audience_kinds.split(",") if k]

    def audit_view(self) -> dict:
        return {"title": self.title, "audience_roles": self.roles, "audience_kinds": self.kinds}


class BriefingRead(db.Model):
    __tablename__ = "briefing_reads"

    briefing_id: Mapped[int] = mapped_column(ForeignKey("briefings.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
