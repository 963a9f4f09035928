from datetime import timedelta

from sqlalchemy import select, update

from app.auth.models import UserSession
from app.db_types import utcnow
from app.extensions import db
from tests.factories import PASSWORD, make_user


def sign_out(client):
    return client.post("/logout")


def test_session_cookie_is_http_only_and_same_site_lax(app, client):
    make_user(email="a@example.test")
    response = client.post("/login", data={"email": "a@example.test", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_sign_out_ends_the_session_and_a_replayed_cookie_is_refused(app, client, sign_in):
    sign_in(make_user())
    stolen = client.get_cookie("portal_session").value
    assert sign_out(client).headers["Location"] == "/login"
    assert client.get("/").status_code == 302

    replay = app.test_client()
    replay.set_cookie("portal_session", stolen)
    response = replay.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    ended = db.session.scalars(select(UserSession)).one()
    assert ended.ended_reason == "signed_out"


def test_sign_out_is_post_only(app, client, sign_in):
    sign_in(make_user())
    assert client.get("/logout").status_code == 405


def test_idle_session_times_out_after_thirty_minutes(app, client, sign_in):
    sign_in(make_user())
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db.session.commit()
    assert client.get("/").status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(UserSession)).one().ended_reason == "expired_idle"


def test_active_session_is_kept_alive(app, client, sign_in):
    sign_in(make_user())
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=29)))
    db.session.commit()
    assert client.get("/").status_code == 200
    db.session.expire_all()
    assert utcnow() - db.session.scalars(select(UserSession)).one().last_seen_at < timedelta(minutes=1)


def test_session_ends_after_twelve_hours_however_active(app, client, sign_in):
    sign_in(make_user())
    db.session.execute(update(UserSession).values(created_at=utcnow() - timedelta(hours=12, minutes=1)))
    db.session.commit()
    assert client.get("/").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, sign_in):
    user = make_user()
    other_browser = app.test_client()
    other_browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other_browser.get("/").status_code == 200

    sign_in(user)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 303
    assert client.get("/").status_code == 200
    assert other_browser.get("/").status_code == 302
    # The new password works, the old one does not.
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 422
    assert (
        fresh.post("/login", data={"email": user.email, "password": "a brand new passphrase"}).status_code
        == 303
    )


def test_password_change_needs_the_current_password(app, client, sign_in):
    user = make_user()
    sign_in(user)
    response = client.post(
        "/account/password",
        data={
            "current_password": "wrong guess here",
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 422
    assert "Your current password is not correct" in response.get_data(as_text=True)


def test_htmx_request_after_session_expiry_gets_401_and_a_redirect_header(app, client, sign_in):
    sign_in(make_user(role="admin"))
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    response = client.get("/admin/users?q=a", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")
    assert response.get_data(as_text=True) == ""
