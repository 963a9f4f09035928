"""Building returns for tests: plain functions, like tests/factories.py."""

from __future__ import annotations

from app.extensions import db
from app.returns.models import Return, ReturnStatus, ReturnTransition, compliance_percent
from tests.factories import make_agency, make_return_period, make_user

COMPLETE = {
    "appointments": 10,
    "fully_checked": 8,
    "dbs_before_start": 9,
    "identity_verified": 10,
    "references_verified": 9,
    "qualifications_checked": 10,
    "right_to_work_checked": 10,
    "overseas_needed": 1,
    "overseas_done": 1,
    "barred_list_checked": 10,
    "supply_staff": 2,
    "supply_confirmed": 2,
    "panels": 4,
    "panels_with_trained_member": 4,
    "staff_trained": 3,
    "lado_referrals": 1,
    "outcome_unfounded": 1,
    "senior_manager": "Jane Whitaker, Head of HR",
    "gaps_and_actions": "Two references were late; HR now holds start dates.",
}


def make_return(
    agency=None, period=None, *, status=ReturnStatus.DRAFT, answers=None, self_rating="compliant"
):
    agency = agency or make_agency()
    period = period or make_return_period()
    answers = dict(COMPLETE if answers is None else answers)
    ret = Return(
        agency_id=agency.id,
        period_id=period.id,
        status=status,
        answers=answers,
        comments={},
        self_rating=self_rating,
        compliance=compliance_percent(answers),
    )
    db.session.add(ret)
    db.session.commit()
    if status != ReturnStatus.DRAFT:
        actor = make_user(role="agency_lead", agency=agency)
        db.session.add(
            ReturnTransition(return_id=ret.id, from_status="draft", to_status="submitted", actor_id=actor.id)
        )
        db.session.commit()
    return ret


def form_data(ret, **changes) -> dict:
    """What the return's form posts: its answers as typed, and the version it was loaded at."""
    data = {key: str(value) for key, value in ret.answers.items()}
    data["self_rating"] = ret.self_rating
    data["lock_version"] = str(ret.lock_version)
    data.update({key: str(value) for key, value in changes.items()})
    return data
