"""Permissions that span the partnership rather than one feature."""

from app.auth.models import Role
from app.permissions import ALWAYS, Permission

SEE_ALL_AGENCIES = Permission(
    "partnership.see_all_agencies",
    "See every agency's people and records, not only your own agency's",
    {
        Role.TRUST_MEMBER: ALWAYS,
        Role.PROGRAMME_MANAGER: ALWAYS,
        Role.PARTICIPATION_LEAD: ALWAYS,
        Role.ADMIN: ALWAYS,
    },
)
