"""Who runs the improvement programme's projects."""

from app.auth.models import Role
from app.permissions import ALWAYS, Permission

MANAGE_PROJECTS = Permission(
    "programme.manage_projects",
    "Add and edit the programme's projects",
    {Role.PROGRAMME_MANAGER: ALWAYS, Role.ADMIN: ALWAYS},
)
