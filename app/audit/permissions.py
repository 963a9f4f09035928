"""Who reads the audit trail."""

from app.auth.models import Role
from app.permissions import ALWAYS, Permission

READ_AUDIT_TRAIL = Permission("audit.read", "Read the audit trail of every change", {Role.ADMIN: ALWAYS})
