"""A returned proposal is no dead end: its agency edits it and sends it again, sends it again as
it is, or withdraws it. Each service checks who may and whether it still can, keeps the lock and
audits; each refusal writes nothing. A likely duplicate is pointed out when proposing, never
refused. Proposals have no RAG until they are accepted."""

import re

import pytest
from sqlalchemy import func, select

from app.actions.models import Action
from app.actions.services import (
    ActionDetails,
    accept_action,
    likely_duplicates,
    resubmit_proposal,
    return_action,
    revise_proposal,
    withdraw_proposal,
)
from app.audit.models import AuditEvent
from app.errors import NotAllowed, RuleBroken, StaleEdit
from app.extensions import db
from app.forms import new_token
from tests.factories import make_action, make_agency, make_project, make_user, reload


def details(action, **changes) -> ActionDetails:
    values = {
        "title": action.title,
        "description": "Changed as the programme manager asked.",
        "owner_agency_id": action.owner_agency_id,
        "owner_name": "DI Sarah Bennett",
        "start_date": None,
        "due_date": action.due_date,
        "source": "partnership",
        "contributor_ids": [],
    }
    values.update(changes)
    return ActionDetails(**values)


def returned_proposal(owner=None, submitted_by=None):
    return make_action(
        owner=owner or make_agency(),
        review="returned",
        title="Officers at every briefing",
        return_reason="Please withdraw this one: P13-04 covers it.",
        submitted_by=submitted_by,
    )


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def nothing_written(action, review: str, version: int = 1) -> None:
    fresh = reload(action)
    assert (fresh.review, fresh.lock_version) == (review, version)
    assert [a for a in audit_actions() if a.startswith("action.")] == []


# --- The services, called directly --------------------------------------------------------------


def test_revising_a_returned_proposal_sends_it_again_and_is_audited(app):
    owner = make_agency()
    lead = make_user(role="agency_lead", agency=owner)
    action = returned_proposal(owner)
    revise_proposal(
        action, details(action, title="Officers at every termly briefing"), user=lead, loaded_version=1
    )
    db.session.commit()
    fresh = reload(action)
    assert (fresh.review, fresh.title, fresh.return_reason, fresh.lock_version) == (
        "proposed",
        "Officers at every termly briefing",
        "",
        2,
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "action.resubmit"))
    assert event.before["review"] == "returned" and event.after["review"] == "proposed"
    assert event.before["return_reason"].startswith("Please withdraw")


def test_revising_keeps_the_proposal_its_agencys(app):
    owner, other = make_agency(), make_agency()
    partner = make_user(agency=owner)
    action = make_action(owner=owner, review="proposed")
    revise_proposal(action, details(action, owner_agency_id=other.id), user=partner, loaded_version=1)
    db.session.commit()
    assert reload(action).owner_agency_id == owner.id
    assert audit_actions() == ["action.revise"]


def test_another_agency_may_not_revise_resubmit_or_withdraw(app):
    action = returned_proposal()
    outsider = make_user(role="agency_lead", agency=make_agency())
    with pytest.raises(NotAllowed):
        revise_proposal(action, details(action), user=outsider, loaded_version=1)
    with pytest.raises(NotAllowed):
        resubmit_proposal(action, user=outsider, loaded_version=1)
    with pytest.raises(NotAllowed):
        withdraw_proposal(action, user=outsider, loaded_version=1)
    db.session.rollback()
    nothing_written(action, "returned")


@pytest.mark.parametrize("role", ["trust_member", "participation_lead", "programme_manager", "admin"])
def test_only_the_agency_changes_its_own_proposal(app, role):
    action = returned_proposal()
    someone = make_user(role=role, agency=action.owner_agency)
    with pytest.raises(NotAllowed):
        revise_proposal(action, details(action), user=someone, loaded_version=1)
    with pytest.raises(NotAllowed):
        withdraw_proposal(action, user=someone, loaded_version=1)
    db.session.rollback()
    nothing_written(action, "returned")


def test_a_partner_withdraws_only_what_they_proposed_and_the_agency_lead_anything_of_the_agencys(app):
    owner = make_agency()
    proposer, colleague = make_user(agency=owner), make_user(agency=owner)
    lead = make_user(role="agency_lead", agency=owner)
    mine = returned_proposal(owner, submitted_by=proposer)
    with pytest.raises(NotAllowed):
        withdraw_proposal(mine, user=colleague, loaded_version=1)
    db.session.rollback()
    withdraw_proposal(mine, user=proposer, loaded_version=1)
    db.session.commit()
    assert reload(mine).review == "withdrawn"

    theirs = returned_proposal(owner, submitted_by=colleague)
    withdraw_proposal(theirs, user=lead, loaded_version=1)
    db.session.commit()
    assert reload(theirs).review == "withdrawn"
    assert audit_actions() == ["action.withdraw", "action.withdraw"]


@pytest.mark.parametrize("review", ["accepted", "withdrawn"])
def test_a_proposal_that_was_accepted_or_withdrawn_cannot_be_changed_or_withdrawn(app, review):
    owner = make_agency()
    lead = make_user(role="agency_lead", agency=owner)
    action = make_action(owner=owner, review=review)
    with pytest.raises(RuleBroken, match="Only a proposed action can be edited"):
        revise_proposal(action, details(action, title="Changed"), user=lead, loaded_version=1)
    db.session.rollback()
    with pytest.raises(RuleBroken, match="Only a proposed action can be withdrawn"):
        withdraw_proposal(action, user=lead, loaded_version=1)
    db.session.rollback()
    nothing_written(action, review)


def test_only_a_returned_proposal_is_sent_again_as_it_is(app):
    owner = make_agency()
    lead = make_user(role="agency_lead", agency=owner)
    waiting = make_action(owner=owner, review="proposed")
    with pytest.raises(RuleBroken, match="Only a returned proposal"):
        resubmit_proposal(waiting, user=lead, loaded_version=1)
    db.session.rollback()
    nothing_written(waiting, "proposed")

    returned = returned_proposal(owner)
    resubmit_proposal(returned, user=lead, loaded_version=1)
    db.session.commit()
    assert (reload(returned).review, reload(returned).return_reason) == ("proposed", "")
    assert audit_actions() == ["action.resubmit"]


def test_a_stale_form_changes_nothing(app):
    owner = make_agency()
    lead = make_user(role="agency_lead", agency=owner)
    action = returned_proposal(owner)
    for change in (
        lambda: revise_proposal(action, details(action, title="Stale"), user=lead, loaded_version=0),
        lambda: resubmit_proposal(action, user=lead, loaded_version=0),
        lambda: withdraw_proposal(action, user=lead, loaded_version=0),
    ):
        with pytest.raises(StaleEdit):
            change()
        db.session.rollback()
    nothing_written(action, "returned")


def test_the_programme_manager_cannot_accept_or_return_a_withdrawn_proposal(app, client, as_role):
    project = make_project()
    action = make_action(review="withdrawn")
    as_role("programme_manager")
    accepted = client.post(
        f"/actions/{action.id}/accept", data={"accept-project_id": project.id, "accept-lock_version": 1}
    )
    assert accepted.status_code == 422 and "withdrawn this proposal" in accepted.get_data(as_text=True)
    returned = client.post(
        f"/actions/{action.id}/return", data={"return-reason": "No", "return-lock_version": 1}
    )
    assert returned.status_code == 422
    assert reload(action).review == "withdrawn"


# --- Through the pages ------------------------------------------------------------------------


def test_the_agency_lead_sees_what_they_can_do_with_a_returned_proposal(app, client, as_role):
    owner = make_agency()
    action = returned_proposal(owner)
    as_role("agency_lead", agency=owner)
    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Returned by the programme manager: Please withdraw this one" in page
    assert f'href="/actions/{action.id}/revise">Edit and send it again<' in page
    assert re.search(r">\s*Send it again as it is\s*<", page) and re.search(
        r">\s*Withdraw this proposal\s*<", page
    )


def test_withdrawing_through_the_page(app, client, as_role):
    owner = make_agency()
    action = returned_proposal(owner)
    as_role("agency_lead", agency=owner)
    response = client.post(f"/actions/{action.id}/withdraw", data={"withdraw-lock_version": 1})
    assert response.status_code == 303
    assert "Your proposal has been withdrawn" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert reload(action).review == "withdrawn"


def test_a_stale_withdrawal_through_the_page_is_a_conflict(app, client, as_role):
    owner = make_agency()
    action = returned_proposal(owner)
    as_role("agency_lead", agency=owner)
    response = client.post(f"/actions/{action.id}/withdraw", data={"withdraw-lock_version": 7})
    assert response.status_code == 409
    assert "Someone else changed this action first" in response.get_data(as_text=True)
    assert reload(action).review == "returned"


def test_editing_and_sending_again_through_the_page(app, client, as_role):
    owner = make_agency()
    action = returned_proposal(owner)
    as_role("partner", agency=owner)
    form = client.get(f"/actions/{action.id}/revise").get_data(as_text=True)
    assert "Save and send to the programme manager" in form and 'name="evidence"' not in form
    response = client.post(
        f"/actions/{action.id}/revise",
        data={
            "lock_version": 1,
            "title": "Officers at every termly briefing",
            "owner_name": "DI Sarah Bennett",
            "due_date": ["31", "3", "2027"],
            "source": "partnership",
        },
    )
    assert response.status_code == 303
    assert (reload(action).review, reload(action).title) == ("proposed", "Officers at every termly briefing")


def test_another_agency_cannot_open_the_edit_page(app, client, as_role):
    action = returned_proposal()
    as_role("agency_lead", agency=make_agency())
    assert client.get(f"/actions/{action.id}/revise").status_code == 404  # not even visible
    assert client.post(f"/actions/{action.id}/withdraw", data={"withdraw-lock_version": 1}).status_code == 404


def test_the_propose_form_asks_for_no_evidence_and_says_propose(app, client, as_role):
    as_role("partner")
    page = client.get("/actions/new").get_data(as_text=True)
    assert re.search(r">\s*Propose action\s*</button>", page)
    assert 'name="evidence"' not in page and 'name="owner_agency_id"' not in page


def test_proposals_show_no_rag_until_accepted(app, client, as_role):
    owner = make_agency()
    action = make_action(owner=owner, review="proposed", rag="red")
    as_role("partner", agency=owner)
    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    rag_row = page[page.index(">RAG</dt>") : page.index("</dd>", page.index(">RAG</dt>"))]
    assert "Not rated until it is accepted into the programme" in rag_row and "Red" not in rag_row
    listed = client.get("/actions/?review=proposed", headers={"HX-Request": "true"}).get_data(as_text=True)
    rows = listed[listed.index("<tbody") :]
    assert "Not rated until accepted" in rows and "portal-rag--red" not in rows


# --- Likely duplicates ----------------------------------------------------------------------------


def test_likely_duplicates_are_similar_titles_in_the_same_agency_or_project(app):
    police, health = make_agency(), make_agency()
    project = make_project()
    same_agency = make_action(owner=police, title="Brief all police officers on the thresholds")
    same_project = make_action(owner=health, project=project, title="Brief all police officers on thresholds")
    make_action(owner=health, title="Brief all police officers on the thresholds!")  # elsewhere
    make_action(owner=police, title="Audit referrals to social care")  # not alike
    make_action(owner=police, review="withdrawn", title="Brief all police officers on the thresholds")
    found = likely_duplicates("brief all POLICE officers on the  thresholds", owner_agency_id=police.id)
    assert found == [same_agency]
    found = likely_duplicates(
        "Brief all police officers on the thresholds", owner_agency_id=police.id, project_id=project.id
    )
    assert set(found) == {same_agency, same_project}


def test_proposing_a_likely_duplicate_warns_and_lets_the_user_go_ahead(app, client, as_role):
    police = make_agency()
    existing = make_action(owner=police, title="Brief all police officers on the thresholds")
    as_role("agency_lead", agency=police)
    form = {
        "submission_token": new_token(),
        "title": "Brief all police officers on thresholds",
        "owner_name": "DI Sarah Bennett",
        "due_date": ["31", "3", "2027"],
        "source": "partnership",
    }
    warned = client.post("/actions/new", data=form)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 200
    assert "The partnership may already have this action" in page
    assert f'href="/actions/{existing.id}"' in page and "Propose it anyway" in page
    assert 'name="not_a_duplicate" type="hidden" value="yes"' in page
    assert db.session.scalar(select(func.count(Action.id))) == 1  # nothing saved yet

    response = client.post("/actions/new", data={**form, "not_a_duplicate": "yes"})
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(Action.id))) == 2


def test_accepting_or_returning_a_withdrawn_proposal_is_refused_by_the_service(app):
    project = make_project()
    action = make_action(review="withdrawn")
    pm = make_user(role="programme_manager")
    with pytest.raises(RuleBroken, match="withdrawn this proposal"):
        accept_action(action, project=project, user=pm, loaded_version=1)
    db.session.rollback()
    with pytest.raises(RuleBroken, match="withdrawn this proposal"):
        return_action(action, reason="No", user=pm, loaded_version=1)
    db.session.rollback()
    nothing_written(action, "withdrawn")


def test_an_agency_does_not_list_itself_among_its_proposals_contributors(app, client, as_role):
    police, health = make_agency("Nottinghamshire Police"), make_agency("NHS Bassetlaw (PCT)")
    as_role("agency_lead", agency=police)
    page = client.get("/actions/new").get_data(as_text=True)
    offered = re.findall(r'name="contributor_ids" type="checkbox" value="(\d+)"', page)
    assert offered == [str(health.id)]


def test_an_accepted_action_has_no_proposal_to_edit(app, client, as_role):
    owner = make_agency()
    action = make_action(owner=owner)
    as_role("agency_lead", agency=owner)
    assert client.get(f"/actions/{action.id}/revise").status_code == 404
    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Edit this proposal" not in page and "Withdraw this proposal" not in page
