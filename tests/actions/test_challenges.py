from datetime import timedelta

import pytest
from sqlalchemy import select

from app.actions.models import Challenge
from app.actions.permissions import CLOSE_CHALLENGE, challenges_to_close
from app.actions.services import raise_challenge
from app.audit.models import AuditEvent
from app.dates import add_working_days, today
from app.db_types import utcnow
from app.extensions import db
from app.forms import new_token
from tests.factories import PASSWORD, make_action, make_agency, make_user


def challenges():
    db.session.expire_all()
    return db.session.scalars(select(Challenge)).all()


@pytest.mark.parametrize("role", ["trust_member", "programme_manager"])
def test_trust_members_and_the_programme_manager_raise_challenges(app, client, as_role, role):
    action = make_action()
    as_role(role)
    response = client.post(
        f"/actions/{action.id}/challenges",
        data={"challenge-submission_token": new_token(), "challenge-text": "What is the revised date?"},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and "What is the revised date?" in body and "Awaiting response" in body
    assert [c.text for c in challenges()] == ["What is the revised date?"]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "challenge.raise")) is not None


def test_challenge_without_javascript_redirects_back(app, client, as_role):
    action = make_action()
    as_role("trust_member")
    response = client.post(
        f"/actions/{action.id}/challenges",
        data={"challenge-submission_token": new_token(), "challenge-text": "Evidence please."},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/actions/{action.id}#challenges"


def test_empty_challenge_is_refused(app, client, as_role):
    action = make_action()
    as_role("trust_member")
    response = client.post(
        f"/actions/{action.id}/challenges",
        data={"challenge-submission_token": new_token(), "challenge-text": "  "},
    )
    assert response.status_code == 422
    assert "Write your challenge" in response.get_data(as_text=True)
    assert challenges() == []


@pytest.mark.parametrize("role", ["partner", "agency_lead", "participation_lead"])
def test_others_cannot_raise_challenges(app, client, as_role, role):
    action = make_action()
    as_role(role)
    assert (
        client.post(
            f"/actions/{action.id}/challenges",
            data={"challenge-submission_token": new_token(), "challenge-text": "Hmm"},
        ).status_code
        == 403
    )
    assert challenges() == []


def test_owner_agency_responds_and_the_challenge_shows_on_their_home_page_until_then(app, client, as_role):
    health = make_agency("NHS Bassetlaw (PCT)")
    action = make_action(owner=health)
    trust = make_user(role="trust_member")
    db.session.add(Challenge(action_id=action.id, text="Why is this amber?", raised_by_id=trust.id))
    db.session.commit()
    challenge = challenges()[0]

    as_role("agency_lead", agency=health)
    assert "1 challenge is waiting for your agency’s response" in client.get("/").get_data(as_text=True)
    assert "1 open challenge" in client.get("/actions/").get_data(as_text=True)
    response = client.post(
        f"/actions/{action.id}/challenges/{challenge.id}/response",
        data={"text": "Two GP practices have not released staff."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Two GP practices have not released staff." in response.get_data(as_text=True)
    assert challenges()[0].responded_at is not None
    assert "waiting for your agency" not in client.get("/").get_data(as_text=True)


def test_another_agency_cannot_respond(app, client, as_role):
    action = make_action(owner=make_agency())
    trust = make_user(role="trust_member")
    db.session.add(Challenge(action_id=action.id, text="Why?", raised_by_id=trust.id))
    db.session.commit()
    challenge = challenges()[0]
    as_role("agency_lead", agency=make_agency())
    response = client.post(
        f"/actions/{action.id}/challenges/{challenge.id}/response", data={"text": "Not ours"}
    )
    assert response.status_code == 403
    assert challenges()[0].response == ""


def test_challenge_of_another_action_is_404(app, client, as_role):
    owner = make_agency()
    action, other = make_action(owner=owner), make_action(owner=owner)
    trust = make_user(role="trust_member")
    db.session.add(Challenge(action_id=other.id, text="Why?", raised_by_id=trust.id))
    db.session.commit()
    as_role("agency_lead", agency=owner)
    challenge = challenges()[0]
    assert (
        client.post(
            f"/actions/{action.id}/challenges/{challenge.id}/response", data={"text": "x"}
        ).status_code
        == 404
    )


def test_the_challenger_closes_it(app, client):
    action = make_action()
    trust = make_user(role="trust_member")
    other_trust = make_user(role="trust_member")
    db.session.add(Challenge(action_id=action.id, text="Why?", raised_by_id=trust.id))
    db.session.commit()
    challenge = challenges()[0]

    other = app.test_client()
    other.post("/login", data={"email": other_trust.email, "password": PASSWORD})
    assert other.post(f"/actions/{action.id}/challenges/{challenge.id}/close").status_code == 403

    mine = app.test_client()
    mine.post("/login", data={"email": trust.email, "password": PASSWORD})
    assert mine.post(f"/actions/{action.id}/challenges/{challenge.id}/close").status_code == 303
    assert challenges()[0].closed_at is not None


def test_proposed_or_closed_actions_cannot_be_challenged(app, client, as_role):
    proposal = make_action(review="proposed")
    closed = make_action(status="closed")
    as_role("programme_manager")
    for action in (proposal, closed):
        response = client.post(
            f"/actions/{action.id}/challenges",
            data={"challenge-submission_token": new_token(), "challenge-text": "Why?"},
        )
        assert response.status_code == 422
        assert "Only open actions in the programme can be challenged." in response.get_data(as_text=True)
    assert challenges() == []


# --- The loop closed: a date to answer by, the way to it, and the answer back -------------------


def _challenge(action, raised_by, *, due_in_days=10, responded=False, closed=False):
    now = utcnow()
    challenge = Challenge(
        action_id=action.id,
        text="Why is this amber?",
        raised_by_id=raised_by.id,
        response_due=today() + timedelta(days=due_in_days),
        response="Because." if responded else "",
        responded_at=now if responded else None,
        responded_by_id=raised_by.id if responded else None,
        closed_at=now if closed else None,
    )
    db.session.add(challenge)
    db.session.commit()
    return challenge


def test_a_challenge_is_due_ten_working_days_after_it_is_raised(app):
    action = make_action()
    trust = make_user(role="trust_member")
    challenge = raise_challenge(action, user=trust, text="What is the revised date?")
    db.session.commit()
    assert challenge.response_due == add_working_days(today(), 10)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "challenge.raise"))
    assert event.after["response_due"] == challenge.response_due.isoformat()


def test_overdue_means_unanswered_after_its_date_in_python_and_in_sql(app):
    action = make_action()
    trust = make_user(role="trust_member")
    late = _challenge(action, trust, due_in_days=-1)
    due_today = _challenge(action, trust, due_in_days=0)
    answered_late = _challenge(action, trust, due_in_days=-5, responded=True)
    closed_late = _challenge(action, trust, due_in_days=-5, closed=True)
    assert [c.is_overdue for c in (late, due_today, answered_late, closed_late)] == [
        True,
        False,
        False,
        False,
    ]
    assert db.session.scalars(select(Challenge.id).where(Challenge.is_overdue)).all() == [late.id]


def test_the_list_flags_overdue_challenges_and_filters_by_them(app, client, as_role):
    owner = make_agency()
    late, fine = make_action(owner=owner), make_action(owner=owner)
    trust = make_user(role="trust_member")
    _challenge(late, trust, due_in_days=-2)
    _challenge(fine, trust, due_in_days=3)
    as_role("trust_member")
    page = client.get("/actions/").get_data(as_text=True)
    assert "1 open challenge, 1 overdue" in page and "1 open challenge<" in page
    filtered = client.get("/actions/?challenge=overdue", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert f">{late.reference}<" in filtered and f">{fine.reference}<" not in filtered


def test_one_waiting_challenge_links_to_itself_from_the_home_page(app, client, as_role):
    owner = make_agency()
    action = make_action(owner=owner)
    challenge = _challenge(action, make_user(role="trust_member"), due_in_days=-1)
    as_role("partner", agency=owner)
    page = client.get("/").get_data(as_text=True)
    assert "1 challenge is waiting for your agency’s response (overdue since" in page
    assert f'href="/actions/{action.id}#challenge-{challenge.id}"' in page


def test_several_waiting_challenges_link_to_the_list_of_exactly_those(app, client, as_role):
    owner = make_agency()
    first, second, quiet = make_action(owner=owner), make_action(owner=owner), make_action(owner=owner)
    trust = make_user(role="trust_member")
    _challenge(first, trust, due_in_days=-1)
    _challenge(second, trust)
    _challenge(quiet, trust, responded=True)
    as_role("agency_lead", agency=owner)
    page = client.get("/").get_data(as_text=True)
    assert "2 challenges are waiting for your agency’s response (1 overdue)" in page
    link = f"/actions/?agency={owner.id}&amp;challenge=waiting"
    assert f'href="{link}"' in page
    listed = client.get(link.replace("&amp;", "&"), headers={"HX-Request": "true"}).get_data(as_text=True)
    assert [a.reference for a in (first, second, quiet) if f">{a.reference}<" in listed] == [
        first.reference,
        second.reference,
    ]


def test_whoever_raised_a_challenge_sees_on_their_home_page_that_it_was_answered(app, client):
    action = make_action()
    trust, other_trust = make_user(role="trust_member"), make_user(role="trust_member")
    challenge = _challenge(action, trust, responded=True)
    _challenge(action, other_trust, responded=True)
    mine = app.test_client()
    mine.post("/login", data={"email": trust.email, "password": PASSWORD})
    page = mine.get("/").get_data(as_text=True)
    assert "1 challenge has been answered: read the response and close it" in page
    assert f'href="/actions/{action.id}#challenge-{challenge.id}"' in page
    assert mine.post(f"/actions/{action.id}/challenges/{challenge.id}/close").status_code == 303
    assert "has been answered" not in mine.get("/").get_data(as_text=True)


def test_the_programme_manager_is_told_of_every_answered_challenge_and_late_response(app, client, as_role):
    action = make_action()
    trust = make_user(role="trust_member")
    _challenge(action, trust, responded=True)
    _challenge(action, trust, responded=True)
    _challenge(action, trust, due_in_days=-3)
    as_role("programme_manager")
    page = client.get("/").get_data(as_text=True)
    assert "2 challenges have been answered: read the responses and close them" in page
    assert 'href="/actions/?challenge=answered"' in page
    assert (
        "1 challenge is past the date for a response" in page and 'href="/actions/?challenge=overdue"' in page
    )


@pytest.mark.parametrize("role", ["partner", "agency_lead", "trust_member", "programme_manager", "admin"])
def test_the_challenges_a_user_may_close_are_the_same_in_sql_and_in_the_permission(app, role):
    action = make_action()
    user = make_user(role=role)
    own = _challenge(action, user if role == "trust_member" else make_user(role="trust_member"))
    other = _challenge(action, make_user(role="trust_member"))
    in_sql = set(db.session.scalars(select(Challenge.id).where(challenges_to_close(user))))
    allowed = {c.id for c in (own, other) if CLOSE_CHALLENGE.allows(user, c)}
    assert in_sql == allowed


def test_the_owner_answers_before_scrolling_past_the_update_form(app, client, as_role):
    owner = make_agency()
    action = make_action(owner=owner)
    challenge = _challenge(action, make_user(role="trust_member"))
    as_role("agency_lead", agency=owner)
    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert page.index(f'id="challenge-{challenge.id}"') < page.index("Post a progress update")
    assert f'Response due by <time datetime="{challenge.response_due.isoformat()}">' in page
