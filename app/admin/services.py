"""Managing agencies and users. Each function checks who may do it and records its audit event;
the caller commits. Edits claim the version the form was loaded at (a second admin's stale edit is
a StaleEdit, not an overwrite)."""

from __future__ import annotations

import logging

from flask import current_app, url_for
from sqlalchemy import func, select

from app.admin.permissions import MANAGE_AGENCIES, MANAGE_USERS
from app.audit import record
from app.auth.models import Agency, User, count_active_holders, normalise_email
from app.auth.services import create_invitation, end_all_sessions
from app.errors import RuleBroken
from app.extensions import db
from app.locking import claim
from app.mail import send_mail

log = logging.getLogger(__name__)


def create_agency(*, name: str, kind: str, district: str, actor: User) -> Agency:
    MANAGE_AGENCIES.require(actor)
    agency = Agency(name=name, kind=kind, district=district or "", active=True)
    db.session.add(agency)
    db.session.flush()
    record("agency.create", agency, after=agency.audit_view(), summary=f"Added agency {name}")
    return agency


def update_agency(
    agency: Agency, *, name: str, kind: str, district: str, actor: User, loaded_version: int | None
) -> None:
    MANAGE_AGENCIES.require(actor)
    claim(agency, loaded_version)
    before = agency.audit_view()
    agency.name, agency.kind, agency.district = name, kind, district or ""
    after = agency.audit_view()
    if after != before:
        record("agency.update", agency, before=before, after=after, summary=f"Edited agency {name}")


def count_active_users(agency: Agency) -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(User.agency_id == agency.id, User.active.is_(True))
    )


def set_agency_active(agency: Agency, active: bool, *, actor: User) -> None:
    MANAGE_AGENCIES.require(actor)
    if agency.active == active:
        return
    if not active and count_active_users(agency):
        raise RuleBroken(
            f"{agency.name} still has active users. Deactivate them or move them to another "
            "agency before archiving it."
        )
    before = agency.audit_view()
    agency.active = active
    record(
        "agency.restore" if active else "agency.archive",
        agency,
        before=before,
        after=agency.audit_view(),
        summary=f"{'Restored' if active else 'Archived'} agency {agency.name}",
    )


def invite_user(
    *, email: str, full_name: str, agency_id: int, role: str, invited_by: User
) -> tuple[User, str]:
    """Create the account without a password and a single-use link to set one. Returns the link."""
    MANAGE_USERS.require(invited_by)
    user = User(
        email=normalise_email(email),
        full_name=full_name,
        agency_id=agency_id,
        role=role,
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    record("user.invite", user, after=user.audit_view(), summary=f"Invited {user.email} as {user.role_label}")
    link = _issue_invitation(user, invited_by)
    return user, link


def resend_invitation(user: User, *, invited_by: User) -> str:
    MANAGE_USERS.require(invited_by)
    if user.has_password:
        raise RuleBroken(f"{user.full_name} has already set a password.")
    if not user.active:
        raise RuleBroken(f"{user.full_name}'s account is deactivated. Reactivate it first.")
    record("user.invitation_resent", user, summary=f"Sent a new invitation to {user.email}")
    return _issue_invitation(user, invited_by)


def _issue_invitation(user: User, invited_by: User) -> str:
    token = create_invitation(user, created_by=invited_by)
    link = url_for("auth.set_password_from_invitation", token=token, _external=True)
    partnership = current_app.config["PARTNERSHIP_NAME"]
    sent = send_mail(
        to=user.email,
        subject=f"You have been invited to the {partnership} portal",
        body=(
            f"Dear {user.full_name},\n\n{invited_by.full_name} has given you an account on the "
            f"{partnership} portal.\n\nSet your password using this link within "
            f"{current_app.config['INVITATION_LIFETIME'].days} days:\n{link}\n\n"
            "If you were not expecting this, you can ignore this email.\n"
        ),
    )
    if not sent and current_app.config["LOG_INVITATION_LINKS"]:
        log.info("Invitation link for %s (mail not configured): %s", user.email, link)
    return link


def _is_last_administrator(user: User) -> bool:
    """The only active account left that can manage users (so could never be replaced)."""
    return MANAGE_USERS.allows(user) and user.active and count_active_holders(MANAGE_USERS) <= 1


def update_user(
    user: User, *, full_name: str, agency_id: int, role: str, actor: User, loaded_version: int | None
) -> None:
    MANAGE_USERS.require(actor)
    claim(user, loaded_version)
    before = user.audit_view()
    role_changed = user.role != role
    agency_changed = user.agency_id != agency_id
    # The last one who can manage users keeps a role that can (an unchanged role always can).
    if not MANAGE_USERS.held_by_role(role) and _is_last_administrator(user):
        raise RuleBroken(
            "This is the only active administrator. Make someone else an administrator first.", field="role"
        )
    user.full_name, user.agency_id, user.role = full_name, agency_id, role
    after = user.audit_view()
    if after == before:
        return
    if role_changed or agency_changed:
        # What they may see has changed: make them sign in again under the new rules.
        end_all_sessions(user, "role_changed" if role_changed else "agency_changed")
    action = "user.role_change" if role_changed else "user.update"
    summary = (
        f"Changed {user.email}'s role from {before['role']} to {role}"
        if role_changed
        else f"Edited {user.email}"
    )
    record(action, user, before=before, after=after, summary=summary, actor=actor)


def set_user_active(user: User, active: bool, *, actor: User) -> None:
    MANAGE_USERS.require(actor)
    if user.active == active:
        return
    if not active:
        if user.id == actor.id:
            raise RuleBroken("You cannot deactivate your own account.")
        if _is_last_administrator(user):
            raise RuleBroken("This is the only active administrator.")
    if active and not user.agency.active:
        raise RuleBroken(f"{user.agency.name} is archived. Restore the agency first.")
    before = user.audit_view()
    user.active = active
    if not active:
        end_all_sessions(user, "deactivated")
    record(
        "user.reactivate" if active else "user.deactivate",
        user,
        before=before,
        after=user.audit_view(),
        summary=f"{'Reactivated' if active else 'Deactivated'} {user.email}",
        actor=actor,
    )
