"""An error summary lists the problems in the order the page shows the fields, and a date that
cannot exist names its field ("Enter a real due date")."""

import re

import pytest

from app.forms import new_token
from tests.factories import make_action, make_agency, make_project


def summary_links(body: str) -> list[str]:
    start = body.index("govuk-error-summary__list")
    return re.findall(r'href="#([^"]+)"', body[start : body.index("</ul>", start)])


def assert_in_page_order(body: str) -> list[str]:
    links = summary_links(body)
    after_summary = body[body.index("</ul>", body.index("govuk-error-summary__list")) :]
    positions = [after_summary.index(f'id="{target}"') for target in links]
    assert len(links) > 1, links
    assert positions == sorted(positions), f"summary order {links} is not the page's order"
    return links


def test_inviting_someone(app, client, as_role):
    as_role("admin")
    body = client.post("/admin/users/new", data={"submission_token": new_token()}).get_data(as_text=True)
    assert assert_in_page_order(body) == ["full_name", "email", "agency_id", "role"]


def test_changing_a_password(app, client, as_role):
    as_role("partner")
    body = client.post("/account/password", data={}).get_data(as_text=True)
    assert assert_in_page_order(body) == ["current_password", "password", "confirm"]


@pytest.mark.parametrize("role", ["partner", "programme_manager"])
def test_proposing_or_adding_an_action_with_an_impossible_date(app, client, as_role, role):
    make_project()
    as_role(role)
    response = client.post(
        "/actions/new",
        data={
            "submission_token": new_token(),
            "due_date": ["31", "13", "2027"],
            "start_date": ["30", "2", ""],
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a real due date" in body and "Enter a real start date" in body
    assert "Not a valid date value" not in body
    links = assert_in_page_order(body)
    assert links.index("start_date") < links.index("due_date")


def test_a_project_with_an_impossible_date(app, client, as_role):
    make_project(1)
    as_role("programme_manager")
    response = client.post(
        "/programme/projects/new",
        data={"submission_token": new_token(), "number": "", "end_date": ["31", "4", "2027"]},
    )
    body = response.get_data(as_text=True)
    assert "Enter a real planned end date" in body
    assert_in_page_order(body)


def test_a_progress_update(app, client, as_role):
    owner = make_agency()
    action = make_action(owner=owner)
    as_role("partner", agency=owner)
    body = client.post(
        f"/actions/{action.id}/update",
        data={"submission_token": new_token(), "lock_version": 1, "percent_complete": "lots"},
    ).get_data(as_text=True)
    assert assert_in_page_order(body) == ["note", "rag", "percent_complete", "status"]
