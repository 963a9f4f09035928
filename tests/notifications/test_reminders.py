"""What each feature tells people, and the daily reminders: sent to the right people, once per
item and stage however often `flask reminders send` runs."""

from datetime import timedelta

from sqlalchemy import func, select

from app.actions import notices as action_notices
from app.actions import services as actions
from app.db_types import utcnow
from app.extensions import db
from app.notifications.models import Notification
from app.participation import notices as participation_notices
from app.participation.services import FeedbackDetails, receive_feedback
from app.thresholds import notices as threshold_notices
from app.thresholds.models import ThresholdVersion
from app.thresholds.services import acknowledge_for_agency
from tests.factories import make_action, make_agency, make_threshold_document, make_user, reload


def told(kind: str) -> list[tuple[int, str]]:
    db.session.expire_all()
    return db.session.execute(
        select(Notification.recipient_id, Notification.title)
        .where(Notification.kind == kind)
        .order_by(Notification.recipient_id)
    ).all()


def recipients(kind: str) -> set[int]:
    return {who for who, _ in told(kind)}


# --- Events ----------------------------------------------------------------------------------


def test_a_challenge_tells_the_owner_agencys_leads_and_the_answer_tells_the_challenger(app):
    owner, other = make_agency(), make_agency()
    lead, partner = make_user(role="agency_lead", agency=owner), make_user(role="partner", agency=owner)
    make_user(role="agency_lead", agency=other)
    make_user(role="agency_lead", agency=owner, active=False)
    action = make_action(owner)
    trust = make_user(role="trust_member")
    challenge = actions.raise_challenge(action, user=trust, text="What evidence is there?")
    db.session.commit()
    [(who, title)] = told("challenge_raised")
    assert who == lead.id and action.reference in title and "response is due" in title

    actions.respond_to_challenge(challenge, user=partner, text="The audit report, attached.")
    db.session.commit()
    assert recipients("challenge_answered") == {trust.id}


def test_a_returned_proposal_tells_whoever_proposed_it(app):
    owner = make_agency()
    proposer = make_user(role="agency_lead", agency=owner)
    action = make_action(owner, review="proposed", status="not_started", submitted_by=proposer)
    actions.return_action(
        action,
        reason="Name an owner",
        user=make_user(role="programme_manager"),
        loaded_version=action.lock_version,
    )
    db.session.commit()
    assert recipients("proposal_returned") == {proposer.id}
    assert db.session.scalar(select(Notification.body)).endswith("Name an owner")


# --- Reminders -------------------------------------------------------------------------------


def test_actions_due_soon_or_overdue_remind_their_agencys_leads_once_per_stage(app):
    owner = make_agency()
    lead = make_user(role="agency_lead", agency=owner)
    make_user(role="partner", agency=owner)
    due_soon = make_action(owner, due_in_days=3)
    overdue = make_action(owner, due_in_days=-2)
    make_action(owner, due_in_days=30)  # not yet
    make_action(owner, due_in_days=-5, status="complete", percent=100)  # finished: no reminder
    make_action(owner, due_in_days=-5, review="proposed", status="not_started")  # not in the programme

    assert action_notices.reminders() == 2
    db.session.commit()
    titles = [title for _, title in told("action_due")]
    assert sorted(titles) == sorted(
        [
            f"{due_soon.reference} is due on {due_soon.due_date:%-d %B}",
            f"{overdue.reference} is overdue: it was due on {overdue.due_date:%-d %B}",
        ]
    )
    assert recipients("action_due") == {lead.id}

    assert action_notices.reminders() == 0  # the next day's run: nothing new
    due_soon = reload(due_soon)
    due_soon.due_date = utcnow().date() - timedelta(days=1)  # now overdue: a new stage
    db.session.commit()
    assert action_notices.reminders() == 1


def test_agencies_that_have_not_acknowledged_after_14_days_are_reminded_once(app):
    briefed, late = make_agency(), make_agency()
    briefed_lead = make_user(role="agency_lead", agency=briefed)
    late_lead = make_user(role="agency_lead", agency=late)
    document = make_threshold_document()
    version = db.session.scalar(select(ThresholdVersion).where(ThresholdVersion.document_id == document.id))
    acknowledge_for_agency(version, user=briefed_lead)
    db.session.commit()

    assert threshold_notices.reminders() == 0  # published today: agencies have 14 days
    version.published_at = utcnow() - timedelta(days=threshold_notices.ACKNOWLEDGE_WITHIN_DAYS + 1)
    db.session.commit()
    assert threshold_notices.reminders() == 1
    db.session.commit()
    assert recipients("acknowledgement_due") == {late_lead.id}
    assert threshold_notices.reminders() == 0


def test_publishing_a_version_tells_everyone_in_the_portal_but_emails_only_those_who_asked(app):
    partner = make_user(role="partner")
    make_threshold_document()
    db.session.expire_all()
    notification = db.session.scalar(
        select(Notification).where(
            Notification.kind == "thresholds_published", Notification.recipient_id == partner.id
        )
    )
    assert notification is not None and notification.email == "not_wanted"


def test_a_flagged_message_nobody_has_acted_on_reminds_every_participation_lead_daily(app):
    leads = {make_user(role="participation_lead").id, make_user(role="participation_lead").id}
    feedback = receive_feedback(FeedbackDetails(None, "", "Someone at home hurts me", None, "", False, ""))
    receive_feedback(FeedbackDetails(None, "The youth club", "", None, "", False, ""))
    db.session.commit()
    assert participation_notices.reminders() == 2
    db.session.commit()
    assert participation_notices.reminders() == 0
    assert recipients("flagged_waiting") == leads
    assert all(str(feedback.id) in title for _, title in told("flagged_waiting"))


def test_the_reminders_command_runs_every_feature_and_sends_the_emails(app):
    owner = make_agency()
    make_user(role="agency_lead", agency=owner)
    make_action(owner, due_in_days=1)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "actions: 1 reminder\n" in result.output and "Emails sent: 1" in result.output
    again = runner.invoke(args=["reminders", "send"])
    assert "actions: 0 reminders" in again.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Notification.id))) == 1
