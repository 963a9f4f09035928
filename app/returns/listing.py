"""The returns' lists: the partnership view (every agency a period applies to, with or without a
return) and an agency's own returns. Each is a fixed number of queries however many agencies."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import AGENCY_KIND_LABELS, Agency
from app.dates import today
from app.extensions import db
from app.pagination import bounded_int, paginate
from app.returns.models import (
    NOT_STARTED,
    OUTSTANDING,
    OVERDUE,
    STATUS_LABELS,
    Return,
    ReturnPeriod,
    ReturnStatus,
    display_status,
)


@dataclass
class Filters:
    period: int | None = None
    kind: str = ""
    status: str = ""

    @classmethod
    def from_args(cls, args) -> Filters:
        kind, status = args.get("kind", ""), args.get("status", "")
        return cls(
            period=bounded_int(args.get("period")),
            kind=kind if kind in AGENCY_KIND_LABELS else "",
            status=status if status in STATUS_LABELS else "",
        )

    def to_args(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    @property
    def narrowed(self) -> bool:
        return bool(self.kind or self.status)


@dataclass
class AgencyRow:
    agency: Agency
    ret: Return | None
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def periods_newest_first() -> list[ReturnPeriod]:
    return list(db.session.scalars(select(ReturnPeriod).order_by(ReturnPeriod.due_on.desc())))


def chosen_period(periods: list[ReturnPeriod], wanted: int | None) -> ReturnPeriod | None:
    """The period asked for, else the open one due soonest, else the newest."""
    for period in periods:
        if period.id == wanted:
            return period
    open_ = [p for p in periods if p.is_open]
    return min(open_, key=lambda p: p.due_on) if open_ else (periods[0] if periods else None)


def _status_condition(status: str, past_due: bool):
    if status == OVERDUE:
        return (
            or_(Return.id.is_(None), Return.status.in_([str(s) for s in OUTSTANDING]))
            if past_due
            else false()
        )
    if status == NOT_STARTED:
        return false() if past_due else Return.id.is_(None)
    if status in OUTSTANDING and past_due:
        return false()
    return Return.status == status


def agencies_in_period(period: ReturnPeriod, filters: Filters, only_agency: int | None = None):
    """A select of (Agency, Return or None): every active agency the period applies to."""
    stmt = (
        select(Agency, Return)
        .outerjoin(Return, and_(Return.agency_id == Agency.id, Return.period_id == period.id))
        .where(Agency.active.is_(True))
        .order_by(Agency.name)
    )
    if period.kinds:
        stmt = stmt.where(Agency.kind.in_(period.kinds))
    if filters.kind:
        stmt = stmt.where(Agency.kind == filters.kind)
    if filters.status:
        stmt = stmt.where(_status_condition(filters.status, period.due_on < today()))
    if only_agency is not None:
        stmt = stmt.where(Agency.id == only_agency)
    return stmt


def partnership_page(period: ReturnPeriod, filters: Filters):
    """A page of agencies (count and page: two queries), with their returns. Every change to an
    agency or a return writes an audit event, so the count is kept until one (kept_count)."""
    page = paginate(agencies_in_period(period, filters).with_only_columns(Agency), keep_count=True)
    returns = (
        {
            r.agency_id: r
            for r in db.session.scalars(
                select(Return).where(
                    Return.period_id == period.id, Return.agency_id.in_([a.id for a in page.items])
                )
            )
        }
        if page.items
        else {}
    )
    rows = []
    for agency in page.items:
        ret = returns.get(agency.id)
        if ret is not None:
            set_committed_value(ret, "period", period)
        rows.append(AgencyRow(agency, ret, display_status(ret.status if ret else None, period.due_on)))
    return page, rows


def export_rows(
    period: ReturnPeriod | None, filters: Filters, only_agency: int | None = None
) -> list[AgencyRow]:
    rows: list[AgencyRow] = []
    if period is None:
        return rows
    for agency, ret in db.session.execute(agencies_in_period(period, filters, only_agency)):
        if ret is not None:
            set_committed_value(ret, "period", period)
        rows.append(AgencyRow(agency, ret, display_status(ret.status if ret else None, period.due_on)))
    return rows


def own_returns_page(visible):
    """The agency's own returns, newest period first (two queries)."""
    return paginate(
        visible.join(ReturnPeriod, ReturnPeriod.id == Return.period_id)
        .options(joinedload(Return.period), joinedload(Return.agency))
        .order_by(ReturnPeriod.due_on.desc())
    )


def periods_to_start(agency: Agency) -> list[ReturnPeriod]:
    """Open periods that ask this agency for a return it has not started (one query)."""
    started = select(Return.period_id).where(Return.agency_id == agency.id)
    periods = db.session.scalars(
        select(ReturnPeriod)
        .where(
            ReturnPeriod.closed.is_(False), ReturnPeriod.opens_on <= today(), ReturnPeriod.id.not_in(started)
        )
        .order_by(ReturnPeriod.due_on)
    )
    return [p for p in periods if p.applies_to(agency)]


STATUS_ORDER = (
    NOT_STARTED,
    ReturnStatus.DRAFT,
    ReturnStatus.SUBMITTED,
    ReturnStatus.RETURNED,
    ReturnStatus.ACCEPTED,
    OVERDUE,
)
