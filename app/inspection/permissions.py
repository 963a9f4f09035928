"""Who prepares for the inspection: everyone sees the overview and their own schedule; agency
leads add their agency's view and evidence; the programme manager consolidates, runs the
schedule and exports the evidence pack; administrators keep the framework."""

from sqlalchemy import Select, or_

from app.auth.models import Role
from app.inspection.models import EvidenceItem, Visibility
from app.permissions import ALWAYS, Permission, only

EVERYONE = {role: ALWAYS for role in Role}
OWN_AGENCY = only("own agency", lambda user, record: record.agency_id == user.agency_id)
OWN_AGENCY_EVIDENCE = only("own agency", lambda user, item: item.owner_agency_id == user.agency_id)

VIEW = Permission(
    "inspection.view",
    "See how ready the partnership is for inspection: the self-assessment, evidence and schedule",
    EVERYONE,
)
EDIT_FRAMEWORK = Permission(
    "inspection.edit_framework",
    "Edit the inspection framework, its judgement areas and grade descriptors",
    {Role.ADMIN: ALWAYS},
)
CONTRIBUTE = Permission(
    "inspection.contribute",
    "Give an agency's view of a judgement area of the self-assessment",
    {Role.AGENCY_LEAD: OWN_AGENCY, Role.PROGRAMME_MANAGER: ALWAYS},
)
CONSOLIDATE = Permission(
    "inspection.consolidate",
    "Consolidate the partnership's self-assessment of a judgement area and link actions to it",
    {Role.PROGRAMME_MANAGER: ALWAYS},
)
ADD_EVIDENCE = Permission(
    "inspection.add_evidence",
    "Add evidence for the inspection: upload a document or link a portal page",
    {Role.AGENCY_LEAD: OWN_AGENCY_EVIDENCE, Role.PROGRAMME_MANAGER: ALWAYS, Role.ADMIN: ALWAYS},
)
MANAGE_CHECKLIST = Permission(
    "inspection.manage_checklist",
    "Keep the checklist of documents inspectors ask for, and tick items off with evidence",
    {Role.PROGRAMME_MANAGER: ALWAYS, Role.ADMIN: ALWAYS},
)
EXPORT_PACK = Permission(
    "inspection.export_pack",
    "Download the evidence pack for the inspection team",
    {Role.PROGRAMME_MANAGER: ALWAYS, Role.ADMIN: ALWAYS},
)
SEE_RESTRICTED = Permission(
    "inspection.see_restricted",
    "See every restricted evidence item, whichever roles it is restricted to",
    {Role.PROGRAMME_MANAGER: ALWAYS},
)
MANAGE_SCHEDULE = Permission(
    "inspection.manage_schedule",
    "Plan the inspectors' activities: add, change and import the schedule",
    {Role.PROGRAMME_MANAGER: ALWAYS, Role.ADMIN: ALWAYS},
)


REPORT_UNAVAILABLE = Permission(
    "inspection.report_unavailable",
    "Record a day an agency cannot take part in inspection activities",
    {
        Role.AGENCY_LEAD: only("own agency", lambda user, away: away.agency_id == user.agency_id),
        Role.PROGRAMME_MANAGER: ALWAYS,
        Role.ADMIN: ALWAYS,
    },
)


def visible_evidence(stmt: Select, user) -> Select:
    """Partnership-wide items for everyone; a restricted item for the roles it names."""
    if SEE_RESTRICTED.allows(user):
        return stmt
    return stmt.where(
        or_(
            EvidenceItem.visibility == Visibility.PARTNERSHIP,
            EvidenceItem.visible_to.like(f"%,{user.role},%"),
        )
    )
