"""Contributing agencies at county scale: a dozen agencies are ticked from the list; when there are
more than LISTED_AT_MOST, the action form shows those ticked and finds others by name. Finding
saves nothing, works as a plain form post, and htmx gets only the agencies found."""

import re

import pytest
from sqlalchemy import func, select

from app.actions.forms import FOUND_AT_MOST, LISTED_AT_MOST, action_form, contributor_finder
from app.actions.models import Action
from app.audit.models import AuditEvent
from app.auth.models import AgencyKind
from app.extensions import db
from app.forms import new_token
from tests.factories import make_action, make_agency, make_user, reload

FORM = {
    "title": "Designated safeguarding leads at every multi-agency training day",
    "owner_name": "Helen Marsh",
    "due_date": ["31", "3", "2027"],
    "source": "partnership",
}


def offered(page: str) -> list[str]:
    return re.findall(r'name="contributor_ids" type="checkbox" value="(\d+)"', page)


def ticked(page: str) -> list[str]:
    return re.findall(r'name="contributor_ids" type="checkbox" value="(\d+)" checked', page)


def county(schools: int = LISTED_AT_MOST) -> list:
    """More agencies than the form lists: a police force, a trust and many primary schools."""
    others = [
        make_agency("Nottinghamshire Police"),
        make_agency("NHS Bassetlaw (PCT)", kind=AgencyKind.HEALTH),
    ]
    return others + [
        make_agency(f"{name} Primary School", kind=AgencyKind.SCHOOL)
        for name in (f"Trentside {n:02d}" for n in range(1, schools + 1))
    ]


def nothing_saved(actions_before: int) -> None:
    assert db.session.scalar(select(func.count(Action.id))) == actions_before
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action.like("action.%"))) == 0


def test_a_partnership_of_a_few_agencies_ticks_them_from_the_whole_list(app, client, as_role):
    agencies = [make_agency(f"Agency {n:02d}") for n in range(LISTED_AT_MOST)]
    user = as_role("programme_manager", agency=agencies[0])
    page = client.get("/actions/new").get_data(as_text=True)
    assert offered(page) == [str(a.id) for a in sorted([*agencies], key=lambda a: a.name)]
    assert user.agency in agencies
    assert 'name="contributor_search"' not in page and "Find agencies" not in page


def test_a_county_shows_only_what_is_ticked_and_a_way_to_find_the_rest(app, client, as_role):
    agencies = county()
    as_role("programme_manager", agency=agencies[0])
    page = client.get("/actions/new").get_data(as_text=True)
    assert offered(page) == []
    assert 'id="contributor_search"' in page and "Find agencies" in page
    assert "None yet: find them by name above" in page

    action = make_action(owner=agencies[0], contributors=[agencies[5], agencies[1]])
    page = client.get(f"/actions/{action.id}/edit").get_data(as_text=True)
    # Ticked ones, in the list's order (by name), and nothing else.
    assert offered(page) == ticked(page) == [str(agencies[1].id), str(agencies[5].id)]


def test_finding_without_javascript_shows_the_form_again_as_typed_and_saves_nothing(app, client, as_role):
    agencies = county()
    police, trust = agencies[0], agencies[1]
    as_role("programme_manager", agency=police)
    before = db.session.scalar(select(func.count(Action.id)))
    response = client.post(
        "/actions/new",
        data={
            **FORM,
            "submission_token": new_token(),
            "owner_agency_id": police.id,
            "contributor_ids": [trust.id],
            "contributor_search": "trentside 0",
            "find_contributors": "1",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" not in page  # nothing was checked: it was not sent to be saved
    assert FORM["title"] in page and 'value="trentside 0"' in page
    found = [str(a.id) for a in agencies[2:11]]  # Trentside 01 to 09
    assert offered(page) == [str(trust.id), *found]
    assert ticked(page) == [str(trust.id)]
    assert "9 agencies found whose names contain “trentside 0”." in page
    nothing_saved(before)


def test_a_found_agency_once_ticked_is_saved_as_a_contributor(app, client, as_role):
    agencies = county()
    police, school = agencies[0], agencies[-1]
    as_role("programme_manager", agency=police)
    project = make_action(owner=police).project
    response = client.post(
        "/actions/new",
        data={
            **FORM,
            "submission_token": new_token(),
            "project_id": project.id,
            "owner_agency_id": police.id,
            "contributor_ids": [school.id],
            "contributor_search": "Trentside",
        },
    )
    assert response.status_code == 303
    action = db.session.scalar(select(Action).where(Action.title == FORM["title"]))
    assert [a.id for a in action.contributors] == [school.id]


def test_htmx_gets_only_the_agencies_found_and_the_words_for_a_screen_reader(app, client, as_role):
    agencies = county()
    as_role("programme_manager", agency=agencies[0])
    before = db.session.scalar(select(func.count(Action.id)))
    response = client.post(
        "/actions/new",
        data={
            "contributor_search": "bassetlaw",
            "find_contributors": "1",
            "contributor_ids": [agencies[3].id],
        },
        headers={"HX-Request": "true"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert "<html" not in page and 'name="title"' not in page
    assert offered(page) == [str(agencies[3].id), str(agencies[1].id)]  # the ticked school, then found
    assert ticked(page) == [str(agencies[3].id)]
    assert re.search(
        r'id="contributor-status" data-hx-swap-oob="innerHTML">1 agency found whose name contains', page
    )
    nothing_saved(before)


def test_many_matches_show_the_first_few_and_say_how_many(app, client, as_role):
    agencies = county(FOUND_AT_MOST + 5)
    as_role("programme_manager", agency=agencies[0])
    page = client.post(
        "/actions/new", data={"contributor_search": "Primary", "find_contributors": "1"}
    ).get_data(as_text=True)
    assert len(offered(page)) == FOUND_AT_MOST
    assert f"The first {FOUND_AT_MOST} of {FOUND_AT_MOST + 5} agencies whose names contain “Primary”" in page


def test_what_is_searched_for_is_shown_as_text(app, client, as_role):
    county()
    as_role("programme_manager")
    page = client.post(
        "/actions/new", data={"contributor_search": "<b>x</b>", "find_contributors": "1"}
    ).get_data(as_text=True)
    assert "<b>x</b>" not in page
    assert "No other agency has “&lt;b&gt;x&lt;/b&gt;” in its name." in page


def test_the_finder_offers_what_the_field_accepts(app):
    """Rules of contributor_finder, called directly: ticked first, found after and never twice,
    at most FOUND_AT_MOST, none searched for shows only those ticked, an agency proposing never
    finds itself, and inactive agencies are never found."""
    agencies = county()
    gone = make_agency("Trentside Closed Primary School", kind=AgencyKind.SCHOOL, active=False)
    pm = make_user(role="programme_manager", agency=agencies[0])
    ids = [str(a.id) for a in agencies]

    def finder(user, search="", chosen=()):
        form = action_form(user)
        form.contributor_search.data = search
        form.contributor_ids.data = [str(a.id) for a in chosen]
        return contributor_finder(form)

    assert finder(pm).shown == [] and finder(pm).status == ""
    assert finder(pm, chosen=[agencies[4]]).shown == [ids[4]]
    found = finder(pm, "trentside", chosen=[agencies[4], agencies[1]])
    assert found.shown[:2] == [ids[1], ids[4]]
    assert found.shown[2:] == [i for i in ids[2:] if i != ids[4]][:FOUND_AT_MOST]
    assert found.matching == LISTED_AT_MOST - 1  # every school but the one ticked
    assert str(gone.id) not in finder(pm, "closed").shown

    school = agencies[2]
    lead = make_user(role="agency_lead", agency=school)
    assert str(school.id) in finder(pm, school.name).shown
    assert str(school.id) not in finder(lead, school.name).shown


@pytest.mark.parametrize("role", ["trust_member", "participation_lead"])
def test_those_who_may_not_add_actions_cannot_search_through_the_form(app, client, as_role, role):
    county()
    as_role(role)
    response = client.post("/actions/new", data={"contributor_search": "Primary", "find_contributors": "1"})
    assert response.status_code == 403


def test_another_agency_cannot_search_through_a_proposals_form(app, client, as_role):
    agencies = county()
    proposal = make_action(owner=agencies[1], review="returned", return_reason="Say who leads it.")
    as_role("agency_lead", agency=agencies[0])
    response = client.post(
        f"/actions/{proposal.id}/revise", data={"contributor_search": "Primary", "find_contributors": "1"}
    )
    assert response.status_code in (403, 404)
    assert reload(proposal).lock_version == 1


def test_the_owner_and_lead_agency_offer_every_active_agency_with_the_saved_one_chosen(app, client, as_role):
    """The selects' options are made once and kept (app.auth.options): each form still shows its
    own choice, offers no inactive agency, and refuses one it does not offer."""
    agencies = county()
    gone = make_agency("Closed Children's Centre", active=False)
    owner = agencies[7]
    action = make_action(owner=owner)
    project = action.project
    project.lead_agency_id = agencies[1].id
    db.session.commit()
    as_role("programme_manager", agency=agencies[0])

    def options(page: str, name: str) -> tuple[list[str], list[str]]:
        select = re.search(rf'<select[^>]* name="{name}"[^>]*>(.*?)</select>', page, re.S)[1]
        return re.findall(r'<option value="(\d*)"', select), re.findall(
            r'<option value="(\d+)" selected', select
        )

    every = [""] + [str(a.id) for a in sorted(agencies, key=lambda a: a.name)]
    page = client.get(f"/actions/{action.id}/edit").get_data(as_text=True)
    assert options(page, "owner_agency_id") == (every, [str(owner.id)])
    page = client.get(f"/programme/projects/{project.id}/edit").get_data(as_text=True)
    assert options(page, "lead_agency_id") == (every, [str(agencies[1].id)])
    page = client.get("/actions/new").get_data(as_text=True)
    assert options(page, "owner_agency_id") == (every, [])

    refused = client.post(
        "/actions/new",
        data={**FORM, "submission_token": new_token(), "project_id": project.id, "owner_agency_id": gone.id},
    )
    assert refused.status_code == 422
    assert options(refused.get_data(as_text=True), "owner_agency_id") == (every, [])
