"""Sensitive actions (changing an account, publishing thresholds, exporting) ask for the password
again when the browser last proved who it is more than 15 minutes ago."""

from __future__ import annotations

import pyotp
import pytest

from app.auth import two_factor
from app.auth.services import SIGNED_IN_AT
from app.db_types import utcnow
from app.extensions import db
from tests.factories import PASSWORD, make_agency, make_user, reload
from tests.service_checks import audit_actions


def signed_in_long_ago(client):
    with client.session_transaction() as session:
        session[SIGNED_IN_AT] = 0


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("trust_member", "/actions/export"),
        ("trust_member", "/progress/export/projects"),
        ("trust_member", "/returns/export"),
    ],
)
def test_an_export_asks_for_the_password_then_goes_ahead(app, client, as_role, role, path):
    as_role(role)
    assert client.get(path).status_code == 200  # just signed in: fresh
    signed_in_long_ago(client)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/confirm?next=")

    wrong = client.post(f"/account/confirm?next={path}", data={"password": "not my password at all"})
    assert wrong.status_code == 422 and "Your password is not correct" in wrong.get_data(as_text=True)
    right = client.post(f"/account/confirm?next={path}", data={"password": PASSWORD})
    assert right.status_code == 303 and right.headers["Location"] == path
    assert client.get(path).status_code == 200
    assert audit_actions()[-2:] == ["auth.confirm_failed", "auth.confirmed"]


def test_changing_an_account_when_stale_changes_nothing_until_confirmed(app, client, as_role):
    as_role("admin")
    target = make_user(role="partner", full_name="Before Name")
    signed_in_long_ago(client)
    form = {"full_name": "After Name", "agency_id": target.agency_id, "role": "agency_lead"}
    response = client.post(
        f"/admin/users/{target.id}/edit", data=form, headers={"Referer": "http://localhost/admin/users"}
    )
    assert (
        response.status_code == 303 and "/account/confirm?next=/admin/users" in response.headers["Location"]
    )
    assert (reload(target).full_name, reload(target).role) == ("Before Name", "partner")

    htmx = client.get(
        f"/admin/users/{target.id}/edit",
        headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/admin/users?q=b"},
    )
    assert (
        htmx.status_code == 401 and htmx.headers["HX-Redirect"] == "/account/confirm?next=/admin/users?q%3Db"
    )


def test_confirming_needs_the_two_factor_code_when_it_is_on(app, client):
    user = make_user(role="trust_member", agency=make_agency())
    secret = two_factor.new_secret()
    totp = pyotp.TOTP(secret)
    step = totp.timecode(utcnow())
    two_factor.enrol(user, secret, totp.generate_otp(step - 1))
    db.session.commit()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert client.post("/login/code", data={"code": totp.generate_otp(step)}).status_code == 303
    signed_in_long_ago(client)
    without_code = client.post("/account/confirm?next=/actions/export", data={"password": PASSWORD})
    assert without_code.status_code == 422
    with_code = {"password": PASSWORD, "code": totp.generate_otp(step + 1)}
    assert client.post("/account/confirm?next=/actions/export", data=with_code).status_code == 303


def test_confirming_never_sends_you_off_the_site(app, client, as_role):
    as_role("admin")
    response = client.post("/account/confirm?next=https://evil.example/", data={"password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/"
