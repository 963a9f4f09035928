"""The admin services, called directly: only admins manage agencies and accounts, the partnership
always keeps an administrator, and a refusal raises its own error and writes nothing."""

import logging
import secrets

import pytest
from flask import current_app
from sqlalchemy import select, update

from app.admin import permissions, services
from app.audit.models import AuditEvent
from app.auth.models import Invitation, Role, User, UserSession, token_digest
from app.errors import NotAllowed, RuleBroken, StaleEdit
from app.extensions import db
from app.permissions import ALWAYS
from tests.factories import make_agency, make_user, reload
from tests.service_checks import audit_actions, count, refused

NOT_ADMINS = ["partner", "agency_lead", "trust_member", "programme_manager", "participation_lead"]


@pytest.fixture
def admin(app):
    return make_user(role="admin")


def open_session(user) -> UserSession:
    session = UserSession(token_hash=token_digest(secrets.token_urlsafe()), user_id=user.id)
    db.session.add(session)
    db.session.commit()
    return session


def ended_reason(session: UserSession) -> str | None:
    db.session.expire_all()
    return db.session.get(UserSession, session.token_hash).ended_reason


def test_only_admins_hold_the_admin_permissions(app):
    for role in [*NOT_ADMINS, "admin"]:
        user = make_user(role=role)
        assert permissions.MANAGE_AGENCIES.allows(user) is (role == "admin")
        assert permissions.MANAGE_USERS.allows(user) is (role == "admin")


# --- Agencies --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_admins_manage_agencies(app, role):
    user = make_user(role=role)
    agency = user.agency
    with refused(NotAllowed):
        services.create_agency(name="New", kind="police", district="", actor=user)
    with refused(NotAllowed):
        services.update_agency(
            agency, name="Renamed", kind="police", district="", actor=user, loaded_version=agency.lock_version
        )
    with refused(NotAllowed):
        services.set_agency_active(agency, False, actor=user)


def test_an_admin_adds_an_agency(admin):
    agency = services.create_agency(name="Bassetlaw CVS", kind="voluntary", district="", actor=admin)
    assert (agency.name, agency.active) == ("Bassetlaw CVS", True)
    assert audit_actions() == ["agency.create"]


@pytest.mark.parametrize("loaded", [None, "earlier"])
def test_editing_an_agency_from_a_stale_form_is_refused(admin, loaded):
    agency = make_agency("Police")
    seen = agency.lock_version - 1 if loaded == "earlier" else None
    with refused(StaleEdit):
        services.update_agency(
            agency, name="Renamed", kind="police", district="", actor=admin, loaded_version=seen
        )
    assert reload(agency).name == "Police"


def test_an_agency_edit_is_audited_only_when_something_changed(admin):
    agency = make_agency("Police", district="Countywide")
    services.update_agency(
        agency,
        name="Police",
        kind="police",
        district="Countywide",
        actor=admin,
        loaded_version=agency.lock_version,
    )
    assert audit_actions() == []
    services.update_agency(
        agency,
        name="Notts Police",
        kind="police",
        district="",
        actor=admin,
        loaded_version=agency.lock_version,
    )
    assert audit_actions() == ["agency.update"]


def test_an_agency_with_active_users_cannot_be_archived(admin):
    agency = make_agency("Police")
    make_user(agency=agency)
    with refused(RuleBroken, match="still has active users"):
        services.set_agency_active(agency, False, actor=admin)
    assert reload(agency).active is True


def test_an_agency_whose_users_are_all_deactivated_is_archived_and_restored(admin):
    agency = make_agency("Police")
    make_user(agency=agency, active=False)
    services.set_agency_active(agency, False, actor=admin)
    services.set_agency_active(agency, True, actor=admin)
    assert agency.active is True
    assert audit_actions() == ["agency.archive", "agency.restore"]


def test_restoring_is_never_refused_for_active_users(admin):
    """An account moved into an archived agency is no reason to keep the agency archived."""
    agency = make_agency("Police", active=False)
    make_user(agency=agency)
    services.set_agency_active(agency, True, actor=admin)
    assert agency.active is True


def test_archiving_an_archived_agency_changes_nothing(admin):
    agency = make_agency("Police", active=False)
    services.set_agency_active(agency, False, actor=admin)
    services.set_agency_active(make_agency(), True, actor=admin)
    assert audit_actions() == []


# --- Invitations -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_admins_invite(app, role):
    user = make_user(role=role)
    with refused(NotAllowed):
        services.invite_user(
            email="new@example.test",
            full_name="New",
            agency_id=user.agency_id,
            role="partner",
            invited_by=user,
        )
    invitee = make_user(password=None)
    with refused(NotAllowed):
        services.resend_invitation(invitee, invited_by=user)


def test_an_invited_account_has_no_password_and_one_usable_link(admin):
    agency = make_agency()
    user, link = services.invite_user(
        email=" New@Example.TEST ",
        full_name="New Person",
        agency_id=agency.id,
        role="partner",
        invited_by=admin,
    )
    assert (user.email, user.has_password, user.active) == ("new@example.test", False, True)
    token = link.rsplit("/", 1)[-1]
    (invitation,) = db.session.scalars(select(Invitation)).all()
    assert invitation.token_hash == token_digest(token) and invitation.user_id == user.id
    assert audit_actions() == ["user.invite"]


def test_a_new_invitation_revokes_the_earlier_link(admin):
    _, first = services.invite_user(
        email="new@example.test", full_name="New", agency_id=admin.agency_id, role="partner", invited_by=admin
    )
    user = db.session.scalar(select(User).where(User.email == "new@example.test"))
    second = services.resend_invitation(user, invited_by=admin)
    db.session.commit()
    invitations = {i.token_hash: i for i in db.session.scalars(select(Invitation))}
    assert invitations[token_digest(first.rsplit("/", 1)[-1])].revoked_at is not None
    assert invitations[token_digest(second.rsplit("/", 1)[-1])].revoked_at is None


def test_no_invitation_is_resent_to_someone_with_a_password(admin):
    user = make_user()
    with refused(RuleBroken, match="already set a password"):
        services.resend_invitation(user, invited_by=admin)


def test_no_invitation_is_resent_to_a_deactivated_account(admin):
    user = make_user(password=None, active=False)
    with refused(RuleBroken, match="deactivated"):
        services.resend_invitation(user, invited_by=admin)


def test_invitation_links_are_logged_only_when_allowed_and_mail_did_not_send_them(admin, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="app.admin.services")

    def invite(n):
        return services.invite_user(
            email=f"new{n}@example.test",
            full_name="New",
            agency_id=admin.agency_id,
            role="partner",
            invited_by=admin,
        )[1]

    unsent = invite(1)  # the test configuration logs links and has no mail server
    current_app.config["LOG_INVITATION_LINKS"] = False
    not_logged = invite(2)
    current_app.config["LOG_INVITATION_LINKS"] = True
    monkeypatch.setattr(services, "send_mail", lambda **message: True)
    mailed = invite(3)
    logged = caplog.text
    assert unsent in logged and not_logged not in logged and mailed not in logged


# --- Accounts --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_admins_change_accounts(app, role):
    actor, user = make_user(role=role), make_user()
    with refused(NotAllowed):
        services.update_user(
            user,
            full_name="Renamed",
            agency_id=user.agency_id,
            role="admin",
            actor=actor,
            loaded_version=user.lock_version,
        )
    with refused(NotAllowed):
        services.set_user_active(user, False, actor=actor)
    assert (reload(user).role, reload(user).active) == ("partner", True)


@pytest.mark.parametrize("loaded", [None, "earlier"])
def test_changing_an_account_from_a_stale_form_is_refused(admin, loaded):
    user = make_user()
    seen = user.lock_version - 1 if loaded == "earlier" else None
    with refused(StaleEdit):
        services.update_user(
            user,
            full_name="Renamed",
            agency_id=user.agency_id,
            role="partner",
            actor=admin,
            loaded_version=seen,
        )


def change(user, actor, **changes):
    values = {"full_name": user.full_name, "agency_id": user.agency_id, "role": user.role}
    values.update(changes)
    services.update_user(user, **values, actor=actor, loaded_version=user.lock_version)


def test_the_only_active_administrator_cannot_stop_being_one(admin):
    make_user(role="admin", active=False)
    with refused(RuleBroken, match="only active administrator") as caught:
        change(admin, admin, role="programme_manager")
    assert caught.value.field == "role"
    assert reload(admin).role == "admin"


def test_the_only_administrator_may_change_their_name(admin):
    change(admin, admin, full_name="New Name")
    assert audit_actions() == ["user.update"]


def test_an_administrator_may_step_down_once_there_is_another(admin):
    make_user(role="admin")
    change(admin, admin, role="programme_manager")
    assert reload(admin).role == "programme_manager"


def test_the_rule_is_about_losing_the_permission_not_the_role_name(admin, monkeypatch):
    """If programme managers also managed users, the last admin could become one."""
    monkeypatch.setitem(permissions.MANAGE_USERS.grants, Role.PROGRAMME_MANAGER, ALWAYS)
    change(admin, admin, role="programme_manager")
    assert reload(admin).role == "programme_manager"


def test_a_role_or_agency_change_ends_the_accounts_sessions(admin):
    moved, promoted, renamed = make_user(), make_user(), make_user()
    sessions = {user.id: open_session(user) for user in (moved, promoted, renamed)}
    change(moved, admin, agency_id=make_agency().id)
    change(promoted, admin, role="agency_lead")
    change(renamed, admin, full_name="Renamed")
    db.session.commit()
    reasons = {user_id: ended_reason(session) for user_id, session in sessions.items()}
    assert reasons == {moved.id: "agency_changed", promoted.id: "role_changed", renamed.id: None}
    assert audit_actions() == ["user.update", "user.role_change", "user.update"]


def test_saving_an_account_unchanged_records_nothing(admin):
    user = make_user()
    session = open_session(user)
    change(user, admin)
    db.session.commit()
    assert audit_actions() == [] and ended_reason(session) is None


def test_deactivating_an_account_ends_its_sessions(admin):
    user = make_user()
    session = open_session(user)
    services.set_user_active(user, False, actor=admin)
    db.session.commit()
    assert (reload(user).active, ended_reason(session)) == (False, "deactivated")
    services.set_user_active(user, True, actor=admin)
    assert audit_actions() == ["user.deactivate", "user.reactivate"]


def test_deactivating_an_inactive_account_changes_nothing(admin):
    services.set_user_active(make_user(active=False), False, actor=admin)
    services.set_user_active(make_user(), True, actor=admin)
    assert audit_actions() == []


def test_nobody_deactivates_their_own_account(admin):
    make_user(role="admin")
    with refused(RuleBroken, match="cannot deactivate your own account"):
        services.set_user_active(admin, False, actor=admin)


def test_the_last_active_administrator_is_not_deactivated(admin):
    """Two admins deactivate each other at once: the second request loaded its admin before the
    first one committed, and finds the one it would deactivate is now the last."""
    other = make_user(role="admin")
    db.session.execute(
        update(User)
        .where(User.id == other.id)
        .values(active=False)
        .execution_options(synchronize_session=False)
    )
    assert other.active  # as the second request loaded it
    with refused(RuleBroken, match="only active administrator"):
        services.set_user_active(admin, False, actor=other)
    assert reload(admin).active is True


def test_an_account_in_an_archived_agency_is_not_reactivated(admin):
    user = make_user(agency=make_agency(active=False), active=False)
    with refused(RuleBroken, match="is archived"):
        services.set_user_active(user, True, actor=admin)
    assert reload(user).active is False


def test_an_account_in_an_archived_agency_can_still_be_deactivated(admin):
    user = make_user(agency=make_agency(active=False))
    services.set_user_active(user, False, actor=admin)
    assert user.active is False


def test_audit_events_name_the_admin_who_acted(admin):
    user = make_user()
    services.set_user_active(user, False, actor=admin)
    db.session.commit()
    assert db.session.scalar(select(AuditEvent.actor_id)) == admin.id
    assert count(AuditEvent) == 1
