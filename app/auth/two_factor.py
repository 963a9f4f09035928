"""Two-factor sign-in for staff: a time-based code from an authenticator app (RFC 6238), or a
single-use recovery code.

Enrolment shows a QR code drawn on the server (no outside service sees the secret) and the
secret as text; the user proves it works with a code, and is shown ten recovery codes once
(stored only as digests). A code is accepted once: the last accepted time step is kept and a
code for it or an earlier one is refused, even when two requests race (one UPDATE decides).

Which roles must use it is MFA_REQUIRED_ROLES: in production admins, programme managers and
participation leads; in development and the demo no role, so the README's demo accounts sign in
with a password alone (the sign-in page says so). Anyone may turn it on for themselves.

The secret is kept encrypted (Fernet: AES-128-CBC with an HMAC-SHA256) under TOTP_ENCRYPTION_KEY,
or a key derived from SECRET_KEY when that is not set: a copy of the database alone gives no one
the codes. A secret stored before encryption (plain base32) is still read, and sealed the next
time it signs someone in.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime

import pyotp
import segno
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import func, or_, select, update

from app.audit import record
from app.auth.models import RecoveryCode, User
from app.db_types import utcnow
from app.errors import RuleBroken
from app.extensions import db

ISSUER = "Partnership Portal"
RECOVERY_CODES = 10
# A code from the step before or after the current one is accepted (clocks drift).
DRIFT_STEPS = 1


SEALED_PREFIX = "gAAAA"  # every Fernet token starts so (version byte and timestamp)


def _fernet() -> Fernet:
    key = current_app.config.get("TOTP_ENCRYPTION_KEY")
    if not key:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"partnership-portal two-factor secrets"
        ).derive(current_app.config["SECRET_KEY"].encode())
        key = base64.urlsafe_b64encode(derived)
    return Fernet(key)


def seal(secret: str) -> str:
    """The authenticator secret as it is stored: encrypted."""
    return _fernet().encrypt(secret.encode()).decode()


def unseal(stored: str) -> str:
    """The authenticator secret from its stored form (a secret stored before encryption as is)."""
    if stored.startswith(SEALED_PREFIX):
        return _fernet().decrypt(stored.encode()).decode()
    return stored


def required_for(user: User) -> bool:
    return user.role in current_app.config["MFA_REQUIRED_ROLES"]


def enrolled(user: User) -> bool:
    return user.totp_secret is not None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, user: User) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code(secret: str, user: User) -> str:
    """The enrolment QR code as an SVG data URI (drawn here; CSP allows data: images)."""
    return segno.make(provisioning_uri(secret, user), error="m").svg_data_uri(scale=5, border=2)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _digest(code: str) -> str:
    return hashlib.sha256("".join(code.lower().split()).replace("-", "").encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_digest=_digest(code)) for code in codes)
    return codes


def enrol(user: User, secret: str, code: str) -> list[str]:
    """Turn two-factor sign-in on with `secret` once `code` proves the authenticator has it.
    Returns the recovery codes, to be shown once."""
    step = _matching_step(secret, code, utcnow())
    if step is None:
        raise RuleBroken("Enter the 6-digit code your authenticator app shows now", field="code")
    # Not an edit of the account: an admin's open edit form must not become stale.
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(totp_secret=seal(secret), totp_last_step=step, two_factor_since=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user)
    codes = _new_recovery_codes(user)
    record("auth.two_factor_enabled", user, actor=user, summary="Turned on two-factor sign-in")
    from app.auth.notices import two_factor_changed

    two_factor_changed(user, "turned on")
    return codes


def check(user: User, code: str) -> str | None:
    """'code' or 'recovery' when `code` signs this user in (and is used up), else None."""
    step = _matching_step(unseal(user.totp_secret), code, utcnow()) if user.totp_secret else None
    if step is not None:
        values = {"totp_last_step": step}
        if not user.totp_secret.startswith(SEALED_PREFIX):
            values["totp_secret"] = seal(user.totp_secret)  # stored before encryption: sealed now
        used = db.session.execute(
            update(User)
            .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return "code" if used.rowcount == 1 else None
    digest = _digest(code)
    recovery = db.session.scalar(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_digest == digest,
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is None:
        return None
    used = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == recovery, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    return "recovery" if used.rowcount == 1 else None


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


def turn_off(user: User, *, actor: User | None, reason: str) -> None:
    """An admin (for a user who lost their authenticator and codes), by `flask users
    reset-two-factor`: the user enrols again at their next sign-in if their role needs it."""
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(totp_secret=None, totp_last_step=None, two_factor_since=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    record(
        "auth.two_factor_reset", user, actor=actor, summary=f"Turned off two-factor sign-in: {reason}"[:300]
    )
    from app.auth.notices import two_factor_changed

    two_factor_changed(user, "turned off by an administrator")
