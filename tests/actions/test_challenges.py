import pytest
from sqlalchemy import select

from app.actions.models import Challenge
from app.audit.models import AuditEvent
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
        data={"submission_token": new_token(), "text": "What is the revised date?"},
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
        f"/actions/{action.id}/challenges", data={"submission_token": new_token(), "text": "Evidence please."}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/actions/{action.id}#challenges"


def test_empty_challenge_is_refused(app, client, as_role):
    action = make_action()
    as_role("trust_member")
    response = client.post(
        f"/actions/{action.id}/challenges", data={"submission_token": new_token(), "text": "  "}
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
            f"/actions/{action.id}/challenges", data={"submission_token": new_token(), "text": "Hmm"}
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
            f"/actions/{action.id}/challenges", data={"submission_token": new_token(), "text": "Why?"}
        )
        assert response.status_code == 422
        assert "Only open actions in the programme can be challenged." in response.get_data(as_text=True)
    assert challenges() == []
