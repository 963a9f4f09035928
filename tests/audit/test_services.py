"""app/audit/services.py, directly: who the actor is, and what the event is about."""

import contextvars

from flask_login import login_user
from sqlalchemy import select

from app.audit import record
from app.audit.models import AuditEvent
from app.audit.permissions import READ_AUDIT_TRAIL
from app.auth.models import Agency
from app.extensions import db
from tests.factories import make_user


def events():
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()


def test_without_an_actor_the_signed_in_user_acted(app):
    user = make_user(email="signed.in@example.test")
    login_user(user)
    record("agency.create", user.agency)
    db.session.commit()
    (event,) = events()
    assert (event.actor_id, event.actor_label) == (user.id, "signed.in@example.test")


def test_an_explicit_actor_wins_over_the_signed_in_user(app):
    admin, signed_in = make_user(role="admin"), make_user()
    login_user(signed_in)
    record("user.update", signed_in, actor=admin)
    db.session.commit()
    assert events()[0].actor_id == admin.id


def test_an_anonymous_visitor_is_recorded_as_anonymous(app):
    record("auth.sign_in_failed", object_type="sign_in", object_id="x@example.test")
    db.session.commit()
    (event,) = events()
    assert (event.actor_id, event.actor_label, event.before, event.after) == (None, "anonymous", None, None)


def test_outside_a_request_the_event_has_no_actor(app):
    """Commands (`flask demo seed`) record events with no request and nobody signed in."""

    def in_a_command():
        with app.app_context():
            record("agency.create", object_type="agencies", object_id=1, actor_label="command line")
            db.session.commit()

    contextvars.Context().run(in_a_command)
    (event,) = events()
    assert (event.actor_id, event.actor_label, event.ip_address) == (None, "command line", None)


def test_an_event_about_a_new_record_names_it_by_its_id(app):
    agency = Agency(name="Unsaved yet", kind="police", district="")
    db.session.add(agency)
    record("agency.create", agency, after={"kinds": ["police"]})
    db.session.commit()
    (event,) = events()
    assert (event.object_type, event.object_id) == ("agencies", str(agency.id))
    assert event.after == {"kinds": "['police']"}


def test_only_admins_read_the_audit_trail(app):
    roles = ["partner", "agency_lead", "trust_member", "programme_manager", "participation_lead", "admin"]
    assert {role for role in roles if READ_AUDIT_TRAIL.allows(make_user(role=role))} == {"admin"}
