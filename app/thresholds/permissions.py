"""Who writes, publishes, acknowledges and oversees threshold documents. Reading a published
version needs no permission: public documents are open to anyone, the rest to every signed-in user."""

from app.auth.models import Role
from app.permissions import ALWAYS, Permission

WRITE = Permission(
    "thresholds.write",
    "Create threshold documents, edit their drafts and settings, and read drafts",
    {Role.ADMIN: ALWAYS},
)
PUBLISH = Permission(
    "thresholds.publish",
    "Publish a draft, to take effect today or on a later date",
    {Role.ADMIN: ALWAYS},
)
ACKNOWLEDGE = Permission(
    "thresholds.acknowledge",
    "Confirm that your agency's staff have been briefed on the current or next version",
    {Role.AGENCY_LEAD: ALWAYS},
)
SEE_ACKNOWLEDGEMENTS = Permission(
    "thresholds.see_acknowledgements",
    "See which agencies have acknowledged a version",
    {Role.ADMIN: ALWAYS, Role.TRUST_MEMBER: ALWAYS, Role.PROGRAMME_MANAGER: ALWAYS},
)
EDIT_SYNONYMS = Permission(
    "thresholds.edit_synonyms",
    "Edit the list of words that threshold search treats as meaning the same",
    {Role.ADMIN: ALWAYS},
)
