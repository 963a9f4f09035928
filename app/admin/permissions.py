"""Who administers the portal's agencies and accounts."""

from app.auth.models import Role
from app.permissions import ALWAYS, Permission

MANAGE_AGENCIES = Permission(
    "admin.manage_agencies", "Add, edit, archive and restore agencies", {Role.ADMIN: ALWAYS}
)
MANAGE_USERS = Permission(
    "admin.manage_users",
    "Invite people, change their role or agency, deactivate and reactivate accounts",
    {Role.ADMIN: ALWAYS},
)
