"""Inspection readiness in the audit trail's words."""

from flask import url_for
from sqlalchemy import literal, select

from app.audit.words import EventWords, FieldWords, RecordKind, events, fields, no_number, record_kind
from app.auth.models import Agency
from app.inspection.models import (
    GRADE_LABELS,
    Activity,
    AgencyInput,
    AgencyUnavailability,
    ChecklistItem,
    EvidenceItem,
    Framework,
    JudgementArea,
)

events(
    {
        "inspection.framework.create": EventWords("Set up the inspection framework"),
        "inspection.framework.edit": EventWords("Edited the inspection framework"),
        "inspection.area.create": EventWords("Added a judgement area"),
        "inspection.area.edit": EventWords("Edited a judgement area and its grade descriptors"),
        "inspection.area.consolidate": EventWords(
            "Consolidated the self-assessment of an area", "{who} {did}"
        ),
        "inspection.area.link_action": EventWords("Linked an action to a judgement area"),
        "inspection.input.save": EventWords("Gave an agency's view of a judgement area"),
        "inspection.evidence.add": EventWords("Added evidence for the inspection"),
        "inspection.evidence.pack": EventWords("Downloaded the evidence pack"),
        "inspection.checklist.save": EventWords("Changed the inspection checklist"),
        "inspection.activity.create": EventWords("Added an inspection activity"),
        "inspection.activity.edit": EventWords("Changed an inspection activity"),
        "inspection.schedule.import": EventWords("Imported a draft inspection schedule"),
        "inspection.unavailable.add": EventWords("Recorded a day an agency cannot take part"),
    }
)

record_kind(
    "inspection_frameworks",
    RecordKind(
        "Inspection framework",
        "Inspection frameworks",
        names=lambda ids: select(Framework.id, Framework.name, literal(""), no_number()).where(
            Framework.id.in_(ids)
        ),
        link=lambda row: url_for("inspection.edit_framework"),
    ),
)
record_kind(
    "inspection_areas",
    RecordKind(
        "Judgement area",
        "Judgement areas",
        names=lambda ids: select(JudgementArea.id, JudgementArea.name, literal(""), JudgementArea.id).where(
            JudgementArea.id.in_(ids)
        ),
        link=lambda row: url_for("inspection.show_area", area_id=row.number),
    ),
)
record_kind(
    "inspection_agency_inputs",
    RecordKind(
        "Agency's view of a judgement area",
        "Agencies' views",
        names=lambda ids: select(AgencyInput.id, JudgementArea.name, literal(""), JudgementArea.id)
        .join(JudgementArea, JudgementArea.id == AgencyInput.area_id)
        .where(AgencyInput.id.in_(ids)),
        link=lambda row: url_for("inspection.show_area", area_id=row.number),
    ),
)
record_kind(
    "inspection_evidence",
    RecordKind(
        "Evidence",
        "Evidence",
        names=lambda ids: select(EvidenceItem.id, EvidenceItem.title, literal(""), no_number()).where(
            EvidenceItem.id.in_(ids)
        ),
        link=lambda row: url_for("inspection.list_evidence"),
    ),
)
record_kind(
    "inspection_checklist",
    RecordKind(
        "Checklist document",
        "Checklist documents",
        names=lambda ids: select(ChecklistItem.id, ChecklistItem.title, literal(""), ChecklistItem.id).where(
            ChecklistItem.id.in_(ids)
        ),
        link=lambda row: url_for("inspection.edit_checklist_item", item_id=row.number),
    ),
)
record_kind(
    "inspection_activities",
    RecordKind(
        "Inspection activity",
        "Inspection activities",
        names=lambda ids: select(Activity.id, Activity.title, literal(""), Activity.id).where(
            Activity.id.in_(ids)
        ),
        link=lambda row: url_for("inspection.edit_activity", activity_id=row.number),
    ),
)
record_kind(
    "inspection_unavailability",
    RecordKind(
        "Day an agency cannot take part",
        "Days agencies cannot take part",
        names=lambda ids: select(AgencyUnavailability.id, Agency.name, literal(""), no_number())
        .join(Agency, Agency.id == AgencyUnavailability.agency_id)
        .where(AgencyUnavailability.id.in_(ids)),
        link=lambda row: url_for("inspection.record_unavailable_day"),
    ),
)
fields(
    "inspection_areas",
    {
        "grade": FieldWords("Grade", GRADE_LABELS),
        "strengths": FieldWords("Strengths"),
        "areas_for_development": FieldWords("Areas for development"),
    },
)
fields("inspection_agency_inputs", {"suggested_grade": FieldWords("Suggested grade", GRADE_LABELS)})
fields("inspection_evidence", {"owner_agency_id": FieldWords("Owner agency", refers_to="agencies")})
fields("inspection_checklist", {"owner_agency_id": FieldWords("Owner agency", refers_to="agencies")})
fields("inspection_activities", {"agency_id": FieldWords("Agency", refers_to="agencies")})
fields("inspection_unavailability", {"agency_id": FieldWords("Agency", refers_to="agencies")})
