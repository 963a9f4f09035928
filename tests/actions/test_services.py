"""The actions services, called directly: every rule refuses with its own error and writes nothing.

Each test here is the one that fails when its rule is deleted from app/actions/services.py (see
docs/MUTATION.md)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.actions import services
from app.actions.models import Challenge, ProgressUpdate
from app.audit.models import AuditEvent
from app.db_types import utcnow
from app.errors import NotAllowed, RuleBroken, StaleEdit
from app.extensions import db
from tests.factories import make_action, make_agency, make_project, make_user, reload
from tests.service_checks import audit_actions, count, count_queries, refused


def details(owner, **changes) -> services.ActionDetails:
    values = {
        "title": "Audit the quality of referrals",
        "description": "Sample 20 referrals a quarter.",
        "owner_agency_id": owner.id,
        "owner_name": "Head of Service",
        "start_date": None,
        "due_date": utcnow().date() + timedelta(days=60),
        "source": "partnership",
        "contributor_ids": [],
    }
    values.update(changes)
    return services.ActionDetails(**values)


def update(action, user, **changes):
    values = {
        "user": user,
        "note": "Briefings held.",
        "rag": action.rag,
        "rag_reason": "",
        "percent": 40,
        "status": "in_progress",
        "loaded_version": action.lock_version,
    }
    values.update(changes)
    return services.post_update(action, **values)


# --- Proposing, creating and editing ---------------------------------------------------------


def test_a_proposal_is_always_for_the_proposers_own_agency(app):
    police, health = make_agency(), make_agency()
    partner = make_user(role="partner", agency=police)
    action = services.propose_action(details(health), user=partner)
    assert (action.owner_agency_id, action.review, action.project_id) == (police.id, "proposed", None)
    assert audit_actions() == ["action.propose"]


@pytest.mark.parametrize("role", ["trust_member", "programme_manager", "participation_lead", "admin"])
def test_only_agency_staff_propose_actions(app, role):
    user = make_user(role=role)
    with refused(NotAllowed):
        services.propose_action(details(user.agency), user=user)


@pytest.mark.parametrize("role", ["partner", "agency_lead", "trust_member"])
def test_only_those_who_run_the_programme_create_actions(app, role):
    user, project = make_user(role=role), make_project()
    with refused(NotAllowed):
        services.create_action(details(user.agency), project=project, user=user)


def test_a_created_action_takes_the_next_reference_in_its_project(app):
    manager, project = make_user(role="programme_manager"), make_project(7)
    first = services.create_action(details(manager.agency), project=project, user=manager)
    second = services.create_action(details(manager.agency), project=project, user=manager)
    assert (first.reference, second.reference) == ("P07-01", "P07-02")


@pytest.mark.parametrize("role", ["partner", "agency_lead", "trust_member"])
def test_only_those_who_run_the_programme_edit_actions(app, role):
    action = make_action()
    user = make_user(role=role, agency=action.owner_agency)
    with refused(NotAllowed):
        services.edit_action(
            action,
            details(action.owner_agency, title="Renamed"),
            project=None,
            user=user,
            loaded_version=action.lock_version,
        )
    assert reload(action).title == "Brief all staff on the thresholds"


@pytest.mark.parametrize("loaded", [None, "earlier"])
def test_editing_from_a_stale_form_is_refused(app, loaded):
    action = make_action()
    seen = action.lock_version
    manager = make_user(role="programme_manager")
    services.edit_action(
        action, details(action.owner_agency), project=None, user=manager, loaded_version=seen
    )
    db.session.commit()
    with refused(StaleEdit):
        services.edit_action(
            action,
            details(action.owner_agency, title="Overwrite"),
            project=None,
            user=manager,
            loaded_version=seen if loaded == "earlier" else None,
        )
    assert reload(action).title == "Audit the quality of referrals"


def test_moving_an_accepted_action_to_another_project_gives_it_that_projects_reference(app):
    first, second = make_project(1), make_project(2)
    action = make_action(project=first)
    manager = make_user(role="programme_manager")
    services.edit_action(
        action, details(action.owner_agency), project=second, user=manager, loaded_version=action.lock_version
    )
    assert (action.project_id, action.reference) == (second.id, "P02-01")


def test_editing_an_action_in_its_own_project_keeps_its_reference(app):
    project = make_project(3)
    action = make_action(project=project)
    reference = action.reference
    manager = make_user(role="programme_manager")
    for chosen in (project, None):
        services.edit_action(
            action,
            details(action.owner_agency),
            project=chosen,
            user=manager,
            loaded_version=action.lock_version,
        )
        assert (action.project_id, action.reference) == (project.id, reference)


def test_editing_a_proposal_does_not_put_it_into_a_project(app):
    proposal = make_action(review="proposed")
    project = make_project(4)
    manager = make_user(role="programme_manager")
    services.edit_action(
        proposal,
        details(proposal.owner_agency),
        project=project,
        user=manager,
        loaded_version=proposal.lock_version,
    )
    assert (proposal.project_id, proposal.reference, proposal.review) == (None, None, "proposed")


# --- Reviewing proposals ---------------------------------------------------------------------


def test_accepting_a_proposal_puts_it_into_the_project(app):
    proposal = make_action(review="proposed")
    proposal.return_reason = "Too vague"
    db.session.commit()
    project = make_project(5)
    services.accept_action(
        proposal, project=project, user=make_user(role="admin"), loaded_version=proposal.lock_version
    )
    assert (proposal.review, proposal.reference, proposal.return_reason) == ("accepted", "P05-01", "")
    assert audit_actions() == ["action.accept"]


@pytest.mark.parametrize("role", ["partner", "agency_lead", "trust_member"])
def test_only_those_who_run_the_programme_accept_proposals(app, role):
    proposal = make_action(review="proposed")
    user, project = make_user(role=role, agency=proposal.owner_agency), make_project()
    with refused(NotAllowed):
        services.accept_action(proposal, project=project, user=user, loaded_version=proposal.lock_version)
    assert reload(proposal).review == "proposed"


def test_an_accepted_action_cannot_be_accepted_again(app):
    action = make_action()
    reference = action.reference
    project, manager = make_project(), make_user(role="programme_manager")
    with refused(RuleBroken, match="already been accepted"):
        services.accept_action(action, project=project, user=manager, loaded_version=action.lock_version)
    assert reload(action).reference == reference


def test_accepting_from_a_stale_form_is_refused(app):
    proposal = make_action(review="proposed")
    project, manager = make_project(), make_user(role="programme_manager")
    with refused(StaleEdit):
        services.accept_action(
            proposal, project=project, user=manager, loaded_version=proposal.lock_version - 1
        )
    assert reload(proposal).review == "proposed"


def test_returning_a_proposal_gives_the_reason(app):
    proposal = make_action(review="proposed")
    services.return_action(
        proposal, reason="Add a due date", user=make_user(role="admin"), loaded_version=proposal.lock_version
    )
    assert (proposal.review, proposal.return_reason) == ("returned", "Add a due date")


@pytest.mark.parametrize("role", ["partner", "agency_lead", "trust_member"])
def test_only_those_who_run_the_programme_return_proposals(app, role):
    proposal = make_action(review="proposed")
    user = make_user(role=role, agency=proposal.owner_agency)
    with refused(NotAllowed):
        services.return_action(proposal, reason="No", user=user, loaded_version=proposal.lock_version)
    assert reload(proposal).review == "proposed"


def test_an_accepted_action_cannot_be_returned(app):
    action, manager = make_action(), make_user(role="programme_manager")
    with refused(RuleBroken, match="cannot be returned"):
        services.return_action(action, reason="No", user=manager, loaded_version=action.lock_version)
    assert reload(action).review == "accepted"


def test_returning_from_a_stale_form_is_refused(app):
    proposal, manager = make_action(review="proposed"), make_user(role="programme_manager")
    with refused(StaleEdit):
        services.return_action(proposal, reason="No", user=manager, loaded_version=None)
    assert reload(proposal).review == "proposed"


# --- Closing and progress updates ------------------------------------------------------------


def test_closing_an_action_is_a_progress_update_that_says_why(app):
    action = make_action(percent=60)
    manager = make_user(role="programme_manager")
    progress = services.close_action(
        action, reason="Superseded.", user=manager, loaded_version=action.lock_version
    )
    assert (action.status, action.percent_complete) == ("closed", 60)
    assert progress.note == "Action closed. Superseded." and progress.created_by_id == manager.id


@pytest.mark.parametrize("role", ["partner", "agency_lead"])
def test_the_owning_agency_may_update_its_action_but_not_close_it(app, role):
    action = make_action()
    owner = make_user(role=role, agency=action.owner_agency)
    with refused(NotAllowed):
        services.close_action(action, reason="Done", user=owner, loaded_version=action.lock_version)
    assert reload(action).status == "in_progress"


@pytest.mark.parametrize("role", ["partner", "agency_lead", "programme_manager", "admin"])
def test_the_owning_agency_and_the_programme_post_updates(app, role):
    action = make_action()
    user = make_user(role=role, agency=action.owner_agency if role in ("partner", "agency_lead") else None)
    progress = update(action, user)
    assert (action.percent_complete, progress.percent_before, progress.percent_after) == (40, 0, 40)
    assert audit_actions() == ["action.progress_update"]


@pytest.mark.parametrize("role", ["partner", "agency_lead", "trust_member", "participation_lead"])
def test_others_cannot_post_updates(app, role):
    action = make_action()
    user = make_user(role=role)  # another agency
    with refused(NotAllowed):
        update(action, user)
    assert reload(action).percent_complete == 0


@pytest.mark.parametrize(
    ("review", "status", "message"),
    [
        ("accepted", "closed", "This action is closed."),
        ("proposed", "not_started", "has not been accepted"),
        ("returned", "not_started", "has not been accepted"),
    ],
)
def test_updates_go_only_on_open_accepted_actions(app, review, status, message):
    action, manager = make_action(review=review, status=status), make_user(role="programme_manager")
    with refused(RuleBroken, match=message):
        update(action, manager)
    assert count(ProgressUpdate) == 0


def test_changing_the_rag_needs_a_reason(app):
    action = make_action(rag="green")
    owner = make_user(agency=action.owner_agency)
    with refused(RuleBroken, match="Give a reason") as caught:
        update(action, owner, rag="amber", rag_reason="   ")
    assert caught.value.field == "rag_reason"
    assert reload(action).rag == "green"


def test_the_rag_reason_is_kept_and_audited_when_the_rag_changes(app):
    action = make_action(rag="green")
    progress = update(action, make_user(agency=action.owner_agency), rag="red", rag_reason=" Staff shortage ")
    assert (action.rag, progress.rag_reason) == ("red", "Staff shortage")
    event = db.session.scalar(select(AuditEvent))
    assert event.after == {
        "rag": "red",
        "percent_complete": 40,
        "status": "in_progress",
        "rag_reason": "Staff shortage",
    }


def test_keeping_the_rag_needs_no_reason_and_audits_none(app):
    action = make_action(rag="amber")
    progress = update(action, make_user(agency=action.owner_agency), rag="amber", rag_reason="")
    assert (action.rag, progress.rag_reason, progress.rag_changed) == ("amber", "", False)
    assert "rag_reason" not in db.session.scalar(select(AuditEvent)).after


@pytest.mark.parametrize("percent", [0, 99])
def test_an_action_is_complete_only_at_100_percent(app, percent):
    action = make_action()
    owner = make_user(agency=action.owner_agency)
    with refused(RuleBroken, match="only be complete at 100%") as caught:
        update(action, owner, percent=percent, status="complete")
    assert caught.value.field == "status"
    assert reload(action).status == "in_progress"


def test_complete_at_100_percent_and_in_progress_below_it(app):
    action = make_action()
    owner = make_user(agency=action.owner_agency)
    update(action, owner, percent=99, status="in_progress")
    update(action, owner, percent=100, status="complete", loaded_version=action.lock_version)
    assert (reload(action).status, reload(action).percent_complete) == ("complete", 100)


@pytest.mark.parametrize("loaded", [None, "earlier"])
def test_an_update_from_a_stale_form_is_refused(app, loaded):
    action = make_action()
    owner = make_user(agency=action.owner_agency)
    seen = action.lock_version
    update(action, owner)
    db.session.commit()
    with refused(StaleEdit):
        update(action, owner, percent=10, loaded_version=seen if loaded == "earlier" else None)
    assert reload(action).percent_complete == 40


# --- Challenges ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["trust_member", "programme_manager"])
def test_trust_members_and_the_programme_manager_challenge(app, role):
    action = make_action()
    challenge = services.raise_challenge(action, user=make_user(role=role), text="Evidence?")
    assert (challenge.action_id, challenge.is_open) == (action.id, True)
    assert audit_actions() == ["challenge.raise"]


@pytest.mark.parametrize("role", ["partner", "agency_lead", "participation_lead", "admin"])
def test_others_cannot_challenge(app, role):
    action = make_action()
    user = make_user(role=role, agency=action.owner_agency)
    with refused(NotAllowed):
        services.raise_challenge(action, user=user, text="?")


@pytest.mark.parametrize(("review", "status"), [("accepted", "closed"), ("proposed", "not_started")])
def test_only_open_accepted_actions_can_be_challenged(app, review, status):
    action, trust_member = make_action(review=review, status=status), make_user(role="trust_member")
    with refused(RuleBroken, match="Only open actions") as caught:
        services.raise_challenge(action, user=trust_member, text="Why?")
    assert caught.value.field == "text"


def challenge_on(action, raised_by=None) -> Challenge:
    challenge = services.raise_challenge(
        action, user=raised_by or make_user(role="trust_member"), text="What is the revised date?"
    )
    db.session.commit()
    return challenge


@pytest.mark.parametrize("role", ["partner", "agency_lead"])
def test_the_owning_agency_responds_to_a_challenge(app, role):
    action = make_action()
    challenge = challenge_on(action)
    responder = make_user(role=role, agency=action.owner_agency)
    services.respond_to_challenge(challenge, user=responder, text="End of March.")
    assert (challenge.response, challenge.responded_by_id) == ("End of March.", responder.id)


@pytest.mark.parametrize("role", ["partner", "agency_lead", "trust_member", "participation_lead"])
def test_others_cannot_respond_to_a_challenge(app, role):
    challenge, user = challenge_on(make_action()), make_user(role=role)
    with refused(NotAllowed):
        services.respond_to_challenge(challenge, user=user, text="Not mine to answer")
    assert reload(challenge).response == ""


def test_a_closed_challenge_takes_no_response(app):
    action = make_action()
    challenge = challenge_on(action)
    services.close_challenge(challenge, user=make_user(role="programme_manager"))
    owner = make_user(agency=action.owner_agency)
    with refused(RuleBroken, match="challenge is closed") as caught:
        services.respond_to_challenge(challenge, user=owner, text="Late")
    assert caught.value.field == "text"


def test_whoever_raised_a_challenge_may_close_it_other_trust_members_may_not(app):
    raiser = make_user(role="trust_member")
    challenge, other = challenge_on(make_action(), raised_by=raiser), make_user(role="trust_member")
    with refused(NotAllowed):
        services.close_challenge(challenge, user=other)
    services.close_challenge(challenge, user=raiser)
    assert reload(challenge).closed_at is not None


@pytest.mark.parametrize("role", ["partner", "agency_lead", "participation_lead"])
def test_the_owning_agency_cannot_close_a_challenge_to_it(app, role):
    action = make_action()
    challenge, owner = challenge_on(action), make_user(role=role, agency=action.owner_agency)
    with refused(NotAllowed):
        services.close_challenge(challenge, user=owner)
    assert reload(challenge).is_open


def test_closing_a_closed_challenge_changes_nothing(app):
    challenge = challenge_on(make_action())
    manager = make_user(role="programme_manager")
    services.close_challenge(challenge, user=manager)
    db.session.commit()
    closed_at = reload(challenge).closed_at
    services.close_challenge(challenge, user=manager)
    db.session.commit()
    assert reload(challenge).closed_at == closed_at
    assert audit_actions().count("challenge.close") == 1


def test_open_challenge_counts_leave_out_closed_ones_and_ask_nothing_for_no_actions(app):
    first, second = make_action(), make_action()
    challenge_on(first)
    closed = challenge_on(first)
    challenge_on(second)
    services.close_challenge(closed, user=make_user(role="admin"))
    db.session.commit()
    counts = services.open_challenge_counts([first.id, second.id])
    assert {action_id: c.count for action_id, c in counts.items()} == {first.id: 1, second.id: 1}
    assert count_queries(lambda: services.open_challenge_counts([])) == 0
    assert services.open_challenge_counts([]) == {}
