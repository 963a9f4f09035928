import pytest

from app.auth.models import Role
from tests.factories import make_agency, make_user


def test_anonymous_home_redirects_to_sign_in(app, client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"


@pytest.mark.parametrize("role", list(Role))
def test_home_page_speaks_to_each_role(app, client, as_role, role):
    user = as_role(str(role))
    page = client.get("/").get_data(as_text=True)
    assert f"Welcome, {user.full_name}" in page
    assert role.description.replace("'", "&#39;") in page
    # Every role now has something that may need its attention (young people's feedback, for
    # participation leads), and none is told "nothing needs your attention" when nothing does.
    assert "What needs your attention" in page
    assert "Nothing needs your attention" not in page
    assert ('href="/admin/"' in page) == (role == Role.ADMIN)


def test_admin_home_shows_people_waiting_to_set_a_password(app, client, as_role):
    as_role("admin")
    make_user(password=None)
    make_user(password=None)
    assert "2 invited people have not yet set a password" in client.get("/").get_data(as_text=True)


def test_partner_sees_only_their_own_agency_in_the_people_directory(app, client, as_role):
    police, health = make_agency("Nottinghamshire Police"), make_agency("NHS Bassetlaw (PCT)")
    make_user(full_name="Police Colleague", agency=police)
    make_user(full_name="Health Worker", agency=health)
    as_role("partner", agency=police)
    page = client.get("/people").get_data(as_text=True)
    assert "Police Colleague" in page and "Health Worker" not in page
    # Asking for another agency by id does not widen the query.
    page = client.get(f"/people?agency={health.id}").get_data(as_text=True)
    assert "Health Worker" not in page and "Police Colleague" not in page


@pytest.mark.parametrize("role", ["trust_member", "programme_manager", "admin"])
def test_partnership_wide_roles_see_every_agency(app, client, as_role, role):
    police, health = make_agency("Nottinghamshire Police"), make_agency("NHS Bassetlaw (PCT)")
    make_user(full_name="Police Colleague", agency=police)
    make_user(full_name="Health Worker", agency=health)
    as_role(role)
    page = client.get("/people").get_data(as_text=True)
    assert "Police Colleague" in page and "Health Worker" in page
    fragment = client.get(f"/people?agency={health.id}", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "Health Worker" in fragment and "Police Colleague" not in fragment and "<html" not in fragment


FEATURES_NOT_BUILT_YET = ("submissions",)


@pytest.mark.parametrize("role", list(Role))
def test_no_page_promises_a_feature_that_is_not_there(app, client, as_role, role):
    """The footer, the home page and the role's description speak only of what works today."""
    as_role(str(role))
    page = client.get("/").get_data(as_text=True).replace("&#39;", "'").lower()
    assert [words for words in FEATURES_NOT_BUILT_YET if words in page] == []
