from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import SignInThrottle, User
from app.auth.services import throttle_key
from app.db_types import utcnow
from app.extensions import db
from tests.factories import PASSWORD, make_user, reload

GENERIC_ERROR = "Enter a correct email address and password"
THROTTLED = "too many failed attempts"


def post_sign_in(client, email, password, **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def audit_actions():
    db.session.expire_all()
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_sign_in_page_has_labelled_fields(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<label class="govuk-label" for="email">' in page
    assert '<label class="govuk-label" for="password">' in page
    assert 'autocomplete="current-password"' in page


def test_correct_password_signs_in_and_records_it(app, client):
    user = make_user(email="jo.bloggs@police.example", full_name="Jo Bloggs")
    response = post_sign_in(client, "Jo.Bloggs@Police.example ", PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert "Welcome, Jo Bloggs" in client.get("/").get_data(as_text=True)
    assert reload(user).last_sign_in_at is not None
    assert audit_actions() == ["auth.sign_in"]


@pytest.mark.parametrize("email", ["someone@example.test", "nobody@example.test"])
def test_wrong_password_and_unknown_email_get_the_same_answer(app, client, email):
    make_user(email="someone@example.test")
    response = post_sign_in(client, email, "not the right password")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert GENERIC_ERROR in page
    assert "There is a problem" in page  # the error summary
    assert 'href="#email"' in page  # ...linked to the field
    assert "not the right password" not in page  # the password is never echoed
    assert audit_actions() == ["auth.sign_in_failed"]


def test_empty_form_gets_field_errors(app, client):
    response = post_sign_in(client, "", "")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter your email address" in page
    assert "Enter your password" in page
    assert audit_actions() == []


def test_deactivated_account_cannot_sign_in(app, client):
    make_user(email="gone@example.test", active=False)
    response = post_sign_in(client, "gone@example.test", PASSWORD)
    assert response.status_code == 422
    assert GENERIC_ERROR in response.get_data(as_text=True)


def test_invited_account_without_password_cannot_sign_in(app, client):
    make_user(email="new@example.test", password=None)
    assert post_sign_in(client, "new@example.test", "").status_code == 422
    assert post_sign_in(client, "new@example.test", "anything at all here").status_code == 422


def from_address(address):
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_five_failures_pause_that_device_and_say_for_how_long(app, client):
    make_user(email="target@example.test")
    for _ in range(4):
        assert post_sign_in(client, "target@example.test", "wrong password!").status_code == 422
    # The fifth failure pauses this device, and says so at once.
    assert post_sign_in(client, "target@example.test", "wrong password!").status_code == 429
    # Even the right password is refused from here now, with a message saying why and for how long.
    response = post_sign_in(client, "target@example.test", PASSWORD)
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert THROTTLED in page
    assert "Wait 1 minute and try again" in page
    assert "Welcome" not in client.get("/", follow_redirects=True).get_data(as_text=True)

    # When the pause is over the right password works again: no lock-out.
    throttle = db.session.get(SignInThrottle, throttle_key("target@example.test", "127.0.0.1"))
    throttle.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert post_sign_in(client, "target@example.test", PASSWORD).status_code == 303


def test_an_attacker_elsewhere_never_locks_the_real_user_out(app, client):
    make_user(email="target@example.test")
    for _ in range(8):
        post_sign_in(client, "target@example.test", "wrong password!", **from_address("203.0.113.9"))
    refused = post_sign_in(client, "target@example.test", PASSWORD, **from_address("203.0.113.9"))
    assert refused.status_code == 429
    signed_in = post_sign_in(client, "target@example.test", PASSWORD, **from_address("198.51.100.20"))
    assert signed_in.status_code == 303


def test_throttling_counts_unknown_emails_too_so_it_reveals_nothing(app, client):
    for _ in range(5):
        post_sign_in(client, "nobody@example.test", "wrong password!")
    response = post_sign_in(client, "nobody@example.test", "wrong password!")
    assert response.status_code == 429
    assert THROTTLED in response.get_data(as_text=True)


def test_throttle_is_per_account(app, client):
    make_user(email="a@example.test")
    make_user(email="b@example.test")
    for _ in range(5):
        post_sign_in(client, "a@example.test", "wrong password!")
    assert post_sign_in(client, "b@example.test", PASSWORD).status_code == 303


def test_success_resets_the_failure_count(app, client):
    make_user(email="a@example.test")
    for _ in range(4):
        post_sign_in(client, "a@example.test", "wrong password!")
    assert post_sign_in(client, "a@example.test", PASSWORD).status_code == 303
    assert db.session.get(SignInThrottle, throttle_key("a@example.test", "127.0.0.1")).failure_count == 0


@pytest.mark.parametrize(
    "next_url, expected",
    [
        ("/admin/users?q=smith", "/admin/users?q=smith"),
        ("https://evil.example/phish", "/"),
        ("//evil.example/phish", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_only_accepts_same_site_paths(app, client, next_url, expected):
    make_user(email="a@example.test", role="admin")
    response = client.post(
        "/login", query_string={"next": next_url}, data={"email": "a@example.test", "password": PASSWORD}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == expected


def test_protected_page_sends_anonymous_user_to_sign_in_and_back(app, client):
    make_user(email="a@example.test", role="admin")
    response = client.get("/admin/users?q=smith")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    response = client.post(
        response.headers["Location"], data={"email": "a@example.test", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/admin/users?q=smith"


def test_signed_in_user_visiting_sign_in_goes_home(app, client, sign_in):
    sign_in(make_user())
    assert client.get("/login").headers["Location"] == "/"


def test_email_is_unique_whatever_its_case(app):
    make_user(email="same@example.test")
    assert db.session.scalar(select(User).where(User.email == "same@example.test")) is not None
