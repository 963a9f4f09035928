"""Preparing for inspection: the framework, the self-assessment and its versions. Each function
checks who may do it, keeps the rules and audits; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app.actions.models import Action
from app.audit import record
from app.dates import today
from app.db_types import utcnow
from app.errors import RuleBroken, StaleEdit
from app.extensions import db
from app.inspection import permissions
from app.inspection.models import (
    AgencyInput,
    AssessmentVersion,
    ChecklistItem,
    Framework,
    Grade,
    GradeDescriptor,
    JudgementArea,
)
from app.locking import claim

GRADES = [grade.value for grade in Grade]


def current_framework() -> Framework | None:
    """The inspection the partnership is preparing for (the first framework set up)."""
    return db.session.scalar(select(Framework).order_by(Framework.id).limit(1))


def days_to_fieldwork(framework: Framework | None, on: date | None = None) -> int | None:
    if framework is None or framework.fieldwork_starts_on is None:
        return None
    return (framework.fieldwork_starts_on - (on or today())).days


# --- The framework (administrators) ---------------------------------------------------------------


def save_framework(
    framework: Framework | None, *, name: str, fieldwork_starts_on, user, version
) -> Framework:
    permissions.EDIT_FRAMEWORK.require(user)
    if not name.strip():
        raise RuleBroken("Enter the name of the framework", field="name")
    if framework is None:
        framework = Framework(name=name.strip(), fieldwork_starts_on=fieldwork_starts_on)
        db.session.add(framework)
        db.session.flush()
        record("inspection.framework.create", framework, after=framework.audit_view())
        return framework
    before = framework.audit_view()
    claim(framework, version)
    framework.name = name.strip()
    framework.fieldwork_starts_on = fieldwork_starts_on
    record("inspection.framework.edit", framework, before=before, after=framework.audit_view())
    return framework


@dataclass
class AreaDetails:
    name: str
    description: str
    descriptors: dict[str, str]


def save_area(
    area: JudgementArea | None, framework: Framework | None, details: AreaDetails, *, user, version=None
):
    """An administrator adds or edits a judgement area and its four grade descriptors."""
    permissions.EDIT_FRAMEWORK.require(user)
    if framework is None:
        raise RuleBroken("Set up the framework before adding its judgement areas", field="name")
    clash = db.session.scalar(
        select(JudgementArea.id).where(
            JudgementArea.framework_id == framework.id,
            func.lower(JudgementArea.name) == details.name.strip().lower(),
        )
    )
    if clash is not None and (area is None or clash != area.id):
        raise RuleBroken("The framework already has a judgement area with this name", field="name")
    before = None
    if area is None:
        position = db.session.scalar(
            select(func.coalesce(func.max(JudgementArea.position), 0)).where(
                JudgementArea.framework_id == framework.id
            )
        )
        area = JudgementArea(framework_id=framework.id, position=position + 1, name=details.name.strip())
        db.session.add(area)
        db.session.flush()
    else:
        before = {**area.audit_view(), "descriptors": {d.grade: d.text for d in area.descriptors}}
        claim(area, version)
    area.name = details.name.strip()
    area.description = details.description.strip()
    existing = {d.grade: d for d in area.descriptors}
    for position, grade in enumerate(GRADES):
        text = (details.descriptors.get(grade) or "").strip()
        if grade in existing:
            existing[grade].text = text
        else:
            db.session.add(GradeDescriptor(area_id=area.id, grade=grade, position=position, text=text))
    after = {**area.audit_view(), "descriptors": {g: details.descriptors.get(g, "") for g in GRADES}}
    record(
        "inspection.area.create" if before is None else "inspection.area.edit",
        area,
        before=before,
        after=after,
    )
    return area


# --- The self-assessment ---------------------------------------------------------------------------


def save_agency_input(
    area: JudgementArea, *, user, suggested_grade: str | None, text: str, version
) -> AgencyInput:
    """An agency lead gives their agency's view of an area (one per agency, edited in place)."""
    existing = db.session.scalar(
        select(AgencyInput).where(AgencyInput.area_id == area.id, AgencyInput.agency_id == user.agency_id)
    )
    agency_input = existing or AgencyInput(area_id=area.id, agency_id=user.agency_id)
    permissions.CONTRIBUTE.require(user, agency_input)
    if suggested_grade and suggested_grade not in GRADES:
        raise RuleBroken("Choose one of the four grades", field="suggested_grade")
    if not text.strip():
        raise RuleBroken("Enter your agency's view", field="text")
    before = None
    if existing is None:
        if version:  # the form saw an input that is no longer there
            raise StaleEdit()
        db.session.add(agency_input)
    else:
        before = existing.audit_view()
        claim(existing, version)
    agency_input.suggested_grade = suggested_grade or None
    agency_input.text = text.strip()
    agency_input.updated_by_id = user.id
    agency_input.updated_at = utcnow()
    db.session.flush()
    record("inspection.input.save", agency_input, before=before, after=agency_input.audit_view())
    return agency_input


def consolidate(
    area: JudgementArea, *, user, grade: str, strengths: str, areas_for_development: str, note: str, version
) -> AssessmentVersion:
    """The programme manager saves the partnership's judgement of an area as a new version. A
    grade that moves from the last version needs a reason, so the history explains itself."""
    permissions.CONSOLIDATE.require(user)
    if grade not in GRADES:
        raise RuleBroken("Choose the grade the partnership judges itself", field="grade")
    if not strengths.strip():
        raise RuleBroken("Enter the strengths the evidence shows", field="strengths")
    if grade != Grade.OUTSTANDING and not areas_for_development.strip():
        raise RuleBroken(
            "Enter the areas for development: only an outstanding area may have none",
            field="areas_for_development",
        )
    if area.grade is not None and grade != area.grade and not note.strip():
        raise RuleBroken(
            f"Say why the judgement moved from {area.grade_label.lower()} to {grade}", field="note"
        )
    before = area.audit_view()
    claim(area, version)
    number = (
        db.session.scalar(
            select(func.max(AssessmentVersion.number)).where(AssessmentVersion.area_id == area.id)
        )
        or 0
    ) + 1
    area.grade = grade
    area.strengths = strengths.strip()
    area.areas_for_development = areas_for_development.strip()
    area.assessed_at = utcnow()
    area.assessed_by_id = user.id
    saved = AssessmentVersion(
        area_id=area.id,
        number=number,
        grade=grade,
        strengths=area.strengths,
        areas_for_development=area.areas_for_development,
        note=note.strip()[:300],
        saved_by_id=user.id,
    )
    db.session.add(saved)
    db.session.flush()
    record(
        "inspection.area.consolidate",
        area,
        before=before,
        after={**area.audit_view(), "version": number},
        summary=f"Version {number}: {area.name} judged {grade}",
    )
    return saved


def link_action(area: JudgementArea, *, user, reference: str) -> Action:
    """Link a partnership action that addresses one of the area's areas for development."""
    permissions.CONSOLIDATE.require(user)
    action = db.session.scalar(
        select(Action).where(func.upper(Action.reference) == reference.strip().upper())
    )
    if action is None:
        raise RuleBroken("There is no action with this reference", field="reference")
    if action in area.actions:
        raise RuleBroken("This action is already linked to the area", field="reference")
    area.actions.append(action)
    record(
        "inspection.area.link_action",
        area,
        after={"action_id": action.id, "reference": action.reference},
        summary=f"Linked {action.reference} to {area.name}",
    )
    return action


# --- The overview ------------------------------------------------------------------------------------


@dataclass
class Readiness:
    framework: Framework | None
    days_to_fieldwork: int | None
    areas: list[JudgementArea]
    checklist_ticked: int
    checklist_total: int
    conflicts: int


def readiness(framework: Framework | None) -> Readiness:
    from app.inspection.schedule import conflict_count
    from app.report_cache import remember

    areas = (
        db.session.scalars(
            select(JudgementArea)
            .where(JudgementArea.framework_id == framework.id)
            .order_by(JudgementArea.position)
        ).all()
        if framework is not None
        else []
    )
    ticked, total = db.session.execute(
        select(func.count(ChecklistItem.evidence_id), func.count(ChecklistItem.id))
    ).one()
    # Clashes are found across the whole schedule: kept until an audit event says it changed.
    conflicts = remember("inspection.conflicts", None, conflict_count)
    return Readiness(framework, days_to_fieldwork(framework), areas, ticked, total, conflicts)
