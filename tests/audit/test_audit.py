from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit import record
from app.audit.models import AuditEvent, AuditTrailIsAppendOnly
from app.db_types import utcnow
from app.extensions import db
from tests.factories import make_user


def test_audit_events_cannot_be_changed_or_deleted(app):
    user = make_user()
    record("user.update", user, before={"a": 1}, after={"a": 2}, actor=user)
    db.session.commit()
    event_ = db.session.scalars(select(AuditEvent)).one()

    event_.summary = "tampered"
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()

    db.session.delete(db.session.scalars(select(AuditEvent)).one())
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalars(select(AuditEvent)).one().summary == ""


def test_record_keeps_actor_object_time_and_changes(app):
    actor = make_user(email="actor@example.test")
    subject = make_user()
    record("user.update", subject, before={"role": "partner"}, after={"role": "admin"}, actor=actor)
    db.session.commit()
    event_ = db.session.scalars(select(AuditEvent)).one()
    assert (event_.actor_id, event_.actor_label) == (actor.id, "actor@example.test")
    assert (event_.object_type, event_.object_id) == ("users", str(subject.id))
    assert utcnow() - event_.occurred_at < timedelta(minutes=1)
    assert event_.changed_fields() == [("role", "partner", "admin")]


@pytest.mark.parametrize(
    "role", ["partner", "agency_lead", "trust_member", "programme_manager", "participation_lead"]
)
def test_only_admins_read_the_audit_trail(app, client, as_role, role):
    as_role(role)
    assert client.get("/admin/audit/").status_code == 403


def test_audit_list_filters_by_action_and_actor(app, client, as_role):
    admin = as_role("admin")
    other = make_user(email="other@example.test")
    record("agency.create", other, actor=other, summary="Other made it")
    db.session.commit()

    page = client.get("/admin/audit/?action=auth.sign_in").get_data(as_text=True)
    assert admin.email in page and "Other made it" not in page

    body = client.get("/admin/audit/?actor=other%40", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Other made it" in body and "<html" not in body and "auth.sign_in" not in body


def test_audit_list_filters_by_date_and_ignores_nonsense_dates(app, client, as_role):
    as_role("admin")
    today = utcnow().date().isoformat()
    row = "<code>auth.sign_in</code>"
    assert row in client.get(f"/admin/audit/?from={today}&to={today}").get_data(as_text=True)
    assert row not in client.get("/admin/audit/?from=2001-01-01&to=2001-01-02").get_data(as_text=True)
    response = client.get("/admin/audit/?from=yesterday")
    assert response.status_code == 200
    assert "The date filter was ignored" in response.get_data(as_text=True)


def test_audit_shows_before_and_after(app, client, as_role):
    as_role("admin")
    user = make_user(full_name="Old Name")
    client.post(
        f"/admin/users/{user.id}/edit",
        data={"full_name": "New Name", "agency_id": user.agency_id, "role": "partner"},
    )
    page = client.get("/admin/audit/?action=user.update").get_data(as_text=True)
    assert "<del>Old Name</del>" in page and "<ins>New Name</ins>" in page
