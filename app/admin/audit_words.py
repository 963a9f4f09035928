"""Agencies and accounts in the audit trail's words, linked to their edit pages."""

from flask import url_for
from sqlalchemy import select

from app.audit.words import EventWords, FieldWords, RecordKind, events, fields, no_key, no_number, record_kind
from app.auth.models import AGENCY_KIND_LABELS, ROLE_LABELS, Agency, User

events(
    {
        "agency.create": EventWords("Added an agency"),
        "agency.update": EventWords("Edited an agency"),
        "agency.archive": EventWords("Archived an agency"),
        "agency.restore": EventWords("Restored an agency"),
        "user.create": EventWords("Created an account"),
        "user.invite": EventWords("Invited someone"),
        "user.invitation_resent": EventWords("Sent a new invitation"),
        "user.update": EventWords("Edited someone's details"),
        "user.role_change": EventWords("Changed someone's role"),
        "user.deactivate": EventWords("Deactivated an account"),
        "user.reactivate": EventWords("Reactivated an account"),
    }
)

record_kind(
    "users",
    RecordKind(
        "Person",
        "People",
        names=lambda ids: select(User.id, User.full_name, no_key(), no_number()).where(User.id.in_(ids)),
        link=lambda row: url_for("admin.edit_user", user_id=row.id),
    ),
)
record_kind(
    "agencies",
    RecordKind(
        "Agency",
        "Agencies",
        names=lambda ids: select(Agency.id, Agency.name, no_key(), no_number()).where(Agency.id.in_(ids)),
        link=lambda row: url_for("admin.edit_agency", agency_id=row.id),
    ),
)

fields(
    "users",
    {
        "email": FieldWords("Email address"),
        "full_name": FieldWords("Name"),
        "agency_id": FieldWords("Agency", refers_to="agencies"),
        "role": FieldWords("Role", {str(role): label for role, label in ROLE_LABELS.items()}),
        "active": FieldWords("Active"),
    },
)
fields(
    "agencies",
    {
        "name": FieldWords("Name"),
        "kind": FieldWords("Kind", {str(kind): label for kind, label in AGENCY_KIND_LABELS.items()}),
        "district": FieldWords("District or area"),
        "active": FieldWords("Active"),
    },
)
