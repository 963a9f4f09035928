"""Young people's feedback, without an account: what is kept, what is flagged, and that nothing is
lost — not their words, not an alert."""

import logging
import re

import pytest
from sqlalchemy import func, inspect, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.forms import new_token
from app.notifications.models import Notification
from app.participation.models import Consultation, Feedback
from tests.factories import make_user


def form(**changes):
    data = {
        "submission_token": new_token(),
        "about": "other",
        "what_is_good": "The youth club on Fridays.",
        "what_should_change": "More buses home at night.",
        "age_band": "14_15",
        "service": "Youth club",
    }
    data.update(changes)
    return data


def feedback_rows():
    db.session.expire_all()
    return db.session.scalars(select(Feedback).order_by(Feedback.id)).all()


def test_anyone_can_open_the_form_and_the_help_pages(app, client):
    for path in ["/have-your-say", "/have-your-say/get-help", "/have-your-say/you-said-we-did"]:
        response = client.get(path)
        assert response.status_code == 200, path
    page = client.get("/have-your-say").get_data(as_text=True)
    assert "I don\u2019t feel safe" in page and "Leave this page quickly" in page


def test_feedback_is_kept_and_the_young_person_is_thanked_with_where_to_get_help(app, client):
    response = client.post("/have-your-say", data=form())
    assert response.status_code == 303
    assert response.headers["Location"] == "/have-your-say/thank-you"
    [feedback] = feedback_rows()
    assert feedback.what_should_change == "More buses home at night." and not feedback.flagged
    thanks = client.get("/have-your-say/thank-you").get_data(as_text=True)
    assert "999" in thanks and "0800 1111" in thanks


def test_the_feedback_table_has_nowhere_to_keep_an_address_or_a_device(app):
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("feedback")}
    forbidden = {"ip", "ip_address", "user_agent", "device", "browser", "address", "email", "name"}
    assert columns & forbidden == set()
    assert not any("ip" == c or c.startswith(("ip_", "user_agent")) for c in columns)


def test_the_audit_trail_of_a_submission_keeps_no_address_and_no_words(app, client):
    client.post("/have-your-say", data=form(what_should_change="Bus stop lights are broken"))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "feedback.receive"))
    assert event.ip_address is None
    assert "Bus stop" not in str(event.after) + event.summary


def test_the_words_never_reach_the_logs(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    client.post("/have-your-say", data=form(what_should_change="Zanzibar marmalade is unique words"))
    client.post("/have-your-say", data=form(what_is_good="", what_should_change="", wants_contact=""))
    assert "Zanzibar" not in caplog.text


def test_ticking_i_dont_feel_safe_flags_it_and_alerts_every_participation_lead(app, client):
    leads = [make_user(role="participation_lead") for _ in range(2)]
    make_user(role="admin")
    response = client.post(
        "/have-your-say", data=form(wants_contact="y", contact_details="07700 900123", what_is_good="")
    )
    assert response.status_code == 303
    [feedback] = feedback_rows()
    assert feedback.flagged and feedback.wants_contact and feedback.contact_details == "07700 900123"
    alerts = db.session.scalars(select(Notification)).all()
    assert sorted(a.recipient_id for a in alerts) == sorted(u.id for u in leads)
    assert {a.kind for a in alerts} == {"safeguarding_alert"}
    assert {a.email for a in alerts} == {"pending"}, "a safeguarding alert is always emailed too"
    assert all(f"/feedback/{feedback.id}" == a.link for a in alerts)
    assert all("07700" not in a.title + a.body for a in alerts)


def test_words_about_harm_are_flagged_even_when_the_box_is_not_ticked(app, client):
    make_user(role="participation_lead")
    client.post("/have-your-say", data=form(what_should_change="my stepdad hits me when hes drunk"))
    [feedback] = feedback_rows()
    assert feedback.flagged and not feedback.wants_contact
    assert "being hurt" in feedback.flag_reasons
    assert db.session.scalar(select(func.count(Notification.id))) == 1


def test_contact_details_are_kept_only_when_they_asked_to_be_contacted(app, client):
    client.post("/have-your-say", data=form(contact_details="07700 900123"))
    [feedback] = feedback_rows()
    assert feedback.contact_details == ""


def test_sending_the_same_form_twice_keeps_one_message(app, client):
    data = form()
    assert client.post("/have-your-say", data=data).status_code == 303
    assert client.post("/have-your-say", data=data).status_code == 303
    assert len(feedback_rows()) == 1


def test_the_hidden_field_robots_fill_in_is_thanked_and_nothing_is_kept(app, client):
    response = client.post("/have-your-say", data=form(website="http://spam.example"))
    assert response.status_code == 303
    assert feedback_rows() == []


def test_an_empty_message_is_refused_in_plain_words(app, client):
    response = client.post("/have-your-say", data=form(what_is_good="", what_should_change=""))
    assert response.status_code == 422
    assert "Tell us something" in response.get_data(as_text=True)
    assert feedback_rows() == []


def test_a_very_long_message_is_refused_and_kept_in_the_box(app, client):
    long = "word " * 500
    response = client.post("/have-your-say", data=form(what_should_change=long))
    assert response.status_code == 422
    assert "Please keep it shorter" in response.get_data(as_text=True)
    assert "word word word" in response.get_data(as_text=True)
    assert feedback_rows() == []


def test_an_expired_form_keeps_the_young_persons_words_and_asks_them_to_send_again(csrf_app, client):
    client.get("/have-your-say")
    response = client.post(
        "/have-your-say",
        data={"csrf_token": "expired-or-missing", **form(what_should_change="Please fix the lights")},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Press Send again" in page and "Please fix the lights" in page
    assert feedback_rows() == []
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    again = client.post("/have-your-say", data={"csrf_token": token, **form(what_should_change="Lights")})
    assert again.status_code == 303


def test_too_many_messages_from_one_address_get_a_friendly_429_with_the_words_kept(app, client):
    app.config["FEEDBACK_RATE_LIMIT"] = "2 per minute"
    assert client.post("/have-your-say", data=form()).status_code == 303
    assert client.post("/have-your-say", data=form()).status_code == 303
    response = client.post("/have-your-say", data=form(what_should_change="Third message words"))
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Wait a minute" in page and "Third message words" in page
    assert len(feedback_rows()) == 2


def test_an_open_consultation_is_offered_and_its_answers_are_linked(app, client):
    from datetime import timedelta

    from app.dates import today

    consultation = Consultation(
        title="Feeling safe",
        question="What makes you feel safe?",
        opens_on=today() - timedelta(days=1),
        closes_on=today() + timedelta(days=10),
    )
    closed = Consultation(
        title="Old",
        question="A question that closed",
        opens_on=today() - timedelta(days=30),
        closes_on=today() - timedelta(days=1),
    )
    db.session.add_all([consultation, closed])
    db.session.commit()
    page = client.get("/have-your-say").get_data(as_text=True)
    assert "What makes you feel safe?" in page and "A question that closed" not in page
    client.post("/have-your-say", data=form(about=str(consultation.id)))
    assert feedback_rows()[0].consultation_id == consultation.id


@pytest.mark.parametrize("role", ["partner", "agency_lead", "trust_member", "programme_manager"])
def test_only_participation_leads_and_admins_read_the_words(app, client, as_role, role):
    client.post("/have-your-say", data=form())
    feedback_id = feedback_rows()[0].id
    as_role(role)
    assert client.get("/feedback/").status_code == 403
    assert client.get(f"/feedback/{feedback_id}").status_code == 403


def test_anonymous_visitors_cannot_reach_the_triage_queue(app, client):
    response = client.get("/feedback/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
