"""Signing in and out, server-side sessions, throttling and invitations."""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app, request, session
from flask_login import login_user, logout_user
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.audit import record
from app.auth.models import (
    Invitation,
    SignInThrottle,
    User,
    UserSession,
    find_user_by_email,
    normalise_email,
    token_digest,
)
from app.auth.passwords import hash_password, verify_password
from app.db_types import utcnow
from app.extensions import db
from app.report_cache import stamp_column, use_stamp

log = logging.getLogger(__name__)

SESSION_KEY = "sid"
# When this browser last proved who it is (signing in, or confirming before a sensitive action).
SIGNED_IN_AT = "signed_in_at"
# Refresh last_seen_at at most this often, so reading pages does not write on every request.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


# --- Sign-in -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInResult:
    user: User | None = None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


def throttle_key(email: str, address: str | None) -> str:
    """One guesser at one account: the client address and the email, as a digest."""
    return token_digest(f"{address or '-'}|{normalise_email(email)}")


def _throttle_for(key: str) -> SignInThrottle:
    throttle = db.session.get(SignInThrottle, key)
    if throttle is None:
        throttle = SignInThrottle(key=key, failure_count=0)
        db.session.add(throttle)
    return throttle


def pause_after(failures: int) -> timedelta | None:
    """How long a guesser waits after `failures` failed sign-ins in a row: nothing for the first
    few, then a pause that doubles with each further failure, up to SIGN_IN_LOCKOUT."""
    config = current_app.config
    beyond = failures - config["SIGN_IN_MAX_FAILURES"]
    if beyond < 0:
        return None
    return min(config["SIGN_IN_FIRST_PAUSE"] * 2 ** min(beyond, 16), config["SIGN_IN_LOCKOUT"])


def authenticate(email: str, password: str, address: str | None = None) -> SignInResult:
    """Check a sign-in attempt, counting failures per guesser (client address) and email, whether
    or not the account exists. A guesser who keeps failing is paused, for longer each time; the
    account is never locked, so the real user signs in from their own device whatever an attacker
    does elsewhere, and is told when someone keeps failing to sign in as them.

    The caller commits: the throttle row and the audit event are saved either way.
    """
    email = normalise_email(email)
    now = utcnow()
    throttle = _throttle_for(throttle_key(email, address))
    if throttle.locked_until and throttle.locked_until > now:
        record(
            "auth.sign_in_refused",
            object_type="sign_in",
            object_id=email,
            summary="Sign-in refused: this device is paused after failed attempts",
            actor_label=email,
        )
        return SignInResult(locked_until=throttle.locked_until)

    user = find_user_by_email(email)
    # An unknown email is checked against no hash, as slowly as a real one, and never matches.
    password_ok = verify_password(user.password_hash if user else None, password)
    if password_ok and user.active:
        throttle.failure_count = 0
        throttle.locked_until = None
        # Not an edit of the account: it must not make an admin's open edit form stale.
        db.session.execute(
            update(User)
            .where(User.id == user.id)
            .values(last_sign_in_at=now)
            .execution_options(synchronize_session=False)
        )
        set_committed_value(user, "last_sign_in_at", now)
        if user.totp_secret is not None:
            record("auth.password_accepted", user, actor=user, summary="Password accepted; asked for a code")
        else:
            record("auth.sign_in", user, actor=user, summary="Signed in")
        return SignInResult(user=user)

    throttle.failure_count += 1
    throttle.last_failure_at = now
    pause = pause_after(throttle.failure_count)
    throttle.locked_until = now + pause if pause else None
    record(
        "auth.sign_in_failed",
        object_type="sign_in",
        object_id=email,
        actor=user,
        actor_label=email,
        summary=f"Failed sign-in ({throttle.failure_count} in a row from this address)",
    )
    if user is not None:
        _tell_the_owner_of_repeated_failures(user, now)
    return SignInResult(locked_until=throttle.locked_until)


def _tell_the_owner_of_repeated_failures(user: User, now: datetime) -> None:
    """SIGN_IN_MAX_FAILURES failures at one account within an hour, from anywhere: its owner is
    told (at most once an hour), so a slow attack from many addresses does not go unseen."""
    from app.audit.models import AuditEvent
    from app.auth.notices import sign_in_failures

    since = now - timedelta(hours=1)
    failures = db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "auth.sign_in_failed",
            AuditEvent.object_id == user.email,
            AuditEvent.occurred_at >= since,
        )
    )
    # The failure just recorded is counted too (the query flushes it first).
    if failures >= current_app.config["SIGN_IN_MAX_FAILURES"]:
        sign_in_failures(user, now)


# --- Sessions ------------------------------------------------------------------------------


def start_session(user: User) -> None:
    """Begin a fresh server-side session; any pre-sign-in session data is dropped (no fixation)."""
    session.clear()
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            token_hash=token_digest(token),
            user_id=user.id,
            ip_address=request.remote_addr,
            user_agent=(request.user_agent.string or "")[:255],
        )
    )
    session[SESSION_KEY] = token
    session[SIGNED_IN_AT] = int(time.time())
    session.permanent = True
    login_user(user)


def end_current_session(reason: str = "signed_out") -> None:
    token = session.get(SESSION_KEY)
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token_hash == token_digest(token), UserSession.ended_at.is_(None))
            .values(ended_at=utcnow(), ended_reason=reason)
        )
    logout_user()
    session.clear()


def end_all_sessions(user: User, reason: str) -> int:
    """Password change, deactivation and role change: every browser of this user is signed out."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
    )
    return result.rowcount or 0


def load_session_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the cookie counts only while its session record is live."""
    token = session.get(SESSION_KEY)
    if not token:
        return None
    stamp = stamp_column()  # the data stamp of what pages keep, in the same round trip
    digest = token_digest(token)
    row = db.session.execute(_session_user_statement(stamp is not None), {"token_hash": digest}).first()
    if row is None:
        return None
    created_at, last_seen_at, ended_at, user = row[:4]
    if stamp is not None:
        use_stamp(row[4])
    if str(user.id) != str(user_id) or ended_at is not None or not user.active:
        return None
    now = utcnow()
    config = current_app.config
    if now - created_at > config["SESSION_ABSOLUTE_LIFETIME"]:
        _end_session(digest, now, "expired_absolute")
        return None
    if now - last_seen_at > config["SESSION_IDLE_TIMEOUT"]:
        _end_session(digest, now, "expired_idle")
        return None
    if now - last_seen_at > LAST_SEEN_RESOLUTION:
        seen = update(UserSession).where(UserSession.token_hash == digest).values(last_seen_at=now)
        db.session.execute(seen)
        db.session.commit()
    return user


@lru_cache(maxsize=2)
def _session_user_statement(with_stamp: bool):
    """Built once: every request runs it, and building it (and its cache key) cost more than running
    it. The session record's times as plain values, the user and agency as objects."""
    return (
        select(
            UserSession.created_at,
            UserSession.last_seen_at,
            UserSession.ended_at,
            User,
            *([stamp_column(always=True)] if with_stamp else []),
        )
        .join(User, User.id == UserSession.user_id)
        .options(joinedload(User.agency))  # every page shows it, in the account bar
        .where(UserSession.token_hash == bindparam("token_hash"))
    )


def _end_session(digest: str, now: datetime, reason: str) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == digest, UserSession.ended_at.is_(None))
        .values(ended_at=now, ended_reason=reason)
    )
    db.session.commit()


# --- Passwords and invitations -------------------------------------------------------------


def set_password(user: User, password: str, *, reason: str) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    end_all_sessions(user, reason)


def create_invitation(user: User, *, created_by: User | None) -> str:
    """Revoke earlier links for this user and make a new one. Returns the raw token, shown once."""
    now = utcnow()
    db.session.execute(
        update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        Invitation(
            user_id=user.id,
            token_hash=token_digest(token),
            expires_at=now + current_app.config["INVITATION_LIFETIME"],
            created_by_id=created_by.id if created_by else None,
        )
    )
    return token


def find_usable_invitation(token: str) -> Invitation | None:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == token_digest(token)))
    if invitation is None or not invitation.is_usable(utcnow()) or not invitation.user.active:
        return None
    return invitation


def accept_invitation(invitation: Invitation, password: str) -> User:
    user = invitation.user
    invitation.used_at = utcnow()
    set_password(user, password, reason="password_set")
    record("auth.invitation_accepted", user, actor=user, summary="Set a password from an invitation")
    return user
