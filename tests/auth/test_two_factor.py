"""Two-factor sign-in: enrolment with a server-drawn QR code, a code that works once, recovery
codes that work once, a second step that cannot be skipped, and roles that must use it."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from app.auth import two_factor
from app.auth.models import RecoveryCode
from app.db_types import utcnow
from app.extensions import db
from app.notifications.models import Notification
from config import ProductionConfig
from tests.factories import PASSWORD, make_user, reload
from tests.service_checks import audit_actions


def enrolled_user(**kwargs):
    user = make_user(**kwargs)
    secret = two_factor.new_secret()
    codes = two_factor.enrol(user, secret, pyotp.TOTP(secret).now())
    db.session.commit()
    return reload(user), secret, codes


def code_at(secret: str, steps_ahead: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(utcnow()) + steps_ahead)


def password_step(client, user):
    return client.post("/login", data={"email": user.email, "password": PASSWORD})


def test_enrolling_shows_a_qr_code_drawn_here_then_the_recovery_codes_once(app, client, as_role):
    user = as_role("partner")
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page and "Set up two-factor sign-in" in page
    secret = "".join(re.search(r'portal-secret-key">([A-Z2-7 ]+)<', page).group(1).split())

    wrong = client.post("/account/two-factor", data={"code": "000000"})
    assert wrong.status_code == 422 and "Enter the 6-digit code" in wrong.get_data(as_text=True)
    assert reload(user).totp_secret is None

    done = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    kept = reload(user).totp_secret
    assert secret not in kept and two_factor.unseal(kept) == secret, "stored encrypted"
    stored = db.session.scalars(select(RecoveryCode.code_digest)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # digests only
    assert "auth.two_factor_enabled" in audit_actions()
    told = db.session.scalars(select(Notification.kind).where(Notification.recipient_id == user.id)).all()
    assert told == ["two_factor_changed"]
    # The page now says it is on; the codes are not shown again.
    again = client.get("/account/two-factor").get_data(as_text=True)
    assert "10 of 10" in again and codes[0] not in again


def test_the_password_alone_does_not_sign_in_and_a_code_works_once(app, client):
    user, secret, _ = enrolled_user()
    response = password_step(client, user)
    assert response.status_code == 303 and response.headers["Location"] == "/login/code"
    assert client.get("/").status_code == 302  # not signed in yet
    assert audit_actions()[-1] == "auth.password_accepted"

    used = code_at(secret, 1)
    assert client.post("/login/code", data={"code": used}).status_code == 303
    assert "Welcome" in client.get("/", follow_redirects=True).get_data(as_text=True)
    assert audit_actions()[-1] == "auth.sign_in"

    other = app.test_client()
    password_step(other, user)
    replay = other.post("/login/code", data={"code": used})
    assert replay.status_code == 422 and "already used" in replay.get_data(as_text=True)


def test_a_recovery_code_signs_in_once(app, client):
    user, _, codes = enrolled_user()
    password_step(client, user)
    assert client.post("/login/code", data={"code": codes[0].upper()}).status_code == 303
    other = app.test_client()
    password_step(other, user)
    assert other.post("/login/code", data={"code": codes[0]}).status_code == 422
    assert two_factor.recovery_codes_left(user) == 9


def test_five_wrong_codes_send_you_back_to_the_password(app, client):
    user, _, _ = enrolled_user()
    password_step(client, user)
    for _ in range(4):
        assert client.post("/login/code", data={"code": "123456"}).status_code == 422
    response = client.post("/login/code", data={"code": "123456"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert client.get("/login/code").status_code == 303


def test_the_code_step_cannot_be_reached_without_the_password_step(app, client):
    assert client.get("/login/code").headers["Location"] == "/login"
    assert client.post("/login/code", data={"code": "123456"}).status_code == 303


def test_the_service_accepts_a_code_once_even_when_asked_twice(app):
    user, secret, _ = enrolled_user()
    code = code_at(secret, 1)
    assert two_factor.check(user, code) == "code"
    assert two_factor.check(user, code) is None
    assert two_factor.check(user, "not a code") is None


def test_a_role_that_must_use_it_sets_it_up_before_anything_else(app, client, as_role, monkeypatch):
    monkeypatch.setitem(app.config, "MFA_REQUIRED_ROLES", frozenset({"admin"}))
    as_role("admin")
    response = client.get("/admin/users")
    assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor"
    fragment = client.get("/actions/", headers={"HX-Request": "true"})
    assert fragment.status_code == 401 and fragment.headers["HX-Redirect"] == "/account/two-factor"
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "must sign in with a code" in page
    secret = "".join(re.search(r'portal-secret-key">([A-Z2-7 ]+)<', page).group(1).split())
    client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert client.get("/admin/users").status_code == 200


def test_other_roles_are_not_made_to(app, client, as_role, monkeypatch):
    monkeypatch.setitem(app.config, "MFA_REQUIRED_ROLES", frozenset({"admin"}))
    as_role("partner")
    assert client.get("/actions/").status_code == 200


def test_production_requires_it_of_admins_programme_managers_and_participation_leads(monkeypatch):
    assert ProductionConfig.MFA_REQUIRED_ROLES == {"admin", "programme_manager", "participation_lead"}


def test_the_demo_says_plainly_that_it_is_not_required(app, client):
    assert "does not require two-factor sign-in" in client.get("/login").get_data(as_text=True)


def test_an_administrator_turns_it_off_from_the_command_line(app):
    user, _, _ = enrolled_user(email="lost.phone@example.test")
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "reset-two-factor",
            "lost.phone@example.test",
            "--reason",
            "Lost phone; checked by phone",
        ]
    )
    assert result.exit_code == 0, result.output
    assert reload(user).totp_secret is None and two_factor.recovery_codes_left(user) == 0
    assert audit_actions()[-1] == "auth.two_factor_reset"


def test_a_secret_stored_before_encryption_still_works_and_is_sealed_when_used(app):
    user = make_user()
    secret = two_factor.new_secret()
    user.totp_secret = secret  # as an account enrolled before secrets were encrypted
    db.session.commit()
    assert two_factor.check(user, code_at(secret)) == "code"
    db.session.commit()
    kept = reload(user).totp_secret
    assert kept.startswith(two_factor.SEALED_PREFIX) and two_factor.unseal(kept) == secret
    assert two_factor.check(reload(user), code_at(secret, 1)) == "code"


def test_the_encryption_key_is_the_configured_one_when_set(app):
    from cryptography.fernet import Fernet, InvalidToken

    key = Fernet.generate_key().decode()
    app.config["TOTP_ENCRYPTION_KEY"] = key
    sealed = two_factor.seal("JBSWY3DPEHPK3PXP")
    assert Fernet(key).decrypt(sealed.encode()) == b"JBSWY3DPEHPK3PXP"
    app.config["TOTP_ENCRYPTION_KEY"] = None  # derived from SECRET_KEY: a different key
    with pytest.raises(InvalidToken):
        two_factor.unseal(sealed)
