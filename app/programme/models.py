"""The improvement programme and its projects. Progress rolls up from actions (app/actions)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Agency
from app.db_types import UTCDateTime, utcnow
from app.extensions import db


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


class Project(db.Model):
    __tablename__ = "projects"

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
