"""The role × route matrix for every GET page, and the agency-scoping helpers."""

import pytest
from sqlalchemy import select

from app.auth.models import Role, User
from app.extensions import db
from app.permissions import get_or_404, scoped_to_agency
from tests.factories import make_agency, make_project, make_user

ADMIN_ONLY_PAGES = [
    "/thresholds/new",
    "/admin/",
    "/admin/agencies",
    "/admin/agencies/new",
    "/admin/users",
    "/admin/users/new",
    "/admin/audit/",
]
SIGNED_IN_PAGES = ["/", "/people", "/account/password", "/thresholds/", "/actions/", "/programme/"]
MANAGER_PAGES = ["/programme/projects/new"]


@pytest.mark.parametrize("role", list(Role))
def test_role_gates_on_every_page(app, client, as_role, role):
    as_role(str(role))
    for path in SIGNED_IN_PAGES:
        assert client.get(path).status_code == 200, path
    for path in ADMIN_ONLY_PAGES:
        expected = 200 if role == Role.ADMIN else 403
        assert client.get(path).status_code == expected, path
    make_project(1, "Ensure children and young people are safe")
    for path in MANAGER_PAGES:
        expected = 200 if role in (Role.ADMIN, Role.PROGRAMME_MANAGER) else 403
        assert client.get(path).status_code == expected, path
    expected = 200 if role in (Role.PARTNER, Role.AGENCY_LEAD, Role.PROGRAMME_MANAGER, Role.ADMIN) else 403
    assert client.get("/actions/new").status_code == expected


@pytest.mark.parametrize("path", ADMIN_ONLY_PAGES + ["/people", "/account/password"])
def test_anonymous_users_are_sent_to_sign_in(app, client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_scoped_query_limits_partners_to_their_agency(app):
    police, health = make_agency(), make_agency()
    officer = make_user(agency=police, role="agency_lead")
    nurse = make_user(agency=health)
    trust = make_user(agency=health, role="trust_member")
    visible = lambda user: set(  # noqa: E731
        db.session.scalars(scoped_to_agency(select(User.id), User.agency_id, user))
    )
    assert visible(officer) == {officer.id}
    assert visible(nurse) == {nurse.id, trust.id}
    assert visible(trust) == {officer.id, nurse.id, trust.id}


def test_get_or_404_hides_other_agencies_records(app):
    from werkzeug.exceptions import NotFound

    police, health = make_agency(), make_agency()
    officer = make_user(agency=police)
    nurse = make_user(agency=health)
    assert get_or_404(User, officer.id, for_user=officer) is officer
    with pytest.raises(NotFound):
        get_or_404(User, nurse.id, for_user=officer)
    with pytest.raises(NotFound):
        get_or_404(User, 99999)
    assert get_or_404(User, nurse.id, for_user=make_user(role="admin")) is nurse
