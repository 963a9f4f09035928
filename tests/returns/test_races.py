"""Impatient users and parallel requests on returns: eight at once make one row or one transition,
and never a 500 (tests/test_races.py does the same for the other features)."""

from sqlalchemy import func, select

from app.extensions import db
from app.forms import new_token
from app.returns.models import Return, ReturnTransition
from tests.factories import make_agency, make_return_period, make_user
from tests.returns.support import make_return
from tests.test_races import no_server_errors, post_in_parallel


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(model.id)))


def test_eight_starts_of_one_return_make_one(app):
    period_id = make_return_period().id
    lead = make_user(role="agency_lead", agency=make_agency())
    statuses = post_in_parallel(app, lead, "/returns/start", lambda i: {"period_id": period_id})
    no_server_errors(statuses)
    assert _count(Return) == 1


def test_eight_submissions_of_one_return_move_it_once(app):
    ret = make_return()
    lead = make_user(role="agency_lead", agency=ret.agency)
    token = new_token()
    statuses = post_in_parallel(
        app,
        lead,
        f"/returns/{ret.id}/submit",
        lambda i: {"submit-lock_version": "1", "submit-submission_token": token if i % 2 else new_token()},
    )
    no_server_errors(statuses)
    assert _count(ReturnTransition) == 1


def test_eight_reviewers_accepting_at_once_accept_it_once(app):
    ret = make_return(status="submitted")
    reviewer = make_user(role="programme_manager")
    statuses = post_in_parallel(
        app,
        reviewer,
        f"/returns/{ret.id}/accept",
        lambda i: {"accept-lock_version": "1", "accept-submission_token": new_token()},
    )
    no_server_errors(statuses)
    db.session.expire_all()
    moves = db.session.scalars(select(ReturnTransition.to_status)).all()
    assert moves.count("accepted") == 1
