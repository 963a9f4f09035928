"""Search the current versions of threshold documents: titles, section text, indicators, pathways."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, case, cast, func, literal, or_, select, union_all

from app.extensions import db
from app.pagination import like_pattern
from app.thresholds.models import (
    NeedIndicator,
    NeedLevel,
    Pathway,
    ThresholdDocument,
    ThresholdSection,
    ThresholdVersion,
    VersionStatus,
)

PER_PAGE = 20


@dataclass
class SearchHit:
    kind: str
    document_slug: str
    document_title: str
    label: str
    text: str
    anchor: str


@dataclass
class SearchPage:
    hits: list[SearchHit]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _like(column, pattern):
    return column.ilike(pattern, escape="\\")


def search_current(q: str, *, include_private: bool, page: int = 1) -> SearchPage:
    """Three queries whatever the data size: count, the page of hits, and nothing else."""
    pattern = like_pattern(q)
    current = (
        select(
            ThresholdVersion.id.label("version_id"),
            ThresholdDocument.slug,
            ThresholdDocument.title.label("doc_title"),
        )
        .join(ThresholdDocument)
        .where(ThresholdVersion.status == VersionStatus.PUBLISHED)
    )
    if not include_private:
        current = current.where(ThresholdDocument.is_public.is_(True))
    current = current.subquery()

    sections = (
        select(
            literal("section").label("kind"),
            current.c.slug,
            current.c.doc_title,
            (func.coalesce(ThresholdSection.code, "") + literal(" ") + ThresholdSection.title).label("label"),
            ThresholdSection.body_source.label("text"),
            (
                literal("section-")
                + case(
                    (ThresholdSection.code != "", func.lower(ThresholdSection.code)),
                    else_=cast(ThresholdSection.position, String),
                )
            ).label("anchor"),
        )
        .join(current, current.c.version_id == ThresholdSection.version_id)
        .where(or_(_like(ThresholdSection.title, pattern), _like(ThresholdSection.body_source, pattern)))
    )
    indicators = (
        select(
            literal("indicator").label("kind"),
            current.c.slug,
            current.c.doc_title,
            (literal("Level ") + cast(NeedLevel.level, String) + literal(": ") + NeedLevel.title).label(
                "label"
            ),
            NeedIndicator.text.label("text"),
            (literal("level-") + cast(NeedLevel.level, String)).label("anchor"),
        )
        .join(NeedLevel, NeedLevel.id == NeedIndicator.need_level_id)
        .join(current, current.c.version_id == NeedLevel.version_id)
        .where(_like(NeedIndicator.text, pattern))
    )
    pathways = (
        select(
            literal("pathway").label("kind"),
            current.c.slug,
            current.c.doc_title,
            (Pathway.concern + literal(", level ") + cast(Pathway.level, String)).label("label"),
            (Pathway.title + literal(". ") + Pathway.steps_source).label("text"),
            (literal("pathway-") + cast(Pathway.position, String)).label("anchor"),
        )
        .join(current, current.c.version_id == Pathway.version_id)
        .where(
            or_(
                _like(Pathway.concern, pattern),
                _like(Pathway.title, pattern),
                _like(Pathway.steps_source, pattern),
                _like(Pathway.service_name, pattern),
            )
        )
    )
    documents = select(
        literal("document").label("kind"),
        current.c.slug,
        current.c.doc_title,
        current.c.doc_title.label("label"),
        literal("").label("text"),
        literal("").label("anchor"),
    ).where(_like(current.c.doc_title, pattern))

    hits = union_all(documents, sections, indicators, pathways).subquery()
    total = db.session.scalar(select(func.count()).select_from(hits))
    page = max(1, page)
    rows = db.session.execute(
        select(hits)
        .order_by(hits.c.doc_title, hits.c.kind, hits.c.label)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return SearchPage(
        [SearchHit(r.kind, r.slug, r.doc_title, r.label.strip(), snippet(r.text, q), r.anchor) for r in rows],
        total,
        page,
        PER_PAGE,
    )


def snippet(text: str, q: str, width: int = 160) -> str:
    """The part of a long text around the first match, for the result list."""
    text = " ".join((text or "").split())
    at = text.lower().find(q.lower())
    if len(text) <= width or at < 0:
        return text[:width] + ("…" if len(text) > width else "")
    start = max(0, at - width // 3)
    return ("…" if start else "") + text[start : start + width] + ("…" if start + width < len(text) else "")
