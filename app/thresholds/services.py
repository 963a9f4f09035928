"""What admins and agencies do with threshold documents. Each function audits; callers commit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from app.audit import record
from app.auth.models import Agency, User
from app.dates import today
from app.db_types import utcnow
from app.errors import RuleBroken
from app.extensions import db
from app.locking import claim
from app.sanitize import render_markdown
from app.thresholds.models import (
    LEVELS,
    AgencyAcknowledgement,
    Domain,
    NeedIndicator,
    NeedLevel,
    Pathway,
    ReadReceipt,
    ThresholdDocument,
    ThresholdSection,
    ThresholdVersion,
    VersionStatus,
    draft_version,
    published_version,
)
from app.thresholds.permissions import ACKNOWLEDGE, PUBLISH, WRITE
from app.thresholds.text import tidy

DEFAULT_SECTIONS = [
    ("A", "A continuum of need"),
    ("B", "Levels of need"),
    ("C", "Pathways"),
    ("D", "Specialist guidance and neighbouring-authority contacts"),
]


@dataclass
class SectionInput:
    code: str
    title: str
    body: str


@dataclass
class LevelInput:
    level: int
    title: str
    description: str
    response: str
    contact: str
    indicators: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class PathwayInput:
    concern: str
    level: int
    title: str
    steps: str
    service_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


@dataclass
class DraftContent:
    summary_of_amendments: str
    next_review_date: date | None
    sections: list[SectionInput]
    levels: list[LevelInput]
    pathways: list[PathwayInput]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


def indicator_lines(text: str) -> list[str]:
    """One indicator per line; bullets typed out of habit are dropped."""
    lines = (re.sub(r"^\s*[-*•]\s*", "", line).strip() for line in tidy(text).splitlines())
    return [line for line in lines if line]


# --- Creating and copying ---------------------------------------------------------------------


def create_document(*, title: str, slug: str, is_public: bool, actor: User) -> ThresholdDocument:
    WRITE.require(actor)
    document = ThresholdDocument(title=tidy(title), slug=slug, is_public=is_public)
    db.session.add(document)
    db.session.flush()
    version = ThresholdVersion(
        document=document, number=1, status=VersionStatus.DRAFT, created_by_id=actor.id
    )
    version.sections = [
        ThresholdSection(position=i, code=code, title=heading)
        for i, (code, heading) in enumerate(DEFAULT_SECTIONS)
    ]
    version.levels = [NeedLevel(level=n, title=title_) for n, title_ in LEVELS.items()]
    db.session.add(version)
    record(
        "threshold.create",
        document,
        after=document.audit_view(),
        summary=f"Created threshold document {title}",
    )
    return document


def update_document_settings(
    document: ThresholdDocument, *, title: str, is_public: bool, actor: User
) -> None:
    """Title and who may read: document-wide, so they apply at once, to the current version too."""
    WRITE.require(actor)
    before = document.audit_view()
    document.title, document.is_public = tidy(title), is_public
    if document.audit_view() != before:
        record(
            "threshold.settings",
            document,
            before=before,
            after=document.audit_view(),
            summary=f"Changed the settings of {title}",
        )


def start_draft(document: ThresholdDocument, *, actor: User) -> ThresholdVersion:
    """A new draft, copied from the current published version, for the next amendment."""
    WRITE.require(actor)
    if draft_version(document.id) is not None:
        raise RuleBroken("There is already a draft of this document. Edit that draft instead.")
    source = published_version(document.id)
    if source is None:
        raise RuleBroken("There is no published version to start from.")
    number = db.session.scalar(
        select(func.max(ThresholdVersion.number)).where(ThresholdVersion.document_id == document.id)
    )
    draft = ThresholdVersion(
        document=document,
        number=number + 1,
        status=VersionStatus.DRAFT,
        next_review_date=source.next_review_date,
        created_by_id=actor.id,
    )
    db.session.add(draft)
    _copy_content(source, draft)
    db.session.flush()
    record(
        "threshold.draft_started",
        draft,
        after={"number": draft.number, "from_version": source.number},
        summary=f"Started version {draft.number} of {document.title}",
    )
    return draft


def _copy_content(source: ThresholdVersion, target: ThresholdVersion) -> None:
    target.sections = [
        ThresholdSection(
            position=s.position, code=s.code, title=s.title, body_source=s.body_source, body_html=s.body_html
        )
        for s in source.sections
    ]
    target.levels = [
        NeedLevel(
            level=lv.level,
            title=lv.title,
            description_source=lv.description_source,
            description_html=lv.description_html,
            response_source=lv.response_source,
            response_html=lv.response_html,
            contact_source=lv.contact_source,
            contact_html=lv.contact_html,
            indicators=[
                NeedIndicator(domain=i.domain, position=i.position, text=i.text) for i in lv.indicators
            ],
        )
        for lv in source.levels
    ]
    target.pathways = [
        Pathway(
            position=p.position,
            concern=p.concern,
            level=p.level,
            title=p.title,
            steps_source=p.steps_source,
            steps_html=p.steps_html,
            service_name=p.service_name,
            contact_phone=p.contact_phone,
            contact_email=p.contact_email,
        )
        for p in source.pathways
    ]


# --- Editing a draft --------------------------------------------------------------------------


def save_draft(
    version: ThresholdVersion, content: DraftContent, *, loaded_version: int | None, actor: User
) -> None:
    """Replace the draft's content. A StaleEdit if someone saved it since it was loaded."""
    WRITE.require(actor)
    if not version.is_draft:
        raise RuleBroken("Only a draft can be edited. Start a new draft to amend a published version.")
    claim(version, loaded_version)

    document = version.document
    before = version.audit_view()
    version.summary_of_amendments = tidy(content.summary_of_amendments)
    version.next_review_date = content.next_review_date
    version.updated_at = utcnow()
    version.updated_by_id = actor.id
    # Delete the old rows first: the unit of work would otherwise insert before it deletes, and
    # trip the one-row-per-level constraint.
    version.sections, version.levels, version.pathways = [], [], []
    db.session.flush()
    version.sections = [_build_section(i, s) for i, s in enumerate(content.sections)]
    version.levels = [_build_level(level) for level in content.levels]
    version.pathways = [_build_pathway(i, p) for i, p in enumerate(content.pathways)]
    db.session.flush()
    after = version.audit_view()
    record(
        "threshold.draft_saved",
        version,
        before=before,
        after=after,
        summary=f"Saved draft version {version.number} of {document.title}",
    )


# Text is stored tidied (app.thresholds.text.tidy): line endings a browser sends as \r\n, spaces
# left at the end of a line or a decomposed accent are not changes anyone made.


def _build_section(position: int, s: SectionInput) -> ThresholdSection:
    body = tidy(s.body)
    return ThresholdSection(
        position=position,
        code=tidy(s.code),
        title=tidy(s.title),
        body_source=body,
        body_html=render_markdown(body),
    )


def _build_level(level: LevelInput) -> NeedLevel:
    indicators = []
    for domain in Domain:
        for text in level.indicators.get(domain, []):
            indicators.append(NeedIndicator(domain=domain, position=len(indicators), text=tidy(text)[:500]))
    description, response, contact = tidy(level.description), tidy(level.response), tidy(level.contact)
    return NeedLevel(
        level=level.level,
        title=tidy(level.title),
        description_source=description,
        description_html=render_markdown(description),
        response_source=response,
        response_html=render_markdown(response),
        contact_source=contact,
        contact_html=render_markdown(contact),
        indicators=indicators,
    )


def _build_pathway(position: int, p: PathwayInput) -> Pathway:
    steps = tidy(p.steps)
    return Pathway(
        position=position,
        concern=tidy(p.concern),
        level=p.level,
        title=tidy(p.title),
        steps_source=steps,
        steps_html=render_markdown(steps),
        service_name=tidy(p.service_name),
        contact_phone=tidy(p.contact_phone),
        contact_email=tidy(p.contact_email),
    )


# --- Publishing -------------------------------------------------------------------------------


def publication_problems(version: ThresholdVersion) -> list[str]:
    problems = []
    if not version.summary_of_amendments.strip():
        problems.append("Write a summary of the key amendments before publishing")
    if version.next_review_date is None:
        problems.append("Set a next review date before publishing")
    elif version.next_review_date <= today():
        problems.append("The next review date must be in the future")
    if sorted(level.level for level in version.levels) != [1, 2, 3, 4]:
        problems.append("All four levels of need must be described")
    elif any(not level.indicators for level in version.levels):
        problems.append("Every level of need needs at least one indicator")
    return problems


def publish_version(
    version: ThresholdVersion, *, loaded_version: int | None, actor: User
) -> ThresholdVersion | None:
    """Publish a draft in one transaction: the old version is superseded, acknowledgements restart
    (they belong to a version). Returns the version it superseded."""
    PUBLISH.require(actor)
    if not version.is_draft:
        raise RuleBroken("This version has already been published.")
    # A save (or publish) since the admin looked wins, and this publish is refused rather than
    # publishing text nobody reviewed.
    claim(
        version,
        loaded_version,
        "The draft was changed after you opened it. Check the latest text, then publish again.",
    )
    problems = publication_problems(version)
    if problems:
        raise RuleBroken(problems[0])
    now = utcnow()
    previous = published_version(version.document_id)
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED
        previous.superseded_at = now
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.published_by_id = actor.id
    record(
        "threshold.publish",
        version,
        before={"current_version": previous.number if previous else None},
        after={"current_version": version.number, "summary_of_amendments": version.summary_of_amendments},
        summary=f"Published version {version.number} of {version.document.title}",
    )
    return previous


# --- Acknowledgements -------------------------------------------------------------------------


def acknowledge_for_agency(version: ThresholdVersion, *, user: User) -> AgencyAcknowledgement:
    """An agency lead confirms their own agency's staff have been briefed. Once per version."""
    ACKNOWLEDGE.require(user)
    if not version.is_published:
        raise RuleBroken("Only the current version can be acknowledged.")
    existing = db.session.scalar(
        select(AgencyAcknowledgement).where(
            AgencyAcknowledgement.version_id == version.id, AgencyAcknowledgement.agency_id == user.agency_id
        )
    )
    if existing is not None:
        return existing
    acknowledgement = AgencyAcknowledgement(
        version_id=version.id, agency_id=user.agency_id, acknowledged_by_id=user.id
    )
    db.session.add(acknowledgement)
    db.session.flush()
    record(
        "threshold.acknowledge",
        acknowledgement,
        after={"version": version.number, "agency_id": user.agency_id},
        summary=f"{user.agency.name} acknowledged version {version.number} of {version.document.title}",
    )
    return acknowledgement


def record_read(version: ThresholdVersion, *, user: User) -> ReadReceipt:
    if not version.is_published:
        raise RuleBroken("Only the current version can be marked as read.")
    existing = db.session.scalar(
        select(ReadReceipt).where(ReadReceipt.version_id == version.id, ReadReceipt.user_id == user.id)
    )
    if existing is not None:
        return existing
    receipt = ReadReceipt(version_id=version.id, user_id=user.id)
    db.session.add(receipt)
    db.session.flush()
    record(
        "threshold.read",
        receipt,
        after={"version": version.number},
        summary=f"Read version {version.number} of {version.document.title}",
    )
    return receipt


@dataclass
class AgencyStatus:
    agency: Agency
    acknowledgement: AgencyAcknowledgement | None


def acknowledgement_status(version: ThresholdVersion) -> list[AgencyStatus]:
    """Every active agency, with its acknowledgement of this version or None. Two queries."""
    agencies = db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)).all()
    acknowledgements = {
        a.agency_id: a
        for a in db.session.scalars(
            select(AgencyAcknowledgement)
            .where(AgencyAcknowledgement.version_id == version.id)
            .options(selectinload(AgencyAcknowledgement.acknowledged_by))
        )
    }
    return [AgencyStatus(agency, acknowledgements.get(agency.id)) for agency in agencies]


def outstanding_acknowledgements(agency_id: int) -> list[ThresholdVersion]:
    """Current versions this agency has not yet acknowledged."""
    acknowledged = select(AgencyAcknowledgement.version_id).where(
        AgencyAcknowledgement.agency_id == agency_id
    )
    return db.session.scalars(
        select(ThresholdVersion)
        .join(ThresholdDocument)
        .options(contains_eager(ThresholdVersion.document))
        .where(ThresholdVersion.status == VersionStatus.PUBLISHED, ThresholdVersion.id.not_in(acknowledged))
        .order_by(ThresholdDocument.title)
    ).all()
