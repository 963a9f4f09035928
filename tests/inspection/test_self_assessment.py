"""The self-assessment: the framework as data, agencies' views, the programme manager's
consolidated versions, linked actions, and the overview."""

from datetime import date

import pytest
from sqlalchemy import func, select

from app.errors import NotAllowed, RuleBroken, StaleEdit
from app.extensions import db
from app.inspection.models import (
    AgencyInput,
    AssessmentVersion,
    ChecklistItem,
    Framework,
    GradeDescriptor,
    JudgementArea,
)
from app.inspection.services import (
    AreaDetails,
    consolidate,
    days_to_fieldwork,
    link_action,
    readiness,
    save_agency_input,
    save_area,
    save_framework,
)
from tests.factories import make_action, make_user, reload
from tests.inspection.helpers import FIELDWORK, make_activity, make_framework

GRADES = ("outstanding", "good", "adequate", "inadequate")


def _area(framework) -> JudgementArea:
    return db.session.scalar(select(JudgementArea).where(JudgementArea.framework_id == framework.id))


def _consolidate(area, user, grade="adequate", note="", **words):
    saved = consolidate(
        area,
        user=user,
        grade=grade,
        strengths=words.get("strengths", "The MASH screens every referral within a day."),
        areas_for_development=words.get("development", "GP reports to conferences are late."),
        note=note,
        version=area.lock_version,
    )
    db.session.commit()
    return saved


def test_an_admin_keeps_the_framework_its_areas_and_grade_descriptors(app):
    admin = make_user(role="admin")
    framework = save_framework(
        None,
        name="Safeguarding and looked after children inspection 2009",
        fieldwork_starts_on=FIELDWORK,
        user=admin,
        version=None,
    )
    db.session.commit()
    area = save_area(
        None,
        framework,
        AreaDetails(
            "Leadership and management", "Ambition and priorities", {g: f"{g} words" for g in GRADES}
        ),
        user=admin,
    )
    db.session.commit()
    assert [(d.grade, d.text) for d in reload(area).descriptors] == [(g, f"{g} words") for g in GRADES]
    save_area(
        area,
        framework,
        AreaDetails("Leadership and management", "", {"good": "Better words"}),
        user=admin,
        version=area.lock_version,
    )
    db.session.commit()
    assert (
        db.session.scalar(select(GradeDescriptor.text).where(GradeDescriptor.grade == "good"))
        == "Better words"
    )
    with pytest.raises(RuleBroken, match="already has a judgement area"):
        save_area(None, framework, AreaDetails("leadership AND management", "", {}), user=admin)


def test_only_admins_edit_the_framework(app):
    with pytest.raises(NotAllowed):
        save_framework(
            None, name="X", fieldwork_starts_on=None, user=make_user(role="programme_manager"), version=None
        )


def test_an_area_needs_a_framework_first(app):
    with pytest.raises(RuleBroken, match="Set up the framework"):
        save_area(None, None, AreaDetails("Value for money", "", {}), user=make_user(role="admin"))


def test_agency_leads_give_their_own_agencys_view_once_and_edit_it(app):
    framework = make_framework()
    area = _area(framework)
    lead = make_user(role="agency_lead")
    save_agency_input(
        area, user=lead, suggested_grade="good", text="Joint visits the same day.", version=None
    )
    db.session.commit()
    saved = db.session.scalar(select(AgencyInput))
    assert (saved.agency_id, saved.suggested_grade) == (lead.agency_id, "good")
    save_agency_input(area, user=lead, suggested_grade="", text="Changed.", version=saved.lock_version)
    db.session.commit()
    assert db.session.scalar(select(func.count(AgencyInput.id))) == 1
    assert reload(saved).text == "Changed." and reload(saved).suggested_grade is None
    with pytest.raises(StaleEdit):  # a form loaded before the last change
        save_agency_input(area, user=lead, suggested_grade="", text="Old", version=saved.lock_version - 1)


def test_agency_input_rules(app):
    area = _area(make_framework())
    lead = make_user(role="agency_lead")
    with pytest.raises(RuleBroken, match="one of the four grades"):
        save_agency_input(area, user=lead, suggested_grade="superb", text="x", version=None)
    with pytest.raises(RuleBroken, match="Enter your agency's view"):
        save_agency_input(area, user=lead, suggested_grade="good", text="  ", version=None)
    with pytest.raises(NotAllowed):
        save_agency_input(area, user=make_user(role="partner"), suggested_grade=None, text="x", version=None)
    with pytest.raises(StaleEdit):  # the form saw a view that someone has since removed
        save_agency_input(area, user=lead, suggested_grade=None, text="x", version=3)


def test_consolidating_keeps_every_version_and_a_moved_grade_needs_a_reason(app):
    area = _area(make_framework())
    pm = make_user(role="programme_manager")
    first = _consolidate(area, pm, "adequate")
    assert first.number == 1 and reload(area).grade == "adequate"
    with pytest.raises(RuleBroken, match="moved from adequate to good"):
        _consolidate(reload(area), pm, "good")
    db.session.rollback()
    second = _consolidate(
        reload(area), pm, "good", note="Health now attends nine strategy discussions in ten."
    )
    assert second.number == 2
    history = db.session.execute(
        select(AssessmentVersion.number, AssessmentVersion.grade).order_by(AssessmentVersion.number)
    ).all()
    assert history == [(1, "adequate"), (2, "good")]
    assert reload(area).status == "Judged"


def test_consolidation_rules(app):
    area = _area(make_framework())
    pm = make_user(role="programme_manager")
    with pytest.raises(RuleBroken, match="Choose the grade"):
        _consolidate(area, pm, "excellent")
    with pytest.raises(RuleBroken, match="strengths"):
        _consolidate(area, pm, "good", strengths=" ")
    with pytest.raises(RuleBroken, match="only an outstanding area may have none"):
        _consolidate(area, pm, "good", development="")
    _consolidate(area, pm, "outstanding", development="")  # outstanding may have none
    with pytest.raises(NotAllowed):
        _consolidate(reload(area), make_user(role="agency_lead"), "outstanding")
    with pytest.raises(StaleEdit):
        consolidate(
            reload(area),
            user=pm,
            grade="outstanding",
            strengths="s",
            areas_for_development="",
            note="",
            version=1,
        )


def test_linking_actions_that_address_the_areas_for_development(app):
    area = _area(make_framework())
    pm = make_user(role="programme_manager")
    action = make_action()
    link_action(area, user=pm, reference=action.reference.lower())
    db.session.commit()
    assert [a.id for a in reload(area).actions] == [action.id]
    with pytest.raises(RuleBroken, match="already linked"):
        link_action(reload(area), user=pm, reference=action.reference)
    with pytest.raises(RuleBroken, match="no action with this reference"):
        link_action(reload(area), user=pm, reference="Z99-99")


def test_the_overview_counts_days_checklist_and_unexplained_clashes(app):
    framework = make_framework("Partnership working", "Value for money")
    db.session.add_all([ChecklistItem(title="Board minutes"), ChecklistItem(title="Threshold document")])
    db.session.commit()
    make_activity("A", location="Room 1")
    make_activity("B", location="Room 1", starts=(9, 30), ends=(10, 30))
    ready = readiness(reload(framework))
    assert (ready.checklist_ticked, ready.checklist_total, ready.conflicts) == (0, 2, 1)
    assert days_to_fieldwork(framework, on=date(2027, 3, 1)) == 14


@pytest.mark.parametrize("role", ["partner", "agency_lead", "trust_member", "programme_manager", "admin"])
def test_every_role_sees_the_overview_and_the_self_assessment(app, client, as_role, role):
    make_framework("Partnership working")
    as_role(role)
    overview = client.get("/inspection/")
    assert overview.status_code == 200 and "Partnership working" in overview.get_data(as_text=True)
    assert client.get("/inspection/self-assessment/").status_code == 200


def test_the_area_page_offers_each_role_what_it_may_do(app, client, as_role):
    area = _area(make_framework())
    as_role("agency_lead")
    page = client.get(f"/inspection/self-assessment/{area.id}").get_data(as_text=True)
    assert "Give your agency" in page and "Consolidate" not in page
    response = client.post(
        f"/inspection/self-assessment/{area.id}/agency-view",
        data={
            "agency-text": "Police are in the MASH every weekday.",
            "agency-suggested_grade": "good",
            "agency-lock_version": "",
        },
    )
    assert response.status_code == 303
    assert client.post(f"/inspection/self-assessment/{area.id}/consolidate", data={}).status_code == 403


def test_the_programme_manager_consolidates_through_the_page(app, client, as_role):
    area = _area(make_framework())
    as_role("programme_manager")
    data = {
        "grade": "good",
        "strengths": "Strong",
        "areas_for_development": "GP reports",
        "note": "",
        "lock_version": str(area.lock_version),
    }
    assert client.post(f"/inspection/self-assessment/{area.id}/consolidate", data=data).status_code == 303
    again = client.post(
        f"/inspection/self-assessment/{area.id}/consolidate",
        data={**data, "grade": "adequate", "note": "Why"},
    )
    assert again.status_code == 409  # the page loaded at the old version
    fresh = {**data, "grade": "adequate", "lock_version": str(reload(area).lock_version)}
    refused = client.post(f"/inspection/self-assessment/{area.id}/consolidate", data=fresh)
    assert refused.status_code == 422 and "Say why the judgement moved" in refused.get_data(as_text=True)
    page = client.get(f"/inspection/self-assessment/{area.id}").get_data(as_text=True)
    assert "How the judgement has moved" in page and "Good" in page


def test_admins_edit_the_framework_through_the_pages(app, client, as_role):
    as_role("admin")
    response = client.post(
        "/inspection/framework",
        data={
            "name": "Safeguarding and looked after children inspection 2009",
            "fieldwork_starts_on": ["15", "3", "2027"],
            "lock_version": "",
        },
    )
    assert response.status_code == 303
    assert db.session.scalar(select(Framework.fieldwork_starts_on)) == FIELDWORK
    token = "t" * 24
    added = client.post(
        "/inspection/areas/new",
        data={
            "name": "Value for money",
            "good": "Resources are used well.",
            "submission_token": token,
            "lock_version": "",
        },
    )
    assert added.status_code == 303
    assert (
        client.post(
            "/inspection/areas/new", data={"name": "Value for money", "submission_token": token}
        ).status_code
        == 303
    )
    assert db.session.scalar(select(func.count(JudgementArea.id))) == 1
