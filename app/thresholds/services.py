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
from app.errors import RuleBroken, StaleEdit
from app.extensions import db
from app.locking import claim
from app.sanitize import render_markdown
from app.thresholds import notices
from app.thresholds.models import (
    LEVELS,
    SYNONYMS_ID,
    AgencyAcknowledgement,
    Domain,
    NeedIndicator,
    NeedLevel,
    Pathway,
    ReadReceipt,
    SearchSynonyms,
    ThresholdDocument,
    ThresholdSection,
    ThresholdVersion,
    VersionStatus,
    draft_version,
    latest_published_version,
    latest_published_versions,
)
from app.thresholds.permissions import ACKNOWLEDGE, EDIT_SYNONYMS, PUBLISH, WRITE
from app.thresholds.search import SynonymProblem, index_document_title, index_version, parse_synonyms
from app.thresholds.text import tidy

# (letter, title, what follows the section): B holds the four levels, C the referral pathways.
DEFAULT_SECTIONS = [
    ("A", "A continuum of need", ""),
    ("B", "Levels of need", "levels"),
    ("C", "Pathways", "pathways"),
    ("D", "Specialist guidance and neighbouring-authority contacts", ""),
]
SECTION_SHOWS = {"": "Nothing else", "levels": "The four levels of need", "pathways": "The referral pathways"}


@dataclass
class SectionInput:
    code: str
    title: str
    body: str
    shows: str = ""


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
        ThresholdSection(position=i, code=code, title=heading, shows=shows)
        for i, (code, heading, shows) in enumerate(DEFAULT_SECTIONS)
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
    if document.title != before["title"]:
        index_document_title(document)
    if document.audit_view() != before:
        record(
            "threshold.settings",
            document,
            before=before,
            after=document.audit_view(),
            summary=f"Changed the settings of {title}",
        )


def start_draft(document: ThresholdDocument, *, actor: User) -> ThresholdVersion:
    """A new draft for the next amendment, copied from the latest published version (the one
    scheduled to take effect, if there is one: its changes must not be lost)."""
    WRITE.require(actor)
    if draft_version(document.id) is not None:
        raise RuleBroken("There is already a draft of this document. Edit that draft instead.")
    # Without a draft there is always a published version: create_document starts every document
    # with a draft, and publishing turns a draft into a published (perhaps scheduled) version.
    source = latest_published_version(document.id)
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
    index_version(draft)
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
            position=s.position,
            code=s.code,
            title=s.title,
            body_source=s.body_source,
            body_html=s.body_html,
            shows=s.shows,
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
    index_version(version)
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
        shows=s.shows if s.shows in SECTION_SHOWS else "",
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
    version: ThresholdVersion,
    *,
    effective_from: date | None = None,
    loaded_version: int | None,
    actor: User,
) -> ThresholdVersion | None:
    """Publish a draft, to take effect on `effective_from` (default today). Until that day the
    version is scheduled and the current one stays current for readers, search and
    acknowledgements; from it, the new version is current and the old one superseded.
    Acknowledgements and reads belong to a version, so everyone is asked again. Returns the version
    that was current when it was published."""
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
    effective_from = effective_from or today()
    _check_effective_date(version, effective_from)
    previous = version.document.current_version
    version.status = VersionStatus.PUBLISHED
    version.effective_from = effective_from
    version.published_at = utcnow()
    version.published_by_id = actor.id
    record(
        "threshold.publish",
        version,
        before={"current_version": previous.number if previous else None},
        after={
            "published_version": version.number,
            "effective_from": effective_from.isoformat(),
            "summary_of_amendments": version.summary_of_amendments,
        },
        summary=f"Published version {version.number} of {version.document.title}, "
        f"in effect from {effective_from:%-d %B %Y}",
        actor=actor,
    )
    notices.version_published(version)
    return previous


def _check_effective_date(version: ThresholdVersion, effective_from: date) -> None:
    if effective_from < today():
        raise RuleBroken("The date it takes effect must be today or in the future", field="effective_from")
    latest = latest_published_version(version.document_id)
    # The latest in effect must be the newest: a version cannot take effect before one published earlier.
    if latest is not None and effective_from < latest.effective_from:
        raise RuleBroken(
            f"The date it takes effect must be on or after {latest.effective_from:%-d %B %Y}, "
            f"when version {latest.number} takes effect",
            field="effective_from",
        )
    if version.next_review_date <= effective_from:
        raise RuleBroken(
            f"The date it takes effect must be before the next review date, "
            f"{version.next_review_date:%-d %B %Y}",
            field="effective_from",
        )


# --- Acknowledgements -------------------------------------------------------------------------


def acknowledge_for_agency(version: ThresholdVersion, *, user: User) -> AgencyAcknowledgement:
    """An agency lead confirms their own agency's staff have been briefed. Once per version."""
    ACKNOWLEDGE.require(user)
    if not version.is_live:
        raise RuleBroken("Only the current version, or one scheduled to replace it, can be acknowledged.")
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
    if not version.is_live:
        raise RuleBroken("Only the current version, or one scheduled to replace it, can be marked as read.")
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


def _latest_published_not_in(done) -> list[ThresholdVersion]:
    latest = latest_published_versions()
    return db.session.scalars(
        select(ThresholdVersion)
        .join(
            latest,
            (latest.c.document_id == ThresholdVersion.document_id)
            & (latest.c.number == ThresholdVersion.number),
        )
        .join(ThresholdDocument)
        .options(contains_eager(ThresholdVersion.document))
        .where(ThresholdVersion.id.not_in(done))
        .order_by(ThresholdDocument.title)
    ).all()


def outstanding_acknowledgements(agency_id: int) -> list[ThresholdVersion]:
    """Each document's latest published version (current, or scheduled to be) that this agency has
    not acknowledged. One query."""
    return _latest_published_not_in(
        select(AgencyAcknowledgement.version_id).where(AgencyAcknowledgement.agency_id == agency_id)
    )


def outstanding_for_agencies(agency_ids: set[int]) -> dict[int, list[ThresholdVersion]]:
    """For each agency, the latest published versions it has not acknowledged. Two queries."""
    latest = latest_published_versions()
    versions = db.session.scalars(
        select(ThresholdVersion)
        .join(
            latest,
            (latest.c.document_id == ThresholdVersion.document_id)
            & (latest.c.number == ThresholdVersion.number),
        )
        .options(selectinload(ThresholdVersion.document))
    ).all()
    done = set(
        db.session.execute(
            select(AgencyAcknowledgement.agency_id, AgencyAcknowledgement.version_id).where(
                AgencyAcknowledgement.agency_id.in_(agency_ids),
                AgencyAcknowledgement.version_id.in_([v.id for v in versions]),
            )
        ).all()
    )
    return {a: [v for v in versions if (a, v.id) not in done] for a in agency_ids}


def unread_versions(user: User) -> list[ThresholdVersion]:
    """Each document's latest published version (current, or scheduled to be) this person has not
    marked as read. Every signed-in person reads every document, partners-only ones too. One query."""
    return _latest_published_not_in(select(ReadReceipt.version_id).where(ReadReceipt.user_id == user.id))


# --- Search synonyms --------------------------------------------------------------------------


def synonyms_record() -> SearchSynonyms | None:
    return db.session.get(SearchSynonyms, SYNONYMS_ID)


def save_synonyms(text: str, *, loaded_version: int | None, actor: User) -> SearchSynonyms:
    """Replace the synonym list. `loaded_version` 0 means the form was loaded before there was a
    list; a list saved by someone else since is a StaleEdit either way."""
    EDIT_SYNONYMS.require(actor)
    try:
        groups = parse_synonyms(tidy(text))
    except SynonymProblem as problem:
        raise RuleBroken(str(problem), field="synonyms") from None
    synonyms = synonyms_record()
    before = synonyms.groups_text if synonyms is not None else ""
    if synonyms is None:
        if loaded_version != 0:
            raise StaleEdit()
        synonyms = SearchSynonyms(id=SYNONYMS_ID)
        db.session.add(synonyms)
    else:
        claim(synonyms, loaded_version)
    synonyms.groups_text = "\n".join(", ".join(group) for group in groups)
    synonyms.updated_at = utcnow()
    synonyms.updated_by_id = actor.id
    db.session.flush()
    record(
        "threshold.synonyms",
        synonyms,
        before={"synonyms": before},
        after={"synonyms": synonyms.groups_text},
        summary=f"Changed the search synonyms ({len(groups)} lines)",
        actor=actor,
    )
    return synonyms


@dataclass
class AcknowledgementCount:
    """How many active agencies have, and have not, acknowledged a document's latest version."""

    title: str  # the document's; plain values, so the counts can be kept between requests
    slug: str
    number: int
    acknowledged: int
    agencies: int

    @property
    def outstanding(self) -> int:
        return self.agencies - self.acknowledged


def acknowledgement_counts(owners=None) -> list[AcknowledgementCount]:
    """For each document's latest published version: acknowledged and outstanding, among the
    active agencies (or those in `owners`, a select of agency ids). Three queries."""
    agencies = select(Agency.id).where(Agency.active.is_(True))
    if owners is not None:
        agencies = agencies.where(Agency.id.in_(owners))
    total = db.session.scalar(select(func.count()).select_from(agencies.subquery()))
    latest = latest_published_versions()
    versions = db.session.scalars(
        select(ThresholdVersion)
        .join(
            latest,
            (latest.c.document_id == ThresholdVersion.document_id)
            & (latest.c.number == ThresholdVersion.number),
        )
        .options(selectinload(ThresholdVersion.document))
    ).all()
    done = dict(
        db.session.execute(
            select(AgencyAcknowledgement.version_id, func.count(AgencyAcknowledgement.id))
            .where(
                AgencyAcknowledgement.version_id.in_([v.id for v in versions]),
                AgencyAcknowledgement.agency_id.in_(agencies),
            )
            .group_by(AgencyAcknowledgement.version_id)
        ).all()
    )
    return sorted(
        (
            AcknowledgementCount(v.document.title, v.document.slug, v.number, done.get(v.id, 0), total)
            for v in versions
        ),
        key=lambda c: c.title,
    )
