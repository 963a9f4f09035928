"""Every rule of the returns, called where it lives (app.returns.services)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.dates import today
from app.errors import NotAllowed, RuleBroken, StaleEdit
from app.extensions import db
from app.notifications.models import Notification
from app.returns import services
from app.returns.models import OVERDUE, Return, ReturnTransition, compliance_percent, display_status
from app.returns.questions import CURRENT_VERSION, questions_for
from app.returns.services import PeriodDetails
from tests.factories import make_agency, make_return_period, make_user, reload
from tests.returns.support import COMPLETE, make_return

QUESTIONS = questions_for(CURRENT_VERSION, "police")


@pytest.mark.parametrize("value", [-1, "12", 1.5, True, 2_000_000])
def test_a_count_is_a_whole_number_of_0_or_more(value):
    with pytest.raises(RuleBroken) as error:
        services.check_answers(QUESTIONS, {"appointments": value})
    assert error.value.field == "appointments"


def test_an_of_those_count_never_exceeds_its_total():
    with pytest.raises(RuleBroken) as error:
        services.check_answers(QUESTIONS, {"appointments": 5, "fully_checked": 6})
    assert error.value.field == "fully_checked" and "5" in error.value.message
    with pytest.raises(RuleBroken) as error:
        services.check_answers(QUESTIONS, {"overseas_needed": 1, "overseas_done": 2})
    assert error.value.field == "overseas_done"
    assert services.check_answers(QUESTIONS, {"appointments": 5, "fully_checked": 5}) == {
        "appointments": 5,
        "fully_checked": 5,
    }


def test_the_allegations_outcomes_together_never_exceed_the_referrals():
    with pytest.raises(RuleBroken) as error:
        services.check_answers(
            QUESTIONS, {"lado_referrals": 2, "outcome_substantiated": 2, "outcome_malicious": 1}
        )
    assert error.value.field == "outcome_substantiated"


def test_answers_to_no_question_are_dropped():
    assert services.check_answers(QUESTIONS, {"appointments": 1, "agency_id": 99, "status": "accepted"}) == {
        "appointments": 1
    }


def test_compliance_is_the_share_fully_checked_before_start():
    assert compliance_percent({"appointments": 8, "fully_checked": 6}) == 75
    assert compliance_percent({"appointments": 0, "fully_checked": 0}) is None
    assert compliance_percent({}) is None


def test_a_draft_or_returned_return_past_its_due_date_is_overdue():
    past = today() - timedelta(days=1)
    assert display_status("draft", past) == OVERDUE and display_status(None, past) == OVERDUE
    assert display_status("returned", past) == OVERDUE and display_status("submitted", past) == "submitted"
    assert display_status(None, today()) == "not_started"


def test_saving_needs_the_agency_and_an_editable_return(app):
    police = make_agency()
    ret = make_return(police)
    outsider = make_user(role="agency_lead", agency=make_agency())
    with pytest.raises(NotAllowed):
        services.save_answers(ret, {}, comments={}, self_rating="", user=outsider, loaded_version=1)
    ret.status = "submitted"
    db.session.commit()
    partner = make_user(agency=police)
    with pytest.raises(RuleBroken, match="cannot be changed"):
        services.save_answers(
            ret, COMPLETE, comments={}, self_rating="", user=partner, loaded_version=ret.lock_version
        )


def test_a_stale_save_is_refused(app):
    ret = make_return()
    partner = make_user(agency=ret.agency)
    with pytest.raises(StaleEdit):
        services.save_answers(
            ret, {**COMPLETE, "appointments": 11}, comments={}, self_rating="", user=partner, loaded_version=0
        )


def test_saving_records_the_answers_and_compliance_and_audits(app):
    ret = make_return(answers={})
    partner = make_user(agency=ret.agency)
    assert services.save_answers(
        ret,
        {"appointments": 4, "fully_checked": 3},
        comments={"appointments": " One was a transfer. ", "nonsense": "x"},
        self_rating="partly_compliant",
        user=partner,
        loaded_version=1,
    )
    db.session.commit()
    ret = reload(ret)
    assert ret.answers == {"appointments": 4, "fully_checked": 3} and ret.compliance == 75
    assert ret.comments == {"appointments": "One was a transfer."}
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "return.save")) == 1


def test_submitting_needs_the_agency_lead(app):
    ret = make_return()
    with pytest.raises(NotAllowed):
        services.submit_return(ret, user=make_user(agency=ret.agency), loaded_version=1)


def test_only_a_draft_or_returned_return_can_be_submitted(app):
    ret = make_return(status="accepted")
    lead = make_user(role="agency_lead", agency=ret.agency)
    with pytest.raises(RuleBroken, match="already been submitted"):
        services.submit_return(ret, user=lead, loaded_version=ret.lock_version)


def test_a_return_is_submitted_complete(app):
    ret = make_return(answers={**COMPLETE, "panels": None})
    lead = make_user(role="agency_lead", agency=ret.agency)
    with pytest.raises(RuleBroken) as error:
        services.submit_return(ret, user=lead, loaded_version=1)
    assert error.value.field == "panels"
    ret.answers = {**COMPLETE, "senior_manager": ""}
    with pytest.raises(RuleBroken) as error:
        services.submit_return(ret, user=lead, loaded_version=1)
    assert error.value.field == "senior_manager"
    ret.answers, ret.self_rating = COMPLETE, ""
    with pytest.raises(RuleBroken) as error:
        services.submit_return(ret, user=lead, loaded_version=1)
    assert error.value.field == "self_rating"


def test_submitting_moves_the_return_and_records_the_transition(app):
    ret = make_return()
    lead = make_user(role="agency_lead", agency=ret.agency)
    services.submit_return(ret, user=lead, loaded_version=1)
    db.session.commit()
    transition = db.session.scalar(select(ReturnTransition))
    assert (transition.from_status, transition.to_status, transition.actor_id) == (
        "draft",
        "submitted",
        lead.id,
    )
    assert reload(ret).status == "submitted" and reload(ret).submitted_at is not None
    assert (
        db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "returns"))
        == "return.submit"
    )


def test_only_reviewers_accept_or_return(app):
    ret = make_return(status="submitted")
    for role in ("partner", "agency_lead", "admin", "participation_lead"):
        with pytest.raises(NotAllowed):
            services.accept_return(ret, moderated_rating="", user=make_user(role=role), loaded_version=1)


def test_only_a_submitted_return_is_accepted_or_returned(app):
    ret = make_return(status="draft")
    reviewer = make_user(role="trust_member")
    with pytest.raises(RuleBroken, match="Only a submitted"):
        services.accept_return(ret, moderated_rating="", user=reviewer, loaded_version=1)
    with pytest.raises(RuleBroken, match="Only a submitted"):
        services.return_for_amendment(ret, reason="Why", moderated_rating="", user=reviewer, loaded_version=1)


def test_returning_needs_a_reason(app):
    ret = make_return(status="submitted")
    with pytest.raises(RuleBroken) as error:
        services.return_for_amendment(
            ret, reason="  ", moderated_rating="", user=make_user(role="programme_manager"), loaded_version=1
        )
    assert error.value.field == "reason"


def test_a_rating_must_be_one_of_the_list(app):
    ret = make_return(status="submitted")
    with pytest.raises(RuleBroken) as error:
        services.accept_return(
            ret, moderated_rating="excellent", user=make_user(role="trust_member"), loaded_version=1
        )
    assert error.value.field == "moderated_rating"


def test_returning_tells_the_agency_leads_with_the_reason(app):
    ret = make_return(status="submitted")
    lead = make_user(role="agency_lead", agency=ret.agency)
    make_user(role="partner", agency=ret.agency)
    services.return_for_amendment(
        ret,
        reason="References count does not match the SCR.",
        moderated_rating="partly_compliant",
        user=make_user(role="programme_manager"),
        loaded_version=1,
    )
    db.session.commit()
    notice = db.session.scalar(select(Notification).where(Notification.kind == "return_returned"))
    assert notice.body.endswith("References count does not match the SCR.")
    recipients = db.session.scalars(select(Notification.recipient_id)).all()
    leads = db.session.scalars(
        select(User.id).where(User.agency_id == ret.agency_id, User.role == "agency_lead")
    ).all()
    assert lead.id in recipients and sorted(recipients) == sorted(leads)
    assert reload(ret).moderated_rating == "partly_compliant"


def test_starting_prefills_from_the_last_accepted_return_but_never_counts(app):
    school = make_agency(kind="school")
    previous = make_return_period("2009/10 Q2", due_in=-60, closed=True)
    make_return(
        school,
        previous,
        status="accepted",
        answers={**COMPLETE, "scr_audited_on": "2009-09-30"},
    )
    current = make_return_period("2009/10 Q3")
    ret = services.start_return(current, school, user=make_user(role="partner", agency=school))
    assert ret.answers == {"senior_manager": COMPLETE["senior_manager"], "scr_audited_on": "2009-09-30"}


def test_starting_twice_gives_the_one_return(app):
    agency = make_agency()
    period = make_return_period()
    lead = make_user(role="agency_lead", agency=agency)
    first = services.start_return(period, agency, user=lead)
    db.session.commit()
    assert services.start_return(period, agency, user=lead).id == first.id
    assert db.session.scalar(select(func.count(Return.id))) == 1


def test_a_return_is_started_only_in_an_open_period_that_applies(app):
    agency = make_agency(kind="police")
    lead = make_user(role="agency_lead", agency=agency)
    with pytest.raises(RuleBroken, match="does not ask"):
        services.start_return(make_return_period("Schools only", kinds="school"), agency, user=lead)
    with pytest.raises(RuleBroken, match="not open"):
        services.start_return(make_return_period("Closed", closed=True), agency, user=lead)
    with pytest.raises(NotAllowed):
        services.start_return(make_return_period("Q4"), agency, user=make_user(role="trust_member"))


def _details(**changes) -> PeriodDetails:
    day = today()
    values = {
        "name": "2010/11 Q1",
        "covers_from": day,
        "covers_to": day + timedelta(days=90),
        "opens_on": day + timedelta(days=91),
        "due_on": day + timedelta(days=120),
        "agency_kinds": [],
    }
    return PeriodDetails(**{**values, **changes})


def test_period_dates_and_names_are_checked(app):
    manager = make_user(role="programme_manager")
    day = today()
    with pytest.raises(RuleBroken) as error:
        services.save_period(None, _details(covers_to=day - timedelta(days=1)), user=manager)
    assert error.value.field == "covers_to"
    with pytest.raises(RuleBroken) as error:
        services.save_period(None, _details(due_on=day), user=manager)
    assert error.value.field == "due_on"
    make_return_period("2010/11 Q1")
    with pytest.raises(RuleBroken) as error:
        services.save_period(None, _details(), user=manager)
    assert error.value.field == "name"
    with pytest.raises(NotAllowed):
        services.save_period(None, _details(name="Other"), user=make_user(role="trust_member"))


def test_apply_scr_counts_writes_only_the_counts(app):
    ret = make_return(answers={"senior_manager": "Jane Whitaker", "panels": 3})
    partner = make_user(agency=ret.agency)
    services.apply_scr_counts(
        ret,
        {"appointments": 4, "fully_checked": 2, "panels": 99, "senior_manager": "X"},
        user=partner,
        loaded_version=1,
    )
    db.session.commit()
    assert reload(ret).answers == {
        "senior_manager": "Jane Whitaker",
        "panels": 3,
        "appointments": 4,
        "fully_checked": 2,
    }
