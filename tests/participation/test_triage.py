"""The participation leads' side: the queue, acting on a flagged message, themes, the Trust's
counts, alerts that are retried until delivered, and retention."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.db_types import utcnow
from app.errors import NotAllowed, RuleBroken
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import deliver_emails
from app.participation.models import Feedback, Response, Theme, Triage
from app.participation.services import (
    FeedbackDetails,
    feedback_summary,
    mark_reviewed,
    publish_response,
    purge_old_feedback,
    receive_feedback,
    record_action,
    save_consultation,
    save_response,
    tag_themes,
)
from tests.factories import make_action, make_user, reload
from tests.smtp import SmtpServer


def received(*, flagged_words: bool = False, ticked: bool = False, days_ago: int = 0) -> Feedback:
    feedback = receive_feedback(
        FeedbackDetails(
            consultation_id=None,
            what_is_good="",
            what_should_change="he hits me" if flagged_words else "More buses",
            age_band=None,
            service="",
            wants_contact=ticked,
            contact_details="",
        )
    )
    if days_ago:
        feedback.received_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return feedback


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


# --- The services, called directly --------------------------------------------------------------


def test_a_message_with_nothing_in_it_is_refused(app):
    with pytest.raises(RuleBroken):
        receive_feedback(FeedbackDetails(None, " ", "", None, "", False, ""))
    assert count(Feedback) == 0


def test_only_a_participation_lead_records_what_was_done(app):
    feedback = received(ticked=True)
    for role in ("admin", "trust_member", "partner"):
        with pytest.raises(NotAllowed):
            record_action(feedback, user=make_user(role=role), action_taken="referred_mash", note="MASH")
    assert reload(feedback).actioned_at is None


def test_recording_what_was_done_names_the_lead_once(app):
    lead = make_user(role="participation_lead", full_name="Priya Shah")
    feedback = received(ticked=True)
    record_action(feedback, user=lead, action_taken="referred_mash", note="MASH ref 4471")
    db.session.commit()
    feedback = reload(feedback)
    assert feedback.actioned_by_id == lead.id and feedback.action_label == "Referred to the MASH"
    assert not feedback.awaits_action and feedback.triage == "reviewed"
    with pytest.raises(RuleBroken, match="Priya Shah has already recorded"):
        record_action(feedback, user=make_user(role="participation_lead"), action_taken="contacted", note="x")
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "feedback.action")) == 1


def test_a_referral_needs_its_details_but_no_concern_does_not(app):
    lead = make_user(role="participation_lead")
    feedback = received(flagged_words=True)
    with pytest.raises(RuleBroken, match="Say who it was referred to"):
        record_action(feedback, user=lead, action_taken="referred_social_care", note=" ")
    with pytest.raises(RuleBroken, match="Choose what was done"):
        record_action(feedback, user=lead, action_taken="shrugged", note="x")
    record_action(feedback, user=lead, action_taken="no_concern", note="")
    db.session.commit()
    assert reload(feedback).action_taken == "no_concern"


def test_an_ordinary_message_needs_no_action(app):
    with pytest.raises(RuleBroken, match="Only a flagged message"):
        record_action(
            received(), user=make_user(role="participation_lead"), action_taken="contacted", note="x"
        )


def test_a_flagged_message_cannot_just_be_marked_reviewed(app):
    lead = make_user(role="participation_lead")
    flagged = received(ticked=True)
    with pytest.raises(RuleBroken, match="Record what was done"):
        mark_reviewed(flagged, user=lead)
    ordinary = received()
    mark_reviewed(ordinary, user=lead)
    assert ordinary.triage == "reviewed"
    with pytest.raises(NotAllowed):
        mark_reviewed(received(), user=make_user(role="trust_member"))


def test_themes_are_shared_and_tagging_is_audited(app):
    lead = make_user(role="participation_lead")
    first, second = received(), received()
    tag_themes(first, user=lead, names=["Transport", " feeling safe ", ""])
    tag_themes(second, user=lead, names=["transport"])
    db.session.commit()
    assert count(Theme) == 2
    assert {t.name for t in reload(first).themes} == {"feeling safe", "Transport"}
    with pytest.raises(NotAllowed):
        tag_themes(first, user=make_user(role="programme_manager"), names=["x"])


def test_the_trust_sees_counts_in_a_fixed_number_of_queries(app):
    from tests.querycount import counted_queries

    lead = make_user(role="participation_lead")
    for n in range(6):
        feedback = received(flagged_words=n == 0)
        tag_themes(feedback, user=lead, names=["transport" if n % 2 else "school"])
    db.session.commit()
    with counted_queries(app) as statements:
        with app.app_context():
            summary = feedback_summary()
    assert summary.total == 6 and summary.flagged_open == 1
    assert dict(summary.by_theme) == {"school": 3, "transport": 3}
    assert len(statements) == 7


def test_consultation_dates_must_be_in_order(app):
    from datetime import date

    from app.participation.services import ConsultationDetails

    lead = make_user(role="participation_lead")
    details = ConsultationDetails("Safe", "What makes you safe?", "", "", date(2026, 3, 1), date(2026, 2, 1))
    with pytest.raises(RuleBroken, match="closing date"):
        save_consultation(None, details, user=lead)
    with pytest.raises(NotAllowed):
        save_consultation(None, details, user=make_user(role="trust_member"))


def test_you_said_we_did_links_to_a_real_action_and_publishes_once(app):
    lead = make_user(role="participation_lead")
    action = make_action()
    with pytest.raises(RuleBroken, match="no partnership action"):
        save_response(None, you_said="x", we_did="y", action_reference="P99-99", user=lead)
    response = save_response(
        None, you_said="x", we_did="y", action_reference=action.reference.lower(), user=lead
    )
    db.session.commit()
    assert response.action_id == action.id
    publish_response(response, user=lead, loaded_version=response.lock_version)
    db.session.commit()
    with pytest.raises(RuleBroken, match="already published"):
        publish_response(reload(response), user=lead, loaded_version=reload(response).lock_version)
    with pytest.raises(NotAllowed):
        save_response(None, you_said="x", we_did="y", action_reference="", user=make_user(role="partner"))
    assert count(Response) == 1


# --- Alerts: never lost ------------------------------------------------------------------------


def test_an_email_alert_that_fails_is_retried_later_and_delivered_once(app):
    lead = make_user(role="participation_lead", email="lead@example.test")
    with SmtpServer() as server:
        port = server.port
    # The mail server is down: the alert is written, and waits.
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    feedback = received(ticked=True)
    alert = db.session.scalar(select(Notification))
    assert alert.recipient_id == lead.id and alert.email == "pending"
    with app.test_request_context():
        assert deliver_emails() == (0, 1)
    assert reload(alert).email == "pending" and reload(alert).email_attempts == 1
    # The mail server is back: delivered once, and a later run sends nothing more.
    with SmtpServer() as server:
        app.config["MAIL_PORT"] = server.port
        with app.test_request_context():
            assert deliver_emails() == (1, 0)
            assert deliver_emails() == (0, 0)
        [message] = server.messages
    assert message["To"] == "lead@example.test"
    body = message.get_payload()
    assert f"/feedback/{feedback.id}" in body and "he hits me" not in body and "More buses" not in body
    assert reload(alert).email == "sent"


def test_the_alert_is_written_with_the_feedback_or_not_at_all(app):
    make_user(role="participation_lead")
    with pytest.raises(RuleBroken):
        receive_feedback(FeedbackDetails(None, "", "", None, "", False, ""))
    db.session.rollback()
    assert count(Notification) == 0 and count(Feedback) == 0


# --- Retention ---------------------------------------------------------------------------------


def test_old_feedback_is_purged_flagged_kept_longer_and_never_while_waiting(app):
    lead = make_user(role="participation_lead")
    old = received(days_ago=800)
    tag_themes(old, user=lead, names=["transport"])
    recent = received(days_ago=10)
    waiting = received(ticked=True, days_ago=3000)
    acted = received(flagged_words=True, days_ago=3000)
    record_action(acted, user=lead, action_taken="no_concern", note="")
    acted_recently = received(flagged_words=True, days_ago=800)
    record_action(acted_recently, user=lead, action_taken="no_concern", note="")
    db.session.commit()
    with app.app_context():
        assert purge_old_feedback() == (1, 1)
        db.session.commit()
    remaining = {f.id for f in db.session.scalars(select(Feedback))}
    assert remaining == {recent.id, waiting.id, acted_recently.id}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "feedback.purge"))
    assert event.after == {"deleted": 1, "deleted_flagged": 1}


# --- The pages ---------------------------------------------------------------------------------


def test_the_queue_puts_flagged_messages_first_and_the_lead_acts_on_one(app, client, as_role):
    received()
    flagged = received(flagged_words=True)
    lead = as_role("participation_lead")
    page = client.get("/feedback/").get_data(as_text=True)
    assert page.index(f"Message {flagged.id}") < page.index("Urgent: needs action") + 500
    assert "Urgent: needs action" in page
    home = client.get("/").get_data(as_text=True)
    assert f"message {flagged.id} may show a young person at risk" in home
    response = client.post(
        f"/feedback/{flagged.id}/action", data={"action_taken": "referred_mash", "note": "Ref MASH-1"}
    )
    assert response.status_code == 303
    assert reload(flagged).actioned_by_id == lead.id
    assert f"message {flagged.id} may show" not in client.get("/").get_data(as_text=True)


def test_the_home_panel_lists_waiting_messages_oldest_first_and_counts_the_new_ones(app, client, as_role):
    from app.participation.panels import feedback_panel

    as_role("participation_lead")
    assert feedback_panel(make_user(role="participation_lead")).items == [], "nothing yet"
    for _ in range(3):
        received()
    reviewed = received()
    reviewed.triage = Triage.REVIEWED
    db.session.commit()
    newer, older = received(flagged_words=True, days_ago=1), received(ticked=True, days_ago=3)
    lead = make_user(role="participation_lead")
    panel = feedback_panel(lead)
    texts = [item.text for item in panel.items]
    assert texts == [
        f"Urgent: message {older.id} may show a young person at risk, waiting 3 days",
        f"Urgent: message {newer.id} may show a young person at risk, waiting 24 hours",
        "3 new messages from young people to read",
    ]
    record_action(older, user=lead, action_taken="no_concern", note="")
    record_action(newer, user=lead, action_taken="no_concern", note="")
    db.session.commit()
    assert [item.text for item in feedback_panel(lead).items] == [
        "3 new messages from young people to read"
    ], "the new messages are counted when no flagged one is waiting"
    home = client.get("/").get_data(as_text=True)
    assert "3 new messages from young people to read" in home


def test_acting_without_details_is_a_422_with_the_choice_kept(app, client, as_role):
    flagged = received(ticked=True)
    as_role("participation_lead")
    response = client.post(f"/feedback/{flagged.id}/action", data={"action_taken": "contacted", "note": ""})
    assert response.status_code == 422
    assert "Say who it was referred to" in response.get_data(as_text=True)
    assert reload(flagged).actioned_at is None


def test_trust_members_see_counts_never_words(app, client, as_role):
    received()
    as_role("trust_member")
    page = client.get("/feedback/summary")
    assert page.status_code == 200
    assert "Messages received" in page.get_data(as_text=True) and "More buses" not in page.get_data(
        as_text=True
    )


def test_the_audit_trail_names_messages_by_number_and_never_shows_their_words(app, client, as_role):
    lead = make_user(role="participation_lead")
    feedback = received(flagged_words=True)
    record_action(feedback, user=lead, action_taken="no_concern", note="")
    tag_themes(feedback, user=lead, names=["home"])
    db.session.commit()
    as_role("admin")
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert f"Message {feedback.id}" in page and "recorded the action on a flagged message" in page
    assert "he hits me" not in page


def test_the_queue_reads_waiting_then_new_then_the_rest_across_pages(app):
    """The triage queue is read part by part (app.participation.services.TriagePage); page by page
    it must give the same order one sort over every message would."""
    from app.participation.services import triage_page

    lead = make_user(role="participation_lead")
    reviewed = [received(days_ago=d) for d in (1, 5, 9)]
    for message in reviewed:
        mark_reviewed(message, user=lead)
    new = [received(days_ago=d) for d in (2, 7)]
    waiting = [received(flagged_words=True, days_ago=d) for d in (3, 8)]
    acted = received(ticked=True, days_ago=4)
    record_action(acted, user=lead, action_taken="contacted", note="Spoke to them at school")
    mark_reviewed(acted, user=lead)
    db.session.commit()

    newest_first = lambda messages: sorted(messages, key=lambda m: m.received_at, reverse=True)  # noqa: E731
    expected = [m.id for m in newest_first(waiting) + newest_first(new) + newest_first([*reviewed, acted])]
    pages = [triage_page(n, 3) for n in (1, 2, 3, 4)]
    assert [[m.id for m in p.items] for p in pages] == [expected[0:3], expected[3:6], expected[6:9], []]
    assert {p.total for p in pages} == {len(expected)}
    assert pages[0].pages == 3


def test_the_summary_counts_each_message_in_its_local_month(app):
    from datetime import UTC, datetime

    first_of_october = received()  # 00:30 on 1 October, British Summer Time
    first_of_october.received_at = datetime(2026, 9, 30, 23, 30, tzinfo=UTC)
    last_of_october = received()  # 23:30 on 31 October, Greenwich Mean Time
    last_of_october.received_at = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
    db.session.commit()
    with app.app_context():
        assert feedback_summary().by_month == [("October 2026", 2)]
