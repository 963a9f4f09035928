"""Sign-in attempts are limited per client address, so one address cannot try password after
password, whichever accounts it tries."""

from sqlalchemy import func, select

from app.auth.models import SignInThrottle
from app.extensions import db
from tests.factories import make_user


def test_too_many_sign_ins_from_one_address_are_refused_with_a_friendly_429(app, client):
    app.config["SIGN_IN_RATE_LIMIT"] = "3 per minute"
    users = [make_user() for _ in range(4)]
    statuses = [
        client.post("/login", data={"email": u.email, "password": "not the password"}).status_code
        for u in users
    ]
    assert statuses == [422, 422, 422, 429]
    refused = client.post("/login", data={"email": users[0].email, "password": "x"})
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert refused.headers["Retry-After"] == "60"
    # The refused attempts were not even counted against the accounts.
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(SignInThrottle)) == 3


def test_reading_the_sign_in_page_is_not_limited(app, client):
    app.config["SIGN_IN_RATE_LIMIT"] = "1 per minute"
    assert [client.get("/login").status_code for _ in range(5)] == [200] * 5
