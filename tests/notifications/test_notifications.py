"""Notifications: written with the event, each person's own, emailed as they choose, never twice."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.notifications.kinds import Kind
from app.notifications.models import EmailChoice, Notification
from app.notifications.services import deliver_emails, notify, save_email_choices, unread_count
from tests.factories import make_user, reload

TEST_KIND = Kind("test_event", "Something in a test happened", email_by_default=True)
QUIET_KIND = Kind("test_quiet", "Something quiet happened", email_by_default=False)
REQUIRED_KIND = Kind("test_required", "Something urgent happened", required=True)


def count(*where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Notification.id)).where(*where))


def test_notify_writes_one_per_active_recipient_with_their_email_choice(app):
    alice, bob = make_user(), make_user()
    gone = make_user(active=False)
    save_email_choices(bob, {"test_event": False})
    notify(TEST_KIND, [alice, bob, gone, alice], title="A challenge was raised", link="/actions/1")
    db.session.commit()
    rows = {n.recipient_id: n for n in db.session.scalars(select(Notification))}
    assert set(rows) == {alice.id, bob.id}
    assert rows[alice.id].email == "pending" and rows[bob.id].email == "not_wanted"
    notify(QUIET_KIND, [alice], title="Quiet", link="/")
    assert (
        db.session.scalar(select(Notification).where(Notification.kind == "test_quiet")).email == "not_wanted"
    )


def test_a_required_kind_is_always_emailed_and_cannot_be_turned_off(app):
    lead = make_user()
    save_email_choices(lead, {"test_required": False})
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(EmailChoice)) == 0
    [notification] = notify(REQUIRED_KIND, [lead], title="Urgent", link="/")
    assert notification.email == "pending"


def test_a_once_key_sends_a_reminder_once_per_person(app):
    alice, bob = make_user(), make_user()
    notify(TEST_KIND, [alice], title="Due in 7 days", link="/", once_key="action:1:due-soon")
    db.session.commit()
    notify(TEST_KIND, [alice, bob], title="Due in 7 days", link="/", once_key="action:1:due-soon")
    db.session.commit()
    assert count() == 2
    assert count(Notification.recipient_id == alice.id) == 1


def test_without_a_mail_server_emails_go_to_the_log_once(app, caplog):
    import logging

    caplog.set_level(logging.INFO)
    alice = make_user(email="alice@example.test")
    notify(TEST_KIND, [alice], title="A challenge was raised", link="/actions/1")
    db.session.commit()
    with app.test_request_context():
        assert deliver_emails() == (1, 0)
        assert deliver_emails() == (0, 0)
    assert "alice@example.test" in caplog.text and "A challenge was raised" in caplog.text
    assert db.session.scalar(select(Notification)).email == "logged"


def test_people_see_only_their_own_notifications(app, client, as_role):
    other = make_user()
    [theirs] = notify(TEST_KIND, [other], title="Not yours", link="/")
    me = as_role("partner")
    [mine] = notify(TEST_KIND, [me], title="Yours to read", link="/thresholds/")
    db.session.commit()
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Yours to read" in page and "Not yours" not in page
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert reload(theirs).read_at is None
    response = client.post(f"/notifications/{mine.id}/read")
    assert response.status_code == 303 and response.headers["Location"] == "/thresholds/"
    assert reload(mine).read_at is not None


def test_the_header_count_comes_by_htmx_and_counts_unread(app, client, as_role):
    me = as_role("partner")
    notify(TEST_KIND, [me, me], title="One", link="/")
    notify(TEST_KIND, [me], title="Two", link="/")
    db.session.commit()
    assert unread_count(me) == 2
    fragment = client.get("/notifications/count", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "2<span" in fragment
    client.post("/notifications/read-all")
    assert "<strong" not in client.get("/notifications/count").get_data(as_text=True)


def test_email_choices_are_saved_for_kinds_that_may_be_chosen(app, client, as_role):
    me = as_role("trust_member")
    page = client.get("/notifications/email").get_data(as_text=True)
    assert "Something in a test happened" in page and "cannot be turned off" in page
    client.post("/notifications/email", data={"test_event": "portal", "test_required": "portal"})
    choices = dict(db.session.execute(select(EmailChoice.kind, EmailChoice.by_email)).all())
    assert choices["test_event"] is False and "test_required" not in choices
    assert me.id


@pytest.mark.parametrize("path", ["/notifications/", "/notifications/email", "/notifications/count"])
def test_anonymous_visitors_are_sent_to_sign_in(app, client, path):
    assert client.get(path).status_code == 302
