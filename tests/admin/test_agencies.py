import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import Agency
from app.extensions import db
from app.forms import new_token
from tests.factories import make_agency, make_user, reload


def audit_actions():
    db.session.expire_all()
    return [
        e.action
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "agencies").order_by(AuditEvent.id)
        )
    ]


@pytest.mark.parametrize(
    "role", ["partner", "agency_lead", "trust_member", "programme_manager", "participation_lead"]
)
def test_only_admins_manage_agencies(app, client, as_role, role):
    as_role(role)
    assert client.get("/admin/agencies").status_code == 403
    assert (
        client.post(
            "/admin/agencies/new", data={"submission_token": new_token(), "name": "X", "kind": "police"}
        ).status_code
        == 403
    )
    assert db.session.scalar(select(func.count(Agency.id)).where(Agency.name == "X")) == 0


def test_create_agency(app, client, as_role):
    as_role("admin")
    response = client.post(
        "/admin/agencies/new",
        data={
            "submission_token": new_token(),
            "name": "Bassetlaw District Council",
            "kind": "district_council",
            "district": "Bassetlaw",
        },
    )
    assert response.status_code == 303
    agency = db.session.scalar(select(Agency).where(Agency.name == "Bassetlaw District Council"))
    assert agency.kind == "district_council" and agency.active
    assert "agency.create" in audit_actions()
    assert "Bassetlaw District Council has been added." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "", "kind": "police"}, "Enter the agency&#39;s name"),
        ({"name": "Nottinghamshire Police", "kind": "police"}, "An agency with this name already exists"),
        ({"name": "x" * 161, "kind": "police"}, "160 characters or fewer"),
        ({"name": "New Agency", "kind": ""}, "Choose what kind of agency this is"),
        ({"name": "New Agency", "kind": "spaceship"}, "Not a valid choice"),
    ],
)
def test_bad_agency_input_is_refused(app, client, as_role, data, message):
    as_role("admin")
    make_agency("Nottinghamshire Police")
    before = db.session.scalar(select(func.count(Agency.id)))
    response = client.post("/admin/agencies/new", data={**data, "submission_token": new_token()})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Agency.id))) == before


def test_inline_edit_of_an_agency(app, client, as_role):
    as_role("admin")
    agency = make_agency("Notts Connect", kind="other")
    response = client.post(
        f"/admin/agencies/{agency.id}/edit",
        data={
            f"agency-{agency.id}-name": "Notts Connect",
            f"agency-{agency.id}-kind": "childrens_social_care",
            f"agency-{agency.id}-district": "Countywide",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True).lstrip().startswith("<tr")
    assert reload(agency).kind == "childrens_social_care"
    event_ = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "agency.update")).one()
    assert event_.before["kind"] == "other" and event_.after["kind"] == "childrens_social_care"


def test_archiving_needs_no_active_users_and_is_audited(app, client, as_role):
    as_role("admin")
    agency = make_agency("Open Door Families Trust", kind="voluntary")
    member = make_user(agency=agency)

    response = client.post(f"/admin/agencies/{agency.id}/archive", headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "still has active users" in response.get_data(as_text=True)
    assert reload(agency).active is True

    client.post(f"/admin/users/{member.id}/deactivate")
    response = client.post(f"/admin/agencies/{agency.id}/archive")
    assert response.status_code == 303
    assert reload(agency).active is False
    row = f'id="agency-{agency.id}"'
    assert row not in client.get("/admin/agencies").get_data(as_text=True)
    assert row in client.get("/admin/agencies?status=inactive").get_data(as_text=True)

    client.post(f"/admin/agencies/{agency.id}/restore")
    assert reload(agency).active is True
    assert audit_actions()[-2:] == ["agency.archive", "agency.restore"]


def test_archived_agencies_are_not_offered_for_new_users(app, client, as_role):
    as_role("admin")
    make_agency("Closed Agency", active=False)
    make_agency("Open Agency")
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert "Open Agency" in page and "Closed Agency" not in page


def test_agency_search_as_you_type_returns_results_fragment(app, client, as_role):
    as_role("admin")
    make_agency("Sherwood Vale Academy", kind="school", district="Mansfield and Ashfield")
    make_agency("Trentbank Primary School", kind="school", district="Newark and Sherwood")
    body = client.get("/admin/agencies?q=mansfield", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Sherwood Vale Academy" in body and "Trentbank" not in body and "<html" not in body
