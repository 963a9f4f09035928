"""Self-service password reset by email: a signed link that works for 30 minutes, once.

The link carries the user's id and a fingerprint of their current password; it is signed with
the app's secret key and stored nowhere. Setting a new password changes the fingerprint, so the
link (and any other reset link sent before) stops working at once. The page answers the same,
as quickly, whether or not an account uses the address: the email goes from a background thread.
Links point at PORTAL_URL when it is set (always set it in production: a link built from the
request's Host header could be pointed elsewhere by whoever sent the request).
"""

from __future__ import annotations

import hashlib
import logging
import threading

from flask import current_app, request, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.audit import record
from app.auth.models import User, find_user_by_email, normalise_email
from app.auth.services import set_password
from app.extensions import db
from app.mail import mail_configured, send_mail

log = logging.getLogger(__name__)
SALT = "portal.password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def _fingerprint(user: User) -> str:
    seed = f"{user.id}|{user.password_hash}|{user.password_changed_at}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def reset_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    """The active user a reset link is for, while it is fresh and unused; else None."""
    lifetime = current_app.config["PASSWORD_RESET_LIFETIME"]
    try:
        data = _serializer().loads(token, max_age=int(lifetime.total_seconds()))
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        return None
    return user


def _link(token: str) -> str:
    path = url_for("auth.reset_password", token=token)
    base = current_app.config.get("PORTAL_URL") or request.host_url
    return base.rstrip("/") + path


def request_reset(email: str) -> None:
    """Email a reset link if an active account uses `email`; record the request either way."""
    email = normalise_email(email)
    user = find_user_by_email(email)
    record(
        "auth.password_reset_requested",
        object_type="sign_in",
        object_id=email,
        actor_label=email,
        summary="Asked for a password reset link",
    )
    if user is None or not user.active:
        return
    link = _link(reset_token(user))
    minutes = int(current_app.config["PASSWORD_RESET_LIFETIME"].total_seconds() // 60)
    body = (
        f"Hello {user.full_name},\n\n"
        f"Someone (we hope you) asked to reset your password for the Partnership Portal.\n"
        f"Choose a new password here within {minutes} minutes; the link works once:\n\n{link}\n\n"
        "If it was not you, ignore this email: your password has not changed.\n"
    )
    if not mail_configured():
        if current_app.config.get("LOG_INVITATION_LINKS"):
            log.info("Password reset link for %s (mail not configured): %s", user.email, link)
        return
    app = current_app._get_current_object()
    to = user.email

    def send() -> None:
        with app.app_context():
            send_mail(to=to, subject="Reset your Partnership Portal password", body=body)

    threading.Thread(target=send, name="password-reset-mail", daemon=True).start()


def reset_password(user: User, password: str) -> None:
    from app.auth.notices import password_changed

    set_password(user, password, reason="password_reset")
    record("auth.password_reset", user, actor=user, summary="Reset their password from an emailed link")
    password_changed(user, "reset from an emailed link")
