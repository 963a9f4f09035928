"""Threshold documents: versions (a draft, then published to take effect on a date), their
sections, the four levels of need with indicators, referral pathways, who has acknowledged or read
each version, the search index and the search synonyms.

A published version is, on a given day (the partnership's, `app.dates.today()`):
- **current** when it is the latest published version in effect (its `effective_from` has come);
- **scheduled** when its `effective_from` is still to come;
- **superseded** when a later version is in effect.
Publishing refuses an effective date before the latest published version's, so the latest in
effect is also the highest-numbered in effect. These words are defined here once:
`ThresholdDocument.current_version` (on loaded versions) and `current_versions()` (in a query).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import Agency, User
from app.dates import today
from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.locking import Versioned


class VersionStatus(StrEnum):
    """What is stored. Whether a published version is current, scheduled or superseded depends on
    the day: see `ThresholdVersion.state`."""

    DRAFT = "draft"
    PUBLISHED = "published"


STATE_LABELS = {"draft": "Draft", "current": "Current", "scheduled": "Scheduled", "superseded": "Superseded"}


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
        """The version in effect today, from the versions already loaded."""
        day = today()
        in_effect = [v for v in self.versions if v.is_published and v.effective_from <= day]
        return max(in_effect, key=lambda v: v.number, default=None)

    @property
    def latest_published(self) -> ThresholdVersion | None:
        """The newest published version: the current one, or one scheduled to replace it. The one
        agencies acknowledge and staff are asked to read."""
        return max((v for v in self.versions if v.is_published), key=lambda v: v.number, default=None)

    @property
    def scheduled_version(self) -> ThresholdVersion | None:
        latest = self.latest_published
        return latest if latest is not None and latest.is_scheduled else None

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
    # The partnership's day from which the version is current (readers, search, acknowledgements).
    effective_from: Mapped[date | None] = mapped_column(Date)

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
    def state(self) -> str:
        """draft, current, scheduled or superseded, today. Uses the document's loaded versions."""
        if self.is_draft:
            return "draft"
        if self.is_scheduled:
            return "scheduled"
        return "current" if self.document.current_version is self else "superseded"

    @property
    def is_scheduled(self) -> bool:
        """Published, to take effect on a day still to come. Needs no other version."""
        return self.is_published and self.effective_from > today()

    @property
    def is_live(self) -> bool:
        """Current, or scheduled to be: the versions staff are asked to read and acknowledge."""
        return self.state in ("current", "scheduled")

    @property
    def status_label(self) -> str:
        return STATE_LABELS[self.state]

    def audit_view(self) -> dict:
        return {
            "number": self.number,
            "status": self.status,
            "summary_of_amendments": self.summary_of_amendments,
            "next_review_date": self.next_review_date.isoformat() if self.next_review_date else None,
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
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
    # "levels" or "pathways": that part of the document follows this section, under its heading
    # (section B "Levels of need" holds the four levels), so the page has one heading for it.
    shows: Mapped[str] = mapped_column(String(20), default="", server_default="")

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


class ThresholdSearchEntry(db.Model):
    """One searchable part of a version as a reader sees it (a section, a level's description,
    response or contact, an indicator, a pathway...), written whenever the version is saved.
    `search_text` holds its words folded and stemmed (app.thresholds.text.search_text), so search
    is one query on SQLite and PostgreSQL alike."""

    __tablename__ = "threshold_search_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("threshold_versions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(300))
    anchor: Mapped[str] = mapped_column(String(80), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default=" ")


class SearchSynonyms(Versioned, db.Model):
    """The partnership's list of words search treats as meaning the same: one group per line,
    words separated by commas ("CSE, child sexual exploitation"). One row, edited by admins."""

    __tablename__ = "threshold_search_synonyms"

    id: Mapped[int] = mapped_column(primary_key=True)
    groups_text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    updated_by: Mapped[User | None] = relationship()


SYNONYMS_ID = 1


def current_versions(on: date | None = None):
    """Each document's current version on a day (default today), as a subquery of
    (document_id, number): the highest-numbered published version whose date has come."""
    return (
        select(ThresholdVersion.document_id, func.max(ThresholdVersion.number).label("number"))
        .where(
            ThresholdVersion.status == VersionStatus.PUBLISHED,
            ThresholdVersion.effective_from <= (on or today()),
        )
        .group_by(ThresholdVersion.document_id)
        .subquery()
    )


def latest_published_versions():
    """Each document's newest published version (current, or scheduled), as a subquery of
    (document_id, number)."""
    return (
        select(ThresholdVersion.document_id, func.max(ThresholdVersion.number).label("number"))
        .where(ThresholdVersion.status == VersionStatus.PUBLISHED)
        .group_by(ThresholdVersion.document_id)
        .subquery()
    )


def _version_in(numbers, document_id: int) -> ThresholdVersion | None:
    return db.session.scalar(
        select(ThresholdVersion)
        .join(
            numbers,
            (numbers.c.document_id == ThresholdVersion.document_id)
            & (numbers.c.number == ThresholdVersion.number),
        )
        .where(ThresholdVersion.document_id == document_id)
    )


def published_version(document_id: int) -> ThresholdVersion | None:
    """The document's current version: what readers read and search finds."""
    return _version_in(current_versions(), document_id)


def latest_published_version(document_id: int) -> ThresholdVersion | None:
    return _version_in(latest_published_versions(), document_id)


def draft_version(document_id: int) -> ThresholdVersion | None:
    return db.session.scalar(
        select(ThresholdVersion).where(
            ThresholdVersion.document_id == document_id, ThresholdVersion.status == VersionStatus.DRAFT
        )
    )
