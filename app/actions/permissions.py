"""Who may do what with partnership actions, and which actions each person sees."""

from sqlalchemy import Select, false, or_, select, true

from app.actions.models import Action, Challenge, Review
from app.auth.models import Role
from app.permissions import ALWAYS, Permission, only

OWN_AGENCY = only("own agency", lambda user, action: action.owner_agency_id == user.agency_id)
OWN_AGENCY_OR_RUNS_PROGRAMME = {
    Role.PARTNER: OWN_AGENCY,
    Role.AGENCY_LEAD: OWN_AGENCY,
    Role.PROGRAMME_MANAGER: ALWAYS,
    Role.ADMIN: ALWAYS,
}

MANAGE = Permission(
    "actions.manage",
    "Add actions to projects, edit and close them, and accept or return agencies' proposals",
    {Role.PROGRAMME_MANAGER: ALWAYS, Role.ADMIN: ALWAYS},
)
PROPOSE = Permission(
    "actions.propose",
    "Propose an action for your own agency",
    {Role.PARTNER: ALWAYS, Role.AGENCY_LEAD: ALWAYS},
)
ADD = Permission(
    "actions.add",
    "Add an action: into a project for those who run the programme, as a proposal for agencies",
    {**PROPOSE.grants, **MANAGE.grants},
)
UPDATE = Permission("actions.update", "Post progress updates on an action", OWN_AGENCY_OR_RUNS_PROGRAMME)
RESPOND = Permission("actions.respond", "Respond to a challenge on an action", OWN_AGENCY_OR_RUNS_PROGRAMME)
CHALLENGE = Permission(
    "actions.challenge",
    "Challenge an action's owner about its progress",
    {Role.TRUST_MEMBER: ALWAYS, Role.PROGRAMME_MANAGER: ALWAYS},
)
CLOSE_CHALLENGE = Permission(
    "actions.close_challenge",
    "Close a challenge once it has been answered",
    {
        Role.TRUST_MEMBER: only("who raised it", lambda user, challenge: challenge.raised_by_id == user.id),
        Role.PROGRAMME_MANAGER: ALWAYS,
        Role.ADMIN: ALWAYS,
    },
)
REVISE_PROPOSAL = Permission(
    "actions.revise_proposal",
    "Edit your agency's proposed action and send it again once it has been returned",
    {Role.PARTNER: OWN_AGENCY, Role.AGENCY_LEAD: OWN_AGENCY},
)
WITHDRAW_PROPOSAL = Permission(
    "actions.withdraw_proposal",
    "Withdraw a proposed action before it is accepted",
    {
        Role.PARTNER: only("who proposed it", lambda user, action: action.submitted_by_id == user.id),
        Role.AGENCY_LEAD: OWN_AGENCY,
    },
)
TOLD_ABOUT_OWN_ACTIONS = Permission(
    "actions.told_about_own_actions",
    "Be told when your agency's action is challenged, and reminded when it is due or overdue",
    {Role.AGENCY_LEAD: OWN_AGENCY},
)
OVERSEE = Permission(
    "actions.oversee",
    "See the partnership's overdue and red actions on the home page",
    {Role.TRUST_MEMBER: ALWAYS, Role.PROGRAMME_MANAGER: ALWAYS, Role.ADMIN: ALWAYS},
)


def visible_actions(user) -> Select:
    """Accepted actions are the partnership's shared plan; proposals (returned and withdrawn ones
    too) are seen only by their own agency and by those who run the programme."""
    stmt = select(Action)
    if MANAGE.allows(user):
        return stmt
    if PROPOSE.allows(user):
        return stmt.where(or_(Action.review == Review.ACCEPTED, Action.owner_agency_id == user.agency_id))
    return stmt.where(Action.review == Review.ACCEPTED)


def challenges_to_close(user):
    """SQL: the challenges this user may close (CLOSE_CHALLENGE, as a condition for queries)."""
    grant = CLOSE_CHALLENGE.grants.get(user.role)
    if grant is None:
        return false()
    if grant is ALWAYS:
        return true()
    return Challenge.raised_by_id == user.id
