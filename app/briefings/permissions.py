"""Everyone reads the briefings meant for them; the project team publishes them; the programme
manager sees how many in each agency have read each one."""

from sqlalchemy import Select, or_

from app.auth.models import Role
from app.briefings.models import Briefing
from app.permissions import ALWAYS, Permission

READ = Permission("briefings.read", "Read the briefings meant for you", {role: ALWAYS for role in Role})
PUBLISH = Permission(
    "briefings.publish",
    "Publish a briefing to staff, partners and stakeholders",
    {Role.PROGRAMME_MANAGER: ALWAYS, Role.ADMIN: ALWAYS},
)
SEE_READS = Permission(
    "briefings.see_reads",
    "See how many people in each agency have read each briefing",
    {Role.PROGRAMME_MANAGER: ALWAYS},
)


def briefings_for(stmt: Select, user, agency_kind) -> Select:
    """The briefings whose audience includes this user: by role, and by their agency's kind (a
    value or a scalar subquery). The programme manager sees every briefing."""
    if SEE_READS.allows(user):
        return stmt
    return stmt.where(
        or_(Briefing.audience_roles == "", Briefing.audience_roles.like(f"%,{user.role},%")),
        or_(Briefing.audience_kinds == "", Briefing.audience_kinds.like("%," + agency_kind + ",%")),
    )
