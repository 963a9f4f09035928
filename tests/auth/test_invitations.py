import re
from datetime import timedelta

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import Invitation, User
from app.db_types import utcnow
from app.extensions import db
from app.forms import new_token
from tests.factories import make_agency, make_user, reload

NEW_PASSWORD = "kettle orchard lantern"


def invite(client, agency, email="new.person@health.example"):
    response = client.post(
        "/admin/users/new",
        data={
            "submission_token": new_token(),
            "full_name": "New Person",
            "email": email,
            "agency_id": agency.id,
            "role": "partner",
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return re.search(r"(/set-password/[A-Za-z0-9_\-]+)", response.get_data(as_text=True)).group(1)


def test_admin_invites_and_the_person_sets_a_password_and_is_signed_in(app, client, as_role):
    as_role("admin")
    agency = make_agency("NHS Bassetlaw (PCT)")
    link = invite(client, agency)

    newcomer = app.test_client()
    page = newcomer.get(link)
    assert page.status_code == 200
    assert "new.person@health.example" in page.get_data(as_text=True)
    response = newcomer.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert "Welcome, New Person" in newcomer.get("/").get_data(as_text=True)

    user = db.session.scalar(select(User).where(User.email == "new.person@health.example"))
    assert user.agency_id == agency.id and user.role == "partner"
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert (
        actions[-3:] == ["user.invite", "auth.invitation_accepted"] or "auth.invitation_accepted" in actions
    )
    assert "user.invite" in actions


def test_invitation_link_works_once(app, client, as_role):
    as_role("admin")
    link = invite(client, make_agency())
    first = app.test_client()
    assert first.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 303
    second = app.test_client()
    response = second.get(link)
    assert response.status_code == 404
    assert "expired or has already been used" in response.get_data(as_text=True)
    assert (
        second.post(
            link, data={"password": "another passphrase", "confirm": "another passphrase"}
        ).status_code
        == 404
    )


def test_expired_invitation_is_refused(app, client, as_role):
    as_role("admin")
    link = invite(client, make_agency())
    invitation = db.session.scalars(select(Invitation)).one()
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert app.test_client().get(link).status_code == 404


def test_new_invitation_revokes_the_old_link(app, client, as_role):
    as_role("admin")
    old_link = invite(client, make_agency())
    user = db.session.scalar(select(User).where(User.email == "new.person@health.example"))
    response = client.post(f"/admin/users/{user.id}/invitation")
    new_link = re.search(r"(/set-password/[A-Za-z0-9_\-]+)", response.get_data(as_text=True)).group(1)
    assert new_link != old_link
    assert app.test_client().get(old_link).status_code == 404
    assert app.test_client().get(new_link).status_code == 200


def test_weak_password_is_refused_with_an_error_summary(app, client, as_role):
    as_role("admin")
    link = invite(client, make_agency())
    response = app.test_client().post(link, data={"password": "password1234", "confirm": "password1234"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in page and 'href="#password"' in page
    user = db.session.scalar(select(User).where(User.email == "new.person@health.example"))
    assert reload(user).password_hash is None


def test_mismatched_confirmation_is_refused(app, client, as_role):
    as_role("admin")
    link = invite(client, make_agency())
    response = app.test_client().post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert response.status_code == 422
    assert "The passwords do not match" in response.get_data(as_text=True)


def test_deactivated_user_cannot_use_their_invitation(app, client, as_role):
    admin = as_role("admin")
    link = invite(client, make_agency())
    user = db.session.scalar(select(User).where(User.email == "new.person@health.example"))
    client.post(f"/admin/users/{user.id}/deactivate")
    assert admin.id != user.id
    assert app.test_client().get(link).status_code == 404


def test_unknown_token_is_404(app, client):
    assert client.get("/set-password/" + "x" * 43).status_code == 404


def test_resending_to_someone_with_a_password_is_refused(app, client, as_role):
    as_role("admin")
    user = make_user()
    response = client.post(f"/admin/users/{user.id}/invitation", follow_redirects=True)
    assert "has already set a password" in response.get_data(as_text=True)
    assert db.session.scalars(select(Invitation)).all() == []
