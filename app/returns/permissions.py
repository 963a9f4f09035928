"""Who prepares, submits and reviews safer-recruitment returns, and which returns each person sees.

An agency's return is its own until it is submitted: its partners prepare it, its lead submits
it. Reviewers (the programme manager and Children's Trust members) see every agency's returns once
submitted and accept them or return them for amendment. Administrators see everything; the
programme manager and administrators manage the periods.
"""

from sqlalchemy import Select, false, select

from app.auth.models import Role
from app.permissions import ALWAYS, Permission, only
from app.returns.models import Return, ReturnStatus

OWN_AGENCY = only("own agency", lambda user, record: record.agency_id == user.agency_id)
ONCE_SUBMITTED = only("once submitted", lambda user, record: record.status != ReturnStatus.DRAFT)

SEE = Permission(
    "returns.see",
    "See safer-recruitment returns: your own agency's, or every agency's once submitted",
    {
        Role.PARTNER: ALWAYS,
        Role.AGENCY_LEAD: ALWAYS,
        Role.TRUST_MEMBER: ALWAYS,
        Role.PROGRAMME_MANAGER: ALWAYS,
        Role.ADMIN: ALWAYS,
    },
)
VIEW = Permission(
    "returns.view",
    "Read a safer-recruitment return",
    {
        Role.PARTNER: OWN_AGENCY,
        Role.AGENCY_LEAD: OWN_AGENCY,
        Role.TRUST_MEMBER: ONCE_SUBMITTED,
        Role.PROGRAMME_MANAGER: ONCE_SUBMITTED,
        Role.ADMIN: ALWAYS,
    },
)
PREPARE = Permission(
    "returns.prepare",
    "Start your agency's safer-recruitment return and save its draft",
    {Role.PARTNER: OWN_AGENCY, Role.AGENCY_LEAD: OWN_AGENCY},
)
SUBMIT = Permission(
    "returns.submit",
    "Submit your agency's safer-recruitment return to the partnership",
    {Role.AGENCY_LEAD: OWN_AGENCY},
)
REVIEW = Permission(
    "returns.review",
    "Accept a submitted return, or return it to the agency for amendment with a reason",
    {Role.TRUST_MEMBER: ALWAYS, Role.PROGRAMME_MANAGER: ALWAYS},
)
PARTNERSHIP_VIEW = Permission(
    "returns.partnership_view",
    "See every agency's returns for a period, their compliance, and download them as CSV",
    {Role.TRUST_MEMBER: ALWAYS, Role.PROGRAMME_MANAGER: ALWAYS, Role.ADMIN: ALWAYS},
)
MANAGE_PERIODS = Permission(
    "returns.manage_periods",
    "Create return periods and change their dates and the agencies they apply to",
    {Role.PROGRAMME_MANAGER: ALWAYS, Role.ADMIN: ALWAYS},
)
TOLD_ABOUT_OWN_RETURNS = Permission(
    "returns.told_about_own_returns",
    "Be told when your agency's return is returned, and reminded when it is due or overdue",
    {Role.AGENCY_LEAD: OWN_AGENCY},
)


def visible_returns(user) -> Select:
    """The returns this user may read, as a query (VIEW, as a condition): their agency's, every
    submitted one, or all."""
    stmt = select(Return)
    grant = VIEW.grants.get(user.role)
    if grant is None:
        return stmt.where(false())
    if grant is ALWAYS:
        return stmt
    if grant is ONCE_SUBMITTED:
        return stmt.where(Return.status != ReturnStatus.DRAFT)
    return stmt.where(Return.agency_id == user.agency_id)
