"""Who reads young people's words, who acts on a worrying message, and who sees only counts.

Giving feedback needs no permission: young people have no account.
"""

from app.auth.models import Role
from app.permissions import ALWAYS, Permission

READ_FEEDBACK = Permission(
    "participation.read_feedback",
    "Read young people's feedback, tag its themes and mark it reviewed",
    {Role.PARTICIPATION_LEAD: ALWAYS, Role.ADMIN: ALWAYS},
)
ACT_ON_FLAGGED = Permission(
    "participation.act_on_flagged",
    "Record what was done about a message that may show a young person at risk",
    {Role.PARTICIPATION_LEAD: ALWAYS},
)
RECEIVE_ALERTS = Permission(
    "participation.receive_alerts",
    "Be alerted at once when a young person's message may show they are at risk",
    {Role.PARTICIPATION_LEAD: ALWAYS},
)
MANAGE = Permission(
    "participation.manage",
    'Run consultations and publish "you said, we did"',
    {Role.PARTICIPATION_LEAD: ALWAYS, Role.ADMIN: ALWAYS},
)
SEE_SUMMARY = Permission(
    "participation.see_summary",
    "See themes and counts of young people's feedback, never their words",
    {
        Role.TRUST_MEMBER: ALWAYS,
        Role.PROGRAMME_MANAGER: ALWAYS,
        Role.PARTICIPATION_LEAD: ALWAYS,
        Role.ADMIN: ALWAYS,
    },
)
