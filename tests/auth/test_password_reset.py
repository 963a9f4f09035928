"""Self-service password reset: the same answer whether or not the address has an account, a
link that works for 30 minutes and once, every other session ended, and the owner told."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth import reset
from app.auth.models import UserSession
from app.extensions import db
from app.notifications.models import Notification
from tests.factories import PASSWORD, make_user, reload
from tests.service_checks import audit_actions
from tests.smtp import SmtpServer

NEW_PASSWORD = "a brand new long passphrase"


def wait_for(messages, n=1, seconds=5.0):
    deadline = time.monotonic() + seconds
    while len(messages) < n and time.monotonic() < deadline:
        time.sleep(0.02)
    return messages


def link_in(message) -> str:
    body = message.get_payload(decode=True).decode()
    return re.search(r"http://\S+/reset-password/\S+", body).group(0)


@pytest.fixture
def mail(app):
    with SmtpServer() as server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False)
        yield server


def without_token(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*', "", html)


def test_the_answer_is_the_same_whether_or_not_an_account_uses_the_address(app, client, mail):
    make_user(email="jo@example.test")
    known = client.post("/forgot-password", data={"email": "jo@example.test"})
    unknown = client.post("/forgot-password", data={"email": "nobody@example.test"})
    assert known.status_code == unknown.status_code == 200
    assert without_token(known.get_data(as_text=True)) == without_token(unknown.get_data(as_text=True))
    [message] = wait_for(mail.messages)
    assert message["To"] == "jo@example.test" and "/reset-password/" in message.get_payload()
    time.sleep(0.2)
    assert len(mail.messages) == 1  # nothing was sent to the unknown address
    assert audit_actions() == ["auth.password_reset_requested", "auth.password_reset_requested"]


def test_the_link_sets_a_new_password_once_ends_other_sessions_and_tells_the_owner(app, client, mail):
    user = make_user(email="jo@example.test")
    other_browser = app.test_client()
    other_browser.post("/login", data={"email": user.email, "password": PASSWORD})
    client.post("/forgot-password", data={"email": user.email})
    path = link_in(wait_for(mail.messages)[0]).split("://", 1)[1].split("/", 1)[1]
    path = "/" + path

    page = client.get(path)
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert "Welcome" in client.get("/", follow_redirects=True).get_data(as_text=True)
    # The other browser is signed out; the old password no longer works, the new one does.
    assert other_browser.get("/").status_code == 302
    assert (
        app.test_client().post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 422
    )
    assert (
        app.test_client().post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code
        == 303
    )
    # The link worked once.
    assert client.get(path).status_code == 404
    again = {"password": "another long passphrase", "confirm": "another long passphrase"}
    assert client.post(path, data=again).status_code == 404
    told = db.session.scalars(select(Notification).where(Notification.recipient_id == user.id)).all()
    assert [n.kind for n in told] == ["password_changed"]
    assert "auth.password_reset" in audit_actions()
    assert (
        db.session.scalar(select(UserSession).where(UserSession.ended_reason == "password_reset")) is not None
    )


def test_a_link_expires_after_thirty_minutes(app):
    user = make_user()
    token = reset.reset_token(user)
    assert reset.user_for_reset_token(token).id == user.id
    app.config["PASSWORD_RESET_LIFETIME"] = timedelta(seconds=-1)
    assert reset.user_for_reset_token(token) is None


@pytest.mark.parametrize("tampered", ["", "nonsense", "a.b.c"])
def test_a_forged_or_broken_link_opens_nothing(app, client, tampered):
    user = make_user()
    token = reset.reset_token(user)
    assert reset.user_for_reset_token(token[:-2] + "xx") is None
    assert client.get(f"/reset-password/{tampered or token[:-3]}").status_code == 404


def test_a_deactivated_account_gets_no_link_and_its_old_links_stop_working(app, client, mail):
    user = make_user(email="gone@example.test")
    token = reset.reset_token(user)
    user.active = False
    db.session.commit()
    assert reset.user_for_reset_token(token) is None
    client.post("/forgot-password", data={"email": "gone@example.test"})
    time.sleep(0.2)
    assert mail.messages == []


def test_the_link_points_at_portal_url_not_at_the_host_the_request_named(app, client, mail):
    app.config["PORTAL_URL"] = "https://portal.example.org"
    make_user(email="jo@example.test")
    client.post("/forgot-password", data={"email": "jo@example.test"}, headers={"Host": "evil.example.com"})
    body = wait_for(mail.messages)[0].get_payload(decode=True).decode()
    assert "https://portal.example.org/reset-password/" in body and "evil.example.com" not in body


def test_asking_without_an_address_is_a_422_with_the_error(app, client):
    response = client.post("/forgot-password", data={"email": ""})
    assert response.status_code == 422 and "Enter your email address" in response.get_data(as_text=True)
    assert audit_actions() == []


def test_changing_your_password_tells_you(app, client, as_role):
    user = as_role("partner")
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 303
    told = db.session.scalars(select(Notification).where(Notification.recipient_id == user.id)).all()
    assert [n.kind for n in told] == ["password_changed"]
    assert reload(user).password_changed_at is not None


def test_with_two_factor_on_the_link_sets_the_password_but_signing_in_still_needs_a_code(app, client, mail):
    """The emailed link proves the mailbox, not the authenticator: no session is started."""
    from tests.auth.test_two_factor import code_at, enrolled_user

    user, secret, _ = enrolled_user(email="sam@example.test")
    client.post("/forgot-password", data={"email": user.email})
    path = "/" + link_in(wait_for(mail.messages)[0]).split("://", 1)[1].split("/", 1)[1]
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303 and response.headers["Location"].endswith("/login")
    assert client.get("/").status_code == 302, "not signed in by the link"
    assert db.session.scalar(select(UserSession).where(UserSession.ended_at.is_(None))) is None
    # The new password, then the code: signed in.
    assert client.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 303
    assert client.post("/login/code", data={"code": code_at(secret, 1)}).status_code in (302, 303)
    assert client.get("/").status_code == 200
