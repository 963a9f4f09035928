"""The demo's inspection: the 2009 framework, a self-assessment in progress with versions, fifteen
evidence items and the checklist, 81 activities over ten working days with one clash kept on
purpose, and two briefings; seeding twice adds nothing."""

from sqlalchemy import func, select

from app.briefings.models import Briefing
from app.extensions import db
from app.inspection.models import (
    Activity,
    AssessmentVersion,
    ChecklistItem,
    EvidenceItem,
    Framework,
    GradeDescriptor,
    JudgementArea,
)
from app.inspection.schedule import all_clashes, conflict_count


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_demo_partnership_is_getting_ready_for_inspection(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    framework = db.session.scalar(select(Framework))
    assert framework.name == "Safeguarding and looked after children inspection 2009"
    assert framework.fieldwork_starts_on.weekday() == 0
    assert count(JudgementArea) == 8 and count(GradeDescriptor) == 32
    assert count(AssessmentVersion) >= 6
    assert count(EvidenceItem) == 15 and count(ChecklistItem) == 8
    assert db.session.scalar(select(func.count(ChecklistItem.evidence_id))) == 5
    assert count(Activity) == 81
    days = db.session.scalars(select(Activity.day).distinct()).all()
    assert len(days) == 10 and all(day.weekday() < 5 for day in days)
    assert not any((d.month, d.day) in {(12, 25), (12, 26), (1, 1)} for d in days)
    clashing = {frozenset((c.first.id, c.second.id)) for c in all_clashes()}
    assert len(clashing) == 1 and conflict_count() == 0  # kept on purpose, with a reason
    assert count(Briefing) == 2
