"""Eight identical or clashing posts at once to every creating route of inspection readiness and
briefings: no 500, and exactly one row (tests/test_races.py's harness)."""

from sqlalchemy import select

from app.briefings.models import Briefing, BriefingRead
from app.extensions import db
from app.forms import new_token
from app.inspection.models import (
    Activity,
    AgencyInput,
    AssessmentVersion,
    ChecklistItem,
    EvidenceItem,
    JudgementArea,
)
from tests.factories import make_user
from tests.inspection.helpers import make_framework
from tests.test_races import PARALLEL, count, no_server_errors, post_in_parallel


def _area_id() -> int:
    make_framework()
    return db.session.scalar(select(JudgementArea.id))


def test_the_same_activity_sent_eight_times_makes_one(app):
    pm = make_user(role="programme_manager")
    form = {
        "submission_token": new_token(),
        "kind": "managers",
        "title": "Meeting with senior managers",
        "day": ["15", "3", "2027"],
        "starts_at": "09:00",
        "ends_at": "10:00",
        "location": "County Hall, Room 1",
        "agency_id": "0",
        "status": "planned",
    }
    statuses = post_in_parallel(app, pm, "/inspection/schedule/new", lambda i: form)
    no_server_errors(statuses)
    assert statuses == [303] * PARALLEL
    assert count(Activity) == 1


def test_eight_first_views_from_one_agency_make_one(app):
    area_id = _area_id()
    lead = make_user(role="agency_lead")
    form = {"agency-text": "Joint visits within the day.", "agency-lock_version": ""}
    statuses = post_in_parallel(
        app, lead, f"/inspection/self-assessment/{area_id}/agency-view", lambda i: form
    )
    no_server_errors(statuses)
    assert 303 in statuses and set(statuses) <= {303, 409}
    assert count(AgencyInput) == 1


def test_eight_consolidations_of_one_loaded_version_save_one(app):
    area_id = _area_id()
    pm = make_user(role="programme_manager")
    form = {"grade": "good", "strengths": "Strong", "areas_for_development": "GPs", "lock_version": "1"}
    statuses = post_in_parallel(app, pm, f"/inspection/self-assessment/{area_id}/consolidate", lambda i: form)
    no_server_errors(statuses)
    assert statuses.count(303) == 1 and set(statuses) <= {303, 409}
    assert count(AssessmentVersion) == 1


def test_the_same_evidence_and_checklist_document_sent_eight_times_make_one_each(app):
    pm = make_user(role="programme_manager")
    evidence = {
        "submission_token": new_token(),
        "title": "Board minutes",
        "link_path": "/programme/",
        "owner_agency_id": str(pm.agency_id),
        "dated": ["1", "10", "2026"],
        "visibility": "partnership",
    }
    no_server_errors(post_in_parallel(app, pm, "/inspection/evidence/new", lambda i: evidence))
    assert count(EvidenceItem) == 1
    item = {"title": "Threshold document", "owner_agency_id": "0", "evidence_id": "0", "lock_version": ""}
    statuses = post_in_parallel(
        app, pm, "/inspection/evidence/checklist/new", lambda i: {**item, "submission_token": new_token()}
    )
    no_server_errors(statuses)
    assert count(ChecklistItem) == 1


def test_the_same_briefing_sent_and_read_eight_times_is_one(app):
    pm = make_user(role="programme_manager")
    form = {"submission_token": new_token(), "title": "Fieldwork starts Monday", "body": "Be ready."}
    statuses = post_in_parallel(app, pm, "/briefings/new", lambda i: form)
    no_server_errors(statuses)
    assert count(Briefing) == 1
    briefing_id = db.session.scalar(select(Briefing.id))
    reader = make_user(role="partner")
    statuses = post_in_parallel(app, reader, f"/briefings/{briefing_id}/read", lambda i: {})
    no_server_errors(statuses)
    assert statuses == [303] * PARALLEL
    assert count(BriefingRead) == 1
