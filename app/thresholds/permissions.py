"""Who writes, publishes, acknowledges and oversees threshold documents. Reading a published
version needs no permission: public documents are open to anyone, the rest to every signed-in user."""

from app.auth.models import Role
from app.permissions import ALWAYS, Permission

WRITE = Permission(
    "thresholds.write",
    "Create threshold documents, edit their drafts and settings, and read drafts",
    {Role.ADMIN: ALWAYS},
)
PUBLISH = Permission("thresholds.publish", "Publish a draft as the current version", {Role.ADMIN: ALWAYS})
ACKNOWLEDGE = Permission(
    "thresholds.acknowledge",
    "Confirm that your agency's staff have been briefed on the current version",
    {Role.AGENCY_LEAD: ALWAYS},
)
SEE_ACKNOWLEDGEMENTS = Permission(
    "thresholds.see_acknowledgements",
    "See which agencies have acknowledged a version",
    {Role.ADMIN: ALWAYS, Role.TRUST_MEMBER: ALWAYS},
)
