"""The partnership actions' numbers for the Children's Trust's dashboard and board report.

Every function takes `owners`: None for the whole partnership, or a select of agency ids (one
agency, or every agency of a kind) whose actions count. Each runs a fixed number of queries,
whatever the number of actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import joinedload

from app.actions.models import Action, Challenge, ProgressUpdate, Rag, Review
from app.auth.models import Agency
from app.dates import LOCAL_ZONE, local_month, today
from app.extensions import db


def owners_matching(agency_id: int | None = None, agency_kind: str | None = None) -> Select | None:
    """The agencies whose actions count: one agency, every agency of a kind, or None for all."""
    if agency_id:
        return select(Agency.id).where(Agency.id == agency_id)
    if agency_kind:
        return select(Agency.id).where(Agency.kind == agency_kind)
    return None


def _owned_by(owners: Select | None):
    accepted = Action.review == Review.ACCEPTED
    return accepted if owners is None else and_(accepted, Action.owner_agency_id.in_(owners))


@dataclass
class ProjectActivity:
    open_challenges: int = 0
    overdue_challenges: int = 0
    last_update: datetime | None = None


def project_activity(owners: Select | None = None) -> dict[int, ProjectActivity]:
    """Per project: open challenges (and how many are late), and the last progress update. Two
    queries."""
    activity: dict[int, ProjectActivity] = {}
    for project_id, open_, late in db.session.execute(
        select(
            Action.project_id,
            func.count(Challenge.id),
            func.sum(case((Challenge.is_overdue, 1), else_=0)),
        )
        .join(Action, Action.id == Challenge.action_id)
        .where(_owned_by(owners), Challenge.closed_at.is_(None))
        .group_by(Action.project_id)
    ):
        activity[project_id] = ProjectActivity(open_, late or 0)
    for project_id, last in db.session.execute(
        select(Action.project_id, func.max(Action.last_update_at))
        .where(_owned_by(owners))
        .group_by(Action.project_id)
    ):
        activity.setdefault(project_id, ProjectActivity()).last_update = last
    return activity


@dataclass
class Month:
    first_day: date
    green: int = 0
    amber: int = 0
    red: int = 0
    percent: int | None = None

    @property
    def label(self) -> str:
        return self.first_day.strftime("%b %Y")

    @property
    def updates(self) -> int:
        return self.green + self.amber + self.red


def monthly_progress(months: int = 12, owners: Select | None = None) -> list[Month]:
    """The last `months` months, each with the RAG its updates reported and their average %
    complete: what the owners said, month by month. One query."""
    first = _months_back(today().replace(day=1), months - 1)
    start = datetime(first.year, first.month, 1, tzinfo=LOCAL_ZONE)
    month = local_month(ProgressUpdate.created_at)
    rows = db.session.execute(
        select(
            month,
            func.sum(case((ProgressUpdate.rag_after == Rag.GREEN, 1), else_=0)),
            func.sum(case((ProgressUpdate.rag_after == Rag.AMBER, 1), else_=0)),
            func.sum(case((ProgressUpdate.rag_after == Rag.RED, 1), else_=0)),
            func.avg(ProgressUpdate.percent_after),
        )
        .join(Action, Action.id == ProgressUpdate.action_id)
        .where(_owned_by(owners), ProgressUpdate.created_at >= start)
        .group_by(month)
    ).all()
    found = {key: (green, amber, red, average) for key, green, amber, red, average in rows}
    result = []
    for n in range(months):
        day = _months_back(today().replace(day=1), months - 1 - n)
        green, amber, red, average = found.get(day.strftime("%Y-%m"), (0, 0, 0, None))
        result.append(
            Month(day, green or 0, amber or 0, red or 0, round(average) if average is not None else None)
        )
    return result


def _months_back(first_of_month: date, n: int) -> date:
    year, month = divmod(first_of_month.year * 12 + first_of_month.month - 1 - n, 12)
    return date(year, month + 1, 1)


@dataclass
class Exception_:
    action: Action
    latest: ProgressUpdate | None


def _exceptional(owners: Select | None) -> tuple:
    return (_owned_by(owners), ~Action.is_finished, (Action.rag == Rag.RED) | Action.is_overdue)


def exception_count(owners: Select | None = None) -> int:
    """How many open actions are red or overdue (all of them, however many `exceptions` lists)."""
    return db.session.scalar(select(func.count(Action.id)).where(*_exceptional(owners)))


def _worst_first(stmt: Select, owners: Select | None, limit: int) -> Select:
    return (
        stmt.where(*_exceptional(owners))
        .order_by(Action.rag_severity.desc(), Action.due_date, Action.id)
        .limit(limit)
    )


def exception_ids(owners: Select | None = None, limit: int = 200) -> list[int]:
    """The ids `exceptions` would list, in its order: plain values, so a page can keep them between
    requests (app/report_cache.py) instead of sorting every open action again."""
    return list(db.session.scalars(_worst_first(select(Action.id), owners, limit)))


def exceptions(
    owners: Select | None = None, limit: int = 200, *, ids: list[int] | None = None
) -> list[Exception_]:
    """Red or overdue open actions (red first, then the longest overdue), each with its latest
    update: the board's exceptions. Two queries; given `ids` (from exception_ids), those actions
    in that order, still two."""
    details = (joinedload(Action.owner_agency), joinedload(Action.project))
    if ids is None:
        actions = db.session.scalars(_worst_first(select(Action), owners, limit).options(*details)).all()
    else:
        found = {
            a.id: a for a in db.session.scalars(select(Action).where(Action.id.in_(ids)).options(*details))
        }
        actions = [found[i] for i in ids if i in found]
    latest_ids = (
        select(func.max(ProgressUpdate.id))
        .where(ProgressUpdate.action_id.in_([a.id for a in actions]))
        .group_by(ProgressUpdate.action_id)
    )
    # Asked even when there are no exceptions, so the page's query count never depends on them.
    latest = {
        u.action_id: u
        for u in db.session.scalars(select(ProgressUpdate).where(ProgressUpdate.id.in_(latest_ids)))
    }
    return [Exception_(action, latest.get(action.id)) for action in actions]


def agency_actions(agency_id: int, limit: int = 50) -> list[Action]:
    """One agency's open actions in the programme, soonest due first."""
    return db.session.scalars(
        select(Action)
        .where(Action.owner_agency_id == agency_id, Action.review == Review.ACCEPTED, ~Action.is_finished)
        .options(joinedload(Action.project))
        .order_by(Action.due_date, Action.id)
        .limit(limit)
    ).all()


def agency_updates(agency_id: int, limit: int = 10) -> list[ProgressUpdate]:
    return db.session.scalars(
        select(ProgressUpdate)
        .join(Action, Action.id == ProgressUpdate.action_id)
        .where(Action.owner_agency_id == agency_id)
        .options(joinedload(ProgressUpdate.action), joinedload(ProgressUpdate.created_by))
        .order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())
        .limit(limit)
    ).all()


def agency_challenges(agency_id: int, limit: int = 20) -> list[Challenge]:
    """Open challenges on one agency's actions, the oldest first."""
    return db.session.scalars(
        select(Challenge)
        .join(Action, Action.id == Challenge.action_id)
        .where(Action.owner_agency_id == agency_id, Challenge.closed_at.is_(None))
        .options(joinedload(Challenge.action), joinedload(Challenge.raised_by))
        .order_by(Challenge.raised_at)
        .limit(limit)
    ).all()
