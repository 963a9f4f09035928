"""app/actions/permissions.py, directly: the record-level grants ("own agency", "who raised it") and
which actions each role sees."""

import pytest

from app.actions import permissions
from app.actions.models import Challenge
from app.extensions import db
from tests.factories import make_action, make_agency, make_user

ROLES = ["partner", "agency_lead", "trust_member", "programme_manager", "participation_lead", "admin"]


def holders(permission, record_for=None) -> set[str]:
    """The roles whose member (of the record's agency, when there is a record) is allowed."""
    allowed = set()
    for role in ROLES:
        user = make_user(role=role, agency=record_for.owner_agency if record_for is not None else None)
        if permission.allows(user, record_for):
            allowed.add(role)
    return allowed


@pytest.mark.parametrize("permission", [permissions.UPDATE, permissions.RESPOND], ids=lambda p: p.name)
def test_updates_and_responses_belong_to_the_owning_agency_and_those_who_run_the_programme(app, permission):
    action = make_action()
    assert holders(permission, action) == {"partner", "agency_lead", "programme_manager", "admin"}
    other_agency = {role for role in ROLES if permission.allows(make_user(role=role), action)}
    assert other_agency == {"programme_manager", "admin"}


def test_own_agency_is_about_the_actions_owner_not_its_contributors(app):
    owner, contributor = make_agency(), make_agency()
    action = make_action(owner=owner, contributors=[contributor])
    assert permissions.UPDATE.allows(make_user(agency=owner), action)
    assert not permissions.UPDATE.allows(make_user(agency=contributor), action)


def test_the_programme_is_managed_by_the_programme_manager_and_admins(app):
    assert holders(permissions.MANAGE) == {"programme_manager", "admin"}


def test_agency_staff_propose_and_everyone_who_can_propose_or_manage_can_add(app):
    assert holders(permissions.PROPOSE) == {"partner", "agency_lead"}
    assert holders(permissions.ADD) == {"partner", "agency_lead", "programme_manager", "admin"}


def test_trust_members_and_the_programme_manager_challenge_and_oversee(app):
    assert holders(permissions.CHALLENGE) == {"trust_member", "programme_manager"}
    assert holders(permissions.OVERSEE) == {"trust_member", "programme_manager", "admin"}


def test_a_challenge_is_closed_by_whoever_raised_it_or_those_who_run_the_programme(app):
    raiser = make_user(role="trust_member")
    action = make_action()
    challenge = Challenge(action_id=action.id, text="Evidence?", raised_by_id=raiser.id)
    db.session.add(challenge)
    db.session.commit()
    assert permissions.CLOSE_CHALLENGE.allows(raiser, challenge)
    assert not permissions.CLOSE_CHALLENGE.allows(make_user(role="trust_member"), challenge)
    allowed = {role for role in ROLES if permissions.CLOSE_CHALLENGE.allows(make_user(role=role), challenge)}
    assert allowed == {"programme_manager", "admin"}


def visible_titles(user) -> set[str]:
    return {action.title for action in db.session.scalars(permissions.visible_actions(user))}


@pytest.fixture
def plan(app):
    """An accepted action, and a proposal and a returned action from each of two agencies."""
    police, health = make_agency(), make_agency()
    make_action(owner=police, title="accepted")
    for agency, name in ((police, "police"), (health, "health")):
        make_action(owner=agency, review="proposed", title=f"{name} proposal")
        make_action(owner=agency, review="returned", title=f"{name} returned")
    return police


@pytest.mark.parametrize("role", ["programme_manager", "admin"])
def test_those_who_run_the_programme_see_every_action_and_proposal(plan, role):
    assert visible_titles(make_user(role=role)) == {
        "accepted",
        "police proposal",
        "police returned",
        "health proposal",
        "health returned",
    }


@pytest.mark.parametrize("role", ["partner", "agency_lead"])
def test_agency_staff_see_the_plan_and_their_own_agencys_proposals(plan, role):
    assert visible_titles(make_user(role=role, agency=plan)) == {
        "accepted",
        "police proposal",
        "police returned",
    }


@pytest.mark.parametrize("role", ["trust_member", "participation_lead"])
def test_everyone_else_sees_only_the_accepted_plan(plan, role):
    assert visible_titles(make_user(role=role, agency=plan)) == {"accepted"}
