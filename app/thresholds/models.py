"""Threshold documents: versions (draft → published → superseded), their sections, the four
levels of need with indicators, referral pathways, and who has acknowledged each version."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Agency, User
from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.locking import Versioned


class VersionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"


class Domain(StrEnum):
    """The three domains of the Assessment Framework triangle."""

    DEVELOPMENT = "development"
    PARENTING = "parenting"
    FAMILY = "family"

    @property
    def label(self) -> str:
        return DOMAIN_LABELS[self]


DOMAIN_LABELS = {
    Domain.DEVELOPMENT: "Child's developmental needs",
    Domain.PARENTING: "Parenting capacity",
    Domain.FAMILY: "Family and environmental factors",
}

LEVELS = {
    1: "Universal",
    2: "Early help",
    3: "Targeted early help",
    4: "Specialist / statutory",
}


class ThresholdDocument(db.Model):
    __tablename__ = "threshold_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list[ThresholdVersion]] = relationship(
        back_populates="document", order_by="ThresholdVersion.number"
    )

    @property
    def current_version(self) -> ThresholdVersion | None:
        """The published version, from the versions already loaded."""
        return next((v for v in self.versions if v.is_published), None)

    @property
    def draft(self) -> ThresholdVersion | None:
        return next((v for v in self.versions if v.is_draft), None)

    def audit_view(self) -> dict:
        return {"slug": self.slug, "title": self.title, "is_public": self.is_public}


class ThresholdVersion(Versioned, db.Model):
    __tablename__ = "threshold_versions"
    __table_args__ = (
        UniqueConstraint("document_id", "number", name="uq_threshold_versions_document_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("threshold_documents.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=VersionStatus.DRAFT, index=True)
    summary_of_amendments: Mapped[str] = mapped_column(Text, default="")
    next_review_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    document: Mapped[ThresholdDocument] = relationship(back_populates="versions")
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    sections: Mapped[list[ThresholdSection]] = relationship(
        back_populates="version", order_by="ThresholdSection.position", cascade="all, delete-orphan"
    )
    levels: Mapped[list[NeedLevel]] = relationship(
        back_populates="version", order_by="NeedLevel.level", cascade="all, delete-orphan"
    )
    pathways: Mapped[list[Pathway]] = relationship(
        back_populates="version", order_by="Pathway.position", cascade="all, delete-orphan"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    @property
    def status_label(self) -> str:
        return {"draft": "Draft", "published": "Current", "superseded": "Superseded"}[self.status]

    def audit_view(self) -> dict:
        return {
            "number": self.number,
            "status": self.status,
            "summary_of_amendments": self.summary_of_amendments,
            "next_review_date": self.next_review_date.isoformat() if self.next_review_date else None,
            "sections": len(self.sections),
            "pathways": len(self.pathways),
            "indicators": sum(len(level.indicators) for level in self.levels),
        }


class ThresholdSection(db.Model):
    __tablename__ = "threshold_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("threshold_versions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(10), default="")
    title: Mapped[str] = mapped_column(String(200))
    body_source: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[ThresholdVersion] = relationship(back_populates="sections")

    @property
    def anchor(self) -> str:
        return f"section-{(self.code or str(self.position)).lower()}"


class NeedLevel(db.Model):
    __tablename__ = "need_levels"
    __table_args__ = (UniqueConstraint("version_id", "level", name="uq_need_levels_version_level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("threshold_versions.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    description_source: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    response_source: Mapped[str] = mapped_column(Text, default="")
    response_html: Mapped[str] = mapped_column(Text, default="")
    contact_source: Mapped[str] = mapped_column(Text, default="")
    contact_html: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[ThresholdVersion] = relationship(back_populates="levels")
    indicators: Mapped[list[NeedIndicator]] = relationship(
        back_populates="need_level",
        order_by="NeedIndicator.position",
        cascade="all, delete-orphan",
    )

    def indicators_in(self, domain: str) -> list[NeedIndicator]:
        return [i for i in self.indicators if i.domain == domain]


class NeedIndicator(db.Model):
    __tablename__ = "need_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_level_id: Mapped[int] = mapped_column(ForeignKey("need_levels.id"), index=True)
    domain: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500))

    need_level: Mapped[NeedLevel] = relationship(back_populates="indicators")


class Pathway(db.Model):
    __tablename__ = "pathways"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("threshold_versions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    concern: Mapped[str] = mapped_column(String(120))
    level: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    steps_source: Mapped[str] = mapped_column(Text, default="")
    steps_html: Mapped[str] = mapped_column(Text, default="")
    service_name: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")

    version: Mapped[ThresholdVersion] = relationship(back_populates="pathways")

    @property
    def anchor(self) -> str:
        return f"pathway-{self.position}"


class AgencyAcknowledgement(db.Model):
    """An agency lead's confirmation that their agency's staff have been briefed on a version."""

    __tablename__ = "agency_acknowledgements"
    __table_args__ = (
        UniqueConstraint("version_id", "agency_id", name="uq_agency_acknowledgements_version_agency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("threshold_versions.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    acknowledged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()
    acknowledged_by: Mapped[User] = relationship()


class ReadReceipt(db.Model):
    """A person's own "I have read this" for a version."""

    __tablename__ = "read_receipts"
    __table_args__ = (UniqueConstraint("version_id", "user_id", name="uq_read_receipts_version_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("threshold_versions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def published_version(document_id: int) -> ThresholdVersion | None:
    return db.session.scalar(
        select(ThresholdVersion).where(
            ThresholdVersion.document_id == document_id, ThresholdVersion.status == VersionStatus.PUBLISHED
        )
    )


def draft_version(document_id: int) -> ThresholdVersion | None:
    return db.session.scalar(
        select(ThresholdVersion).where(
            ThresholdVersion.document_id == document_id, ThresholdVersion.status == VersionStatus.DRAFT
        )
    )
