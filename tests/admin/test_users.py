import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import User, UserSession
from app.extensions import db
from app.forms import new_token
from tests.factories import PASSWORD, make_agency, make_user, reload
from tests.querycount import count_queries


def audit_events(action):
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


@pytest.mark.parametrize(
    "role", ["partner", "agency_lead", "trust_member", "programme_manager", "participation_lead"]
)
def test_only_admins_reach_user_management(app, client, as_role, role):
    as_role(role)
    assert client.get("/admin/users").status_code == 403
    victim = make_user()
    assert client.post(f"/admin/users/{victim.id}/deactivate").status_code == 403
    assert reload(victim).active is True


def test_list_shows_full_page_or_just_the_results_for_htmx(app, client, as_role):
    as_role("admin")
    make_user(full_name="Sarah Bennett", email="sarah.bennett@police.example")
    make_user(full_name="Tom Hargreaves")

    full = client.get("/admin/users?q=benn")
    page = full.get_data(as_text=True)
    assert full.status_code == 200
    assert "<html" in page and "Sarah Bennett" in page and "Tom Hargreaves" not in page
    assert "HX-Request" in full.headers["Vary"]

    fragment = client.get("/admin/users?q=benn", headers={"HX-Request": "true", "HX-Target": "user-results"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "<table" in body
    assert "Sarah Bennett" in body and "Tom Hargreaves" not in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_boosted_and_history_restore_requests_get_full_pages(app, client, as_role):
    as_role("admin")
    for header in ("HX-Boosted", "HX-History-Restore-Request"):
        response = client.get("/admin/users", headers={"HX-Request": "true", header: "true"})
        assert "<html" in response.get_data(as_text=True)


def test_search_treats_wildcards_literally(app, client, as_role):
    as_role("admin")
    make_user(full_name="Percy Underscore")
    body = client.get("/admin/users?q=%25", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Percy Underscore" not in body


def test_filters_by_role_agency_and_status(app, client, as_role):
    as_role("admin")
    police = make_agency("Police")
    make_user(full_name="Lead Person", role="agency_lead", agency=police)
    make_user(full_name="Partner Person", role="partner", agency=police)
    make_user(full_name="Gone Person", role="partner", agency=police, active=False)
    body = client.get(f"/admin/users?agency={police.id}&role=partner").get_data(as_text=True)
    assert "Partner Person" in body and "Lead Person" not in body and "Gone Person" not in body
    body = client.get(f"/admin/users?agency={police.id}&status=inactive").get_data(as_text=True)
    assert "Gone Person" in body and "Partner Person" not in body


def test_list_paginates(app, client, as_role):
    as_role("admin")
    agency = make_agency()
    for n in range(30):
        make_user(full_name=f"Person {n:02d}", agency=agency)
    first = client.get(f"/admin/users?agency={agency.id}").get_data(as_text=True)
    assert "Showing 1 to 25 of 30 accounts" in first
    second = client.get(f"/admin/users?agency={agency.id}&page=2").get_data(as_text=True)
    assert "Showing 26 to 30 of 30 accounts" in second
    assert "Person 29" in second and "Person 00" not in second


def test_user_list_runs_the_same_number_of_queries_for_5_or_50_rows(app, client, as_role):
    as_role("admin")
    for _ in range(5):
        make_user(agency=make_agency())
    few = count_queries(app, lambda: client.get("/admin/users"))
    for _ in range(45):
        make_user(agency=make_agency())
    many = count_queries(app, lambda: client.get("/admin/users"))
    assert few == many
    assert many <= 6


def test_invite_validates_and_writes_nothing_on_error(app, client, as_role):
    as_role("admin")
    make_user(email="taken@example.test")
    before = db.session.scalar(select(func.count(User.id)))
    response = client.post(
        "/admin/users/new",
        data={
            "submission_token": new_token(),
            "full_name": "",
            "email": "TAKEN@example.test",
            "agency_id": "",
            "role": "king",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in page
    for message in (
        "Enter the person&#39;s full name",
        "There is already an account with this email address",
        "Choose the person&#39;s agency",
        "Not a valid choice",
    ):
        assert message in page
    assert db.session.scalar(select(func.count(User.id))) == before
    assert audit_events("user.invite") == []


def test_invalid_email_is_refused(app, client, as_role):
    as_role("admin")
    agency = make_agency()
    response = client.post(
        "/admin/users/new",
        data={
            "submission_token": new_token(),
            "full_name": "A Person",
            "email": "not-an-email",
            "agency_id": agency.id,
            "role": "partner",
        },
    )
    assert response.status_code == 422
    assert "Enter an email address in the correct format" in response.get_data(as_text=True)


def test_invite_records_an_audit_event(app, client, as_role):
    admin = as_role("admin")
    agency = make_agency()
    client.post(
        "/admin/users/new",
        data={
            "submission_token": new_token(),
            "full_name": "New Person",
            "email": "New.Person@Example.test",
            "agency_id": agency.id,
            "role": "trust_member",
        },
    )
    user = db.session.scalar(select(User).where(User.email == "new.person@example.test"))
    assert user is not None and user.password_hash is None
    (event_,) = audit_events("user.invite")
    assert event_.actor_id == admin.id
    assert event_.object_id == str(user.id)
    assert event_.after["role"] == "trust_member"


def test_inline_edit_returns_the_form_row_then_the_saved_row(app, client, as_role):
    as_role("admin")
    user = make_user(full_name="Old Name")
    htmx = {"HX-Request": "true", "HX-Target": f"user-{user.id}"}

    form_row = client.get(f"/admin/users/{user.id}/edit", headers=htmx).get_data(as_text=True)
    assert form_row.lstrip().startswith("<tr") and f'id="user-{user.id}"' in form_row
    assert f'name="user-{user.id}-full_name"' in form_row and "<html" not in form_row

    response = client.post(
        f"/admin/users/{user.id}/edit",
        data={
            f"user-{user.id}-{k}": v
            for k, v in {"full_name": "New Name", "agency_id": user.agency_id, "role": "partner"}.items()
        },
        headers=htmx,
    )
    row = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "New Name" in row and "full_name" not in row and "has been saved" in row
    assert response.headers["Vary"] and "HX-Request" in response.headers["Vary"]
    (event_,) = audit_events("user.update")
    assert event_.before["full_name"] == "Old Name" and event_.after["full_name"] == "New Name"


def test_inline_edit_error_returns_the_form_row_with_422(app, client, as_role):
    as_role("admin")
    user = make_user(full_name="Old Name")
    response = client.post(
        f"/admin/users/{user.id}/edit",
        data={
            f"user-{user.id}-full_name": "",
            f"user-{user.id}-agency_id": user.agency_id,
            f"user-{user.id}-role": "partner",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "Enter the person&#39;s full name" in response.get_data(as_text=True)
    assert reload(user).full_name == "Old Name"


def test_edit_without_javascript_is_a_page_and_a_redirect(app, client, as_role):
    as_role("admin")
    user = make_user(full_name="Old Name")
    assert "<html" in client.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    response = client.post(
        f"/admin/users/{user.id}/edit",
        data={"full_name": "New Name", "agency_id": user.agency_id, "role": "partner"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/users"
    assert reload(user).full_name == "New Name"


def test_role_change_is_audited_and_signs_the_person_out_everywhere(app, client, as_role):
    as_role("admin")
    user = make_user(role="partner")
    their_browser = app.test_client()
    their_browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert their_browser.get("/").status_code == 200

    client.post(
        f"/admin/users/{user.id}/edit",
        data={"full_name": user.full_name, "agency_id": user.agency_id, "role": "agency_lead"},
    )
    assert reload(user).role == "agency_lead"
    (event_,) = audit_events("user.role_change")
    assert (event_.before["role"], event_.after["role"]) == ("partner", "agency_lead")
    assert their_browser.get("/").status_code == 302


def test_deactivate_ends_sessions_and_reactivate_restores_access(app, client, as_role):
    as_role("admin")
    user = make_user()
    their_browser = app.test_client()
    their_browser.post("/login", data={"email": user.email, "password": PASSWORD})

    response = client.post(f"/admin/users/{user.id}/deactivate", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Deactivated" in response.get_data(as_text=True)
    assert reload(user).active is False
    assert their_browser.get("/").status_code == 302
    assert (
        db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.ended_at.is_(None)))
        == 1
    )

    response = client.post(f"/admin/users/{user.id}/reactivate")
    assert response.status_code == 303
    assert reload(user).active is True
    assert [e.action for e in audit_events("user.deactivate") + audit_events("user.reactivate")] == [
        "user.deactivate",
        "user.reactivate",
    ]


def test_admin_cannot_deactivate_themselves(app, client, as_role):
    admin = as_role("admin")
    response = client.post(f"/admin/users/{admin.id}/deactivate", headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "cannot deactivate your own account" in response.get_data(as_text=True)
    assert reload(admin).active is True


def test_last_admin_cannot_lose_the_role(app, client, as_role):
    admin = as_role("admin")
    response = client.post(
        f"/admin/users/{admin.id}/edit",
        data={"full_name": admin.full_name, "agency_id": admin.agency_id, "role": "partner"},
    )
    assert response.status_code == 422
    assert "only active administrator" in response.get_data(as_text=True)
    assert reload(admin).role == "admin"


def test_unknown_user_is_404(app, client, as_role):
    as_role("admin")
    assert client.get("/admin/users/99999/edit").status_code == 404
    assert client.post("/admin/users/99999/deactivate").status_code == 404


@pytest.mark.parametrize("agency_id", ["2147483648", "99999999999999999999", "-1", "²", "0"])
def test_an_agency_id_no_database_could_hold_is_a_field_error_not_a_500(app, client, as_role, agency_id):
    as_role("admin")
    response = client.post(
        "/admin/users/new",
        data={
            "submission_token": new_token(),
            "full_name": "Jo",
            "email": "jo@example.test",
            "agency_id": agency_id,
            "role": "partner",
        },
    )
    assert response.status_code == 422 and 'href="#agency_id"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "jo@example.test")) == 0


def test_the_agency_filter_and_fields_offer_archived_agencies_only_where_they_belong(app, client, as_role):
    """The list's filter offers every agency, archived ones marked, the chosen one selected; a
    person's agency field offers the active agencies and their own, even once it is archived."""
    active = make_agency("Bassetlaw <Youth> & Family Hub")
    archived = make_agency("Closed Children's Centre", active=False)
    person = make_user(full_name="Gone Person", agency=archived)
    as_role("admin", agency=active)
    page = client.get(f"/admin/users?agency={archived.id}").get_data(as_text=True)
    assert f'<option value="{archived.id}" selected>Closed Children&#39;s Centre (archived)</option>' in page
    assert f'<option value="{active.id}">Bassetlaw &lt;Youth&gt; &amp; Family Hub</option>' in page

    page = client.get(f"/admin/users/{person.id}/edit").get_data(as_text=True)
    assert f'<option value="{archived.id}" selected>Closed Children&#39;s Centre</option>' in page
    assert f'<option value="{active.id}">' in page
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert f'<option value="{archived.id}"' not in page and f'<option value="{active.id}">' in page
