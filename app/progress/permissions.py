"""Who reviews the partnership's progress, and who sees one agency's record."""

from app.auth.models import Role
from app.permissions import ALWAYS, Permission, only

OWN_AGENCY = only("own agency", lambda user, agency: agency.id == user.agency_id)

VIEW = Permission(
    "progress.view",
    "Review the partnership's progress across every agency and download the board report",
    {Role.TRUST_MEMBER: ALWAYS, Role.PROGRAMME_MANAGER: ALWAYS, Role.ADMIN: ALWAYS},
)
VIEW_AGENCY = Permission(
    "progress.view_agency",
    "See everything one agency owes and has done for the partnership",
    {
        Role.PARTNER: OWN_AGENCY,
        Role.AGENCY_LEAD: OWN_AGENCY,
        Role.TRUST_MEMBER: ALWAYS,
        Role.PROGRAMME_MANAGER: ALWAYS,
        Role.ADMIN: ALWAYS,
    },
)
