import pytest
from sqlalchemy import select

from app.actions.models import Action, ProgressUpdate
from app.audit.models import AuditEvent
from app.extensions import db
from app.forms import new_token
from tests.factories import make_action, make_agency, make_project, make_user, reload

FORM = {
    "title": "Police attendance at every initial child protection conference",
    "description": "A named officer attends or sends a report.",
    "owner_name": "DI Sarah Bennett",
    "due_date": ["31", "3", "2027"],
    "source": "partnership",
}


def test_partner_proposes_an_action_for_their_own_agency_only(app, client, as_role):
    police, health = make_agency("Police"), make_agency("Health")
    user = as_role("partner", agency=police)
    response = client.post(
        "/actions/new",
        data={
            **FORM,
            "submission_token": new_token(),
            "owner_agency_id": health.id,
            "contributor_ids": [health.id],
        },
    )
    assert response.status_code == 303
    action = db.session.scalar(select(Action))
    assert action.owner_agency_id == police.id  # an agency speaks only for itself
    assert (action.review, action.reference, action.project_id) == ("proposed", None, None)
    assert action.submitted_by_id == user.id and [a.id for a in action.contributors] == [health.id]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action.propose")) is not None


def test_bad_action_input_is_refused(app, client, as_role):
    as_role("agency_lead")
    response = client.post(
        "/actions/new",
        data={
            **FORM,
            "submission_token": new_token(),
            "title": "",
            "due_date": ["31", "13", "2027"],
            "start_date": ["1", "1", "2028"],
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the action" in page and "There is a problem" in page
    assert db.session.scalar(select(Action.id)) is None


@pytest.mark.parametrize("role", ["trust_member", "participation_lead"])
def test_reviewers_cannot_create_actions(app, client, as_role, role):
    as_role(role)
    assert client.post("/actions/new", data={**FORM, "submission_token": new_token()}).status_code == 403


def test_programme_manager_creates_an_action_in_a_project_with_a_reference(app, client, as_role):
    project = make_project(12, "Partnership development")
    make_action(project=project)
    owner = make_agency()
    as_role("programme_manager")
    response = client.post(
        "/actions/new",
        data={
            **FORM,
            "submission_token": new_token(),
            "owner_agency_id": owner.id,
            "project_id": project.id,
            "weight": 3,
        },
    )
    assert response.status_code == 303
    action = db.session.scalar(select(Action).order_by(Action.id.desc()).limit(1))
    assert (action.reference, action.review, action.weight) == ("P12-02", "accepted", 3)


def test_programme_manager_accepts_a_proposal_into_a_project(app, client, as_role):
    project = make_project(13, "Partnership thresholds and pathways")
    proposal = make_action(review="proposed")
    as_role("programme_manager")
    assert "Review this proposal" in client.get(f"/actions/{proposal.id}").get_data(as_text=True)
    response = client.post(
        f"/actions/{proposal.id}/accept", data={"accept-project_id": project.id, "accept-lock_version": 1}
    )
    assert response.status_code == 303
    accepted = reload(proposal)
    assert (accepted.review, accepted.reference, accepted.project_id) == ("accepted", "P13-01", project.id)


def test_programme_manager_returns_a_proposal_with_a_reason(app, client, as_role):
    owner = make_agency()
    proposal = make_action(owner=owner, review="proposed")
    as_role("programme_manager")
    assert (
        client.post(
            f"/actions/{proposal.id}/return", data={"return-reason": "", "return-lock_version": 1}
        ).status_code
        == 422
    )
    response = client.post(
        f"/actions/{proposal.id}/return",
        data={"return-reason": "Already covered by P06-02.", "return-lock_version": 1},
    )
    assert response.status_code == 303
    assert (reload(proposal).review, reload(proposal).return_reason) == (
        "returned",
        "Already covered by P06-02.",
    )

    partner = make_user(agency=owner)
    agency_client = app.test_client()
    agency_client.post("/login", data={"email": partner.email, "password": "a long test passphrase"})
    page = agency_client.get(f"/actions/{proposal.id}").get_data(as_text=True)
    assert "Returned by the programme manager: Already covered by P06-02." in page
    assert "1 proposed action was returned" in agency_client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["partner", "agency_lead", "trust_member"])
def test_only_the_programme_manager_reviews_edits_and_closes(app, client, as_role, role):
    project = make_project()
    owner = make_agency()
    proposal = make_action(owner=owner, review="proposed")
    action = make_action(owner=owner, project=project)
    as_role(role, agency=owner)
    assert (
        client.post(
            f"/actions/{proposal.id}/accept", data={"accept-project_id": project.id, "accept-lock_version": 1}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/actions/{proposal.id}/return", data={"return-reason": "x", "return-lock_version": 1}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/actions/{action.id}/close", data={"close-reason": "x", "close-lock_version": 1}
        ).status_code
        == 403
    )
    assert client.get(f"/actions/{action.id}/edit").status_code == 403
    assert reload(proposal).review == "proposed" and reload(action).status == "in_progress"


def test_proposals_of_another_agency_are_404(app, client, as_role):
    proposal = make_action(owner=make_agency(), review="proposed")
    as_role("partner", agency=make_agency())
    assert client.get(f"/actions/{proposal.id}").status_code == 404


def test_closing_an_action_records_who_and_why(app, client, as_role):
    action = make_action()
    as_role("programme_manager")
    response = client.post(
        f"/actions/{action.id}/close",
        data={
            "close-reason": "Superseded by P04-01.",
            "close-lock_version": 1,
            "close-submission_token": "close-1-0123456789abcdef",
        },
    )
    assert response.status_code == 303
    assert reload(action).status == "closed"
    update = db.session.scalar(select(ProgressUpdate))
    assert update.status_after == "closed" and "Superseded by P04-01." in update.note


def test_editing_a_stale_action_is_a_conflict(app, client, as_role):
    action = make_action()
    as_role("programme_manager")
    data = {
        **FORM,
        "owner_agency_id": action.owner_agency_id,
        "project_id": action.project_id,
        "lock_version": 1,
    }
    assert client.post(f"/actions/{action.id}/edit", data=data).status_code == 303
    response = client.post(f"/actions/{action.id}/edit", data={**data, "title": "A later, stale edit"})
    assert response.status_code == 409
    assert "A later, stale edit" in response.get_data(as_text=True)
    assert reload(action).title == FORM["title"]
