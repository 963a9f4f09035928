"""The security log: one JSON line per security event, with the time, actor id and request id,
and never a password, email address or a line forged by what a user sent."""

from __future__ import annotations

import json
import logging

import pytest
from flask import request

from app.extensions import db
from tests.factories import PASSWORD, make_action, make_agency, make_user


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    def events(self) -> list[dict]:
        return [json.loads(line) for line in self.lines]

    def named(self, event: str) -> list[dict]:
        return [e for e in self.events() if e["event"] == event]


@pytest.fixture
def security_log(app):
    handler = Lines()
    logger = logging.getLogger("portal.security")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def test_sign_in_success_failure_and_sign_out_are_logged_without_the_secrets(app, client, security_log):
    user = make_user(email="jo.bloggs@example.test")
    client.post("/login", data={"email": user.email, "password": "not the password!"})
    app.config["TRUSTED_PROXIES"] = 1  # the load balancer's request id is kept
    request_id = {"X-Request-ID": "req-12345678"}
    client.post("/login", data={"email": user.email, "password": PASSWORD}, headers=request_id)
    client.post("/logout", data={})

    failed, signed_in = security_log.named("sign_in_failed"), security_log.named("sign_in")
    assert [e["actor_id"] for e in failed] == [user.id]
    assert [e["actor_id"] for e in signed_in] == [user.id]
    assert signed_in[0]["request_id"] == "req-12345678"
    assert [e["actor_id"] for e in security_log.named("sign_out")] == [user.id]
    for event in security_log.events():
        assert event["time"].endswith("+00:00") and event["ip"] == "127.0.0.1"
    everything = "\n".join(security_log.lines)
    assert "jo.bloggs" not in everything and PASSWORD not in everything
    assert "not the password" not in everything


def test_every_response_carries_a_request_id_and_a_bad_one_is_replaced(app, client):
    first, second = client.get("/login"), client.get("/login", headers={"X-Request-ID": "bad id; forged"})
    assert len(first.headers["X-Request-ID"]) == 32
    assert len(second.headers["X-Request-ID"]) == 32


def test_access_denied_is_logged_with_who_and_where(app, client, as_role, security_log):
    partner = as_role("partner")
    assert client.get("/admin/users").status_code == 403
    [denied] = security_log.named("access_denied")
    assert (denied["actor_id"], denied["path"], denied["status"]) == (partner.id, "/admin/users", 403)


def test_a_csrf_failure_is_logged(csrf_app, client, security_log):
    assert client.post("/login", data={"email": "a@example.test", "password": "whatever"}).status_code == 400
    assert [e["status"] for e in security_log.named("csrf_failure")] == [400]


def test_an_export_is_logged(app, client, as_role, security_log):
    as_role("trust_member")
    make_action(make_agency())
    response = client.get("/actions/export")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    [export] = security_log.named("export")
    assert export["path"] == "/actions/export" and export["content_type"] == "text/csv"


def test_a_role_change_is_logged(app, client, as_role, security_log):
    as_role("admin")
    target = make_user(role="partner")
    response = client.post(
        f"/admin/users/{target.id}/edit",
        data={"full_name": target.full_name, "agency_id": target.agency_id, "role": "agency_lead"},
    )
    assert response.status_code in (200, 303)
    assert [e["object_id"] for e in security_log.named("role_change")] == [str(target.id)]


def test_a_newline_in_what_a_user_sends_cannot_forge_a_line(app, client, as_role, security_log):
    as_role("partner")
    security_log.lines.clear()  # the sign-in
    forged = '/admin/x%0A{"event":"sign_in","actor_id":1}'
    client.get(forged)
    client.get("/admin/users?next=%0A%7B%22event%22%3A%22sign_in%22%7D")
    assert all("\n" not in line for line in security_log.lines)
    assert security_log.named("sign_in") == []
    assert len(security_log.lines) == len(security_log.events())


def test_forwarded_addresses_and_request_ids_are_believed_only_from_trusted_proxies(
    app, database_urls, database
):
    """Behind a load balancer (TRUSTED_PROXIES=1) each client's own address is what rate limits
    and logs see; without one, a client cannot choose its address or request id by a header."""
    from tests.conftest import make_app

    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Request-ID": "lb-0123456789"}
    direct = app.test_client().get("/login", headers=forwarded)
    assert direct.headers["X-Request-ID"] != "lb-0123456789"
    behind = make_app(database_urls[database], TRUSTED_PROXIES=1)
    seen = []
    behind.before_request(lambda: seen.append(request.remote_addr))
    response = behind.test_client().get("/login", headers=forwarded)
    assert response.headers["X-Request-ID"] == "lb-0123456789"
    assert seen == ["203.0.113.9"]
    with behind.app_context():
        db.engine.dispose()
