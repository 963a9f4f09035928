"""The sign-in, session and invitation services, called directly (in the test's request context)."""

from datetime import timedelta

import pytest
from flask import current_app, session
from sqlalchemy import func, select, update

from app.auth import services
from app.auth.models import Invitation, SignInThrottle, UserSession, token_digest
from app.auth.passwords import verify_password
from app.db_types import utcnow
from app.extensions import db
from tests.factories import PASSWORD, make_user, reload
from tests.service_checks import audit_actions

ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.7"


def throttle(email, address=ATTACKER) -> SignInThrottle:
    db.session.expire_all()
    return db.session.get(SignInThrottle, services.throttle_key(email, address))


def sign_in(email, password, address=ATTACKER):
    result = services.authenticate(email, password, address)
    db.session.commit()
    return result


# --- Signing in and throttling ---------------------------------------------------------------


def test_the_right_password_signs_in_without_making_the_account_stale(app):
    user = make_user(email="jo@example.test")
    version = user.lock_version
    result = sign_in(" Jo@Example.test", PASSWORD)
    assert result.ok and result.user.id == user.id
    assert reload(user).last_sign_in_at is not None and reload(user).lock_version == version
    assert audit_actions() == ["auth.sign_in"]


@pytest.mark.parametrize("case", ["wrong password", "unknown email", "deactivated", "no password yet"])
def test_every_failed_sign_in_counts_against_the_email(app, case):
    make_user(
        email="jo@example.test",
        active=case != "deactivated",
        password=None if case == "no password yet" else PASSWORD,
    )
    email = "nobody@example.test" if case == "unknown email" else "jo@example.test"
    result = sign_in(email, "wrong password!" if case == "wrong password" else PASSWORD)
    assert not result.ok and result.locked_until is None
    assert throttle(email).failure_count == 1
    assert audit_actions() == ["auth.sign_in_failed"]


def test_the_fifth_failure_pauses_that_guesser_and_then_even_the_right_password_is_refused_there(app):
    make_user(email="jo@example.test")
    results = [sign_in("jo@example.test", "wrong password!") for _ in range(5)]
    assert [r.locked_until is not None for r in results] == [False, False, False, False, True]
    first_pause = current_app.config["SIGN_IN_FIRST_PAUSE"]
    assert first_pause - timedelta(seconds=5) < results[-1].locked_until - utcnow() <= first_pause
    refused = sign_in("jo@example.test", PASSWORD)
    assert not refused.ok and refused.locked_until == results[-1].locked_until
    assert throttle("jo@example.test").failure_count == 5
    assert audit_actions()[-1] == "auth.sign_in_refused"


def test_an_attackers_guesses_never_lock_the_real_user_out_of_the_right_password(app):
    make_user(email="jo@example.test")
    for _ in range(12):
        sign_in("jo@example.test", "wrong password!")
    assert throttle("jo@example.test").locked_until > utcnow()
    assert sign_in("jo@example.test", PASSWORD, address=OFFICE).ok
    assert throttle("jo@example.test", OFFICE).failure_count == 0


def expire_lockout(email, failures=5):
    """`failures` failures from the attacker's address and a pause that ended a second ago."""
    db.session.add(
        SignInThrottle(
            key=services.throttle_key(email, ATTACKER),
            failure_count=failures,
            locked_until=utcnow() - timedelta(seconds=1),
        )
    )
    db.session.commit()


@pytest.mark.parametrize("failures, pause", [(5, 2), (6, 4), (7, 8), (8, 15), (20, 15)])
def test_each_failure_after_a_pause_doubles_the_next_pause_up_to_the_limit(app, failures, pause):
    make_user(email="jo@example.test")
    expire_lockout("jo@example.test", failures)
    result = sign_in("jo@example.test", "wrong password!")
    assert not result.ok
    assert throttle("jo@example.test").failure_count == failures + 1
    waited = result.locked_until - utcnow()
    assert timedelta(minutes=pause) - timedelta(seconds=5) < waited <= timedelta(minutes=pause)


def test_after_a_pause_runs_out_the_right_password_signs_in_and_clears_it(app):
    make_user(email="jo@example.test")
    expire_lockout("jo@example.test")
    assert sign_in("jo@example.test", PASSWORD).ok
    assert (throttle("jo@example.test").failure_count, throttle("jo@example.test").locked_until) == (0, None)


def test_the_owner_is_told_once_when_someone_keeps_failing_to_sign_in_as_them(app):
    from app.notifications.models import Notification

    owner = make_user(email="jo@example.test")
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"):
        sign_in("jo@example.test", "wrong password!", address=address)
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    for address in ("192.0.2.5", "192.0.2.6", "192.0.2.7"):
        sign_in("jo@example.test", "wrong password!", address=address)
    told = db.session.scalars(select(Notification)).all()
    assert [(n.recipient_id, n.kind) for n in told] == [(owner.id, "sign_in_failures")]


# --- Sessions --------------------------------------------------------------------------------


def session_row() -> UserSession:
    db.session.expire_all()
    return db.session.scalars(select(UserSession)).one()


def started(user) -> UserSession:
    services.start_session(user)
    db.session.commit()
    return session_row()


def test_a_session_is_a_server_side_record_that_the_cookie_points_to(app):
    user = make_user()
    session["before sign-in"] = "dropped"
    row = started(user)
    assert "before sign-in" not in session and row.user_id == user.id
    assert services.load_session_user(str(user.id)).id == user.id


def test_no_token_or_an_unknown_token_is_no_user(app):
    user = make_user()
    assert services.load_session_user(str(user.id)) is None
    session[services.SESSION_KEY] = "made-up"
    assert services.load_session_user(str(user.id)) is None


def test_a_session_counts_only_for_its_own_live_active_user(app):
    user, other = make_user(), make_user()
    started(user)
    assert services.load_session_user(str(other.id)) is None
    user.active = False
    db.session.commit()
    assert services.load_session_user(str(user.id)) is None
    user.active = True
    db.session.execute(update(UserSession).values(ended_at=utcnow(), ended_reason="signed_out"))
    db.session.commit()
    assert services.load_session_user(str(user.id)) is None


def age(**changes):
    db.session.execute(update(UserSession).values(**changes))
    db.session.commit()


def test_a_session_ends_after_its_absolute_lifetime_however_active(app):
    user = make_user()
    started(user)
    age(created_at=utcnow() - current_app.config["SESSION_ABSOLUTE_LIFETIME"] - timedelta(minutes=1))
    assert services.load_session_user(str(user.id)) is None
    assert session_row().ended_reason == "expired_absolute"


def test_an_idle_session_ends(app):
    user = make_user()
    started(user)
    age(last_seen_at=utcnow() - current_app.config["SESSION_IDLE_TIMEOUT"] - timedelta(minutes=1))
    assert services.load_session_user(str(user.id)) is None
    assert session_row().ended_reason == "expired_idle"


def test_reading_pages_refreshes_last_seen_at_most_once_a_minute(app):
    user = make_user()
    started(user)
    recently = utcnow() - timedelta(seconds=20)
    age(last_seen_at=recently)
    assert services.load_session_user(str(user.id)).id == user.id
    assert session_row().last_seen_at == recently
    age(last_seen_at=utcnow() - timedelta(minutes=5))
    assert services.load_session_user(str(user.id)).id == user.id
    assert utcnow() - session_row().last_seen_at < timedelta(seconds=30)


def test_signing_out_ends_this_session_only(app):
    user = make_user()
    this_browser = started(user).token_hash
    db.session.add(UserSession(token_hash="other browser", user_id=user.id))
    db.session.commit()
    services.end_current_session()
    db.session.commit()
    rows = {r.token_hash: r.ended_reason for r in db.session.scalars(select(UserSession))}
    assert rows == {this_browser: "signed_out", "other browser": None}
    assert services.SESSION_KEY not in session


def test_signing_out_without_a_session_ends_nothing(app):
    user = make_user()
    db.session.add(UserSession(token_hash="other", user_id=user.id))
    db.session.commit()
    services.end_current_session()
    db.session.commit()
    assert session_row().ended_at is None


def test_a_new_password_ends_every_session_of_the_account(app):
    user, other = make_user(), make_user()
    db.session.add_all(
        [UserSession(token_hash=f"t{n}", user_id=u.id) for n, u in enumerate((user, user, other))]
    )
    db.session.commit()
    services.set_password(user, "another long passphrase", reason="password_changed")
    db.session.commit()
    reasons = sorted(
        (r.user_id == user.id, r.ended_reason or "") for r in db.session.scalars(select(UserSession))
    )
    assert reasons == [(False, ""), (True, "password_changed"), (True, "password_changed")]
    assert verify_password(reload(user).password_hash, "another long passphrase")


# --- Invitations -----------------------------------------------------------------------------


def invitation_for(token) -> Invitation | None:
    return services.find_usable_invitation(token)


def test_an_invitation_is_usable_until_used_revoked_or_expired(app):
    user = make_user(password=None)
    token = services.create_invitation(user, created_by=None)
    db.session.commit()
    assert invitation_for(token).user_id == user.id
    assert invitation_for("not-a-token") is None
    invitation = invitation_for(token)
    for field, value in (
        ("used_at", utcnow()),
        ("revoked_at", utcnow()),
        ("expires_at", utcnow() - timedelta(seconds=1)),
    ):
        original = getattr(invitation, field)
        setattr(invitation, field, value)
        assert invitation_for(token) is None, field
        setattr(invitation, field, original)
    assert invitation_for(token) is invitation


def test_a_deactivated_account_cannot_use_its_invitation(app):
    user = make_user(password=None, active=False)
    token = services.create_invitation(user, created_by=None)
    db.session.commit()
    assert invitation_for(token) is None


def test_a_new_invitation_revokes_unused_ones_but_leaves_used_ones_alone(app):
    user = make_user(password=None)
    used = services.create_invitation(user, created_by=None)
    db.session.commit()
    invitation_for(used).used_at = utcnow()
    db.session.commit()
    unused = services.create_invitation(user, created_by=None)
    db.session.commit()
    latest = services.create_invitation(user, created_by=None)
    db.session.commit()
    invitations = {i.token_hash: i for i in db.session.scalars(select(Invitation))}
    assert invitations[token_digest(used)].revoked_at is None
    assert invitations[token_digest(unused)].revoked_at is not None
    assert invitation_for(latest) is not None


def test_accepting_an_invitation_sets_the_password_and_uses_up_the_link(app):
    user = make_user(password=None)
    token = services.create_invitation(user, created_by=None)
    db.session.commit()
    services.accept_invitation(invitation_for(token), "a brand new passphrase")
    db.session.commit()
    assert invitation_for(token) is None
    assert verify_password(reload(user).password_hash, "a brand new passphrase")
    assert audit_actions() == ["auth.invitation_accepted"]
