"""The returns' numbers for the Children's Trust review (app.progress): the current period by
status, compliance, and a breakdown by kind of agency; and one agency's returns by period.
A fixed number of queries each, whatever the number of agencies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, and_, func, select

from app.auth.models import AGENCY_KIND_LABELS, Agency
from app.extensions import db
from app.returns.listing import AgencyRow, chosen_period, periods_newest_first
from app.returns.models import STATUS_LABELS, Return, ReturnPeriod, ReturnStatus, display_status

# Returns whose numbers count: the agency has sent them (a draft's numbers are its own).
SENT = (ReturnStatus.SUBMITTED, ReturnStatus.ACCEPTED)


@dataclass
class KindRow:
    kind: str
    agencies: int = 0
    sent: int = 0
    compliance_total: int = 0
    compliance_count: int = 0

    @property
    def label(self) -> str:
        return AGENCY_KIND_LABELS.get(self.kind, self.kind)

    @property
    def compliance(self) -> int | None:
        return round(self.compliance_total / self.compliance_count) if self.compliance_count else None


@dataclass
class PeriodCompliance:
    name: str
    sent: int
    compliance: int | None


@dataclass(frozen=True)
class PeriodShown:
    """The period a summary is for, as plain values: a summary may be kept between requests
    (app/report_cache.py), and a database object belongs to one request's session."""

    id: int
    name: str
    due_on: date


@dataclass
class ReturnsSummary:
    period: PeriodShown | None
    agencies: int = 0
    by_status: list[tuple[str, str, int]] = field(default_factory=list)  # (status, label, agencies)
    by_kind: list[KindRow] = field(default_factory=list)
    compliance_total: int = 0
    compliance_count: int = 0
    trend: list[PeriodCompliance] = field(default_factory=list)  # oldest period first

    @property
    def compliance(self) -> int | None:
        """The average, across the agencies that have sent their return, of the share of their
        appointments fully checked before start."""
        return round(self.compliance_total / self.compliance_count) if self.compliance_count else None

    @property
    def sent(self) -> int:
        return sum(n for status, _, n in self.by_status if status in SENT)


def returns_summary(owners: Select | None = None) -> ReturnsSummary:
    """The current period (the open one due soonest, else the newest) for the agencies in `owners`
    (a select of agency ids; None: every agency). Two queries."""
    period = chosen_period(periods_newest_first(), None)
    if period is None:
        return ReturnsSummary(None)
    stmt = (
        select(
            Agency.kind,
            Return.status,
            func.count(Agency.id),
            func.sum(Return.compliance),
            func.count(Return.compliance),
        )
        .outerjoin(Return, and_(Return.agency_id == Agency.id, Return.period_id == period.id))
        .where(Agency.active.is_(True))
        .group_by(Agency.kind, Return.status)
    )
    if period.kinds:
        stmt = stmt.where(Agency.kind.in_(period.kinds))
    if owners is not None:
        stmt = stmt.where(Agency.id.in_(owners))
    summary = ReturnsSummary(PeriodShown(period.id, period.name, period.due_on))
    statuses: dict[str, int] = {}
    kinds: dict[str, KindRow] = {}
    for kind, status, agencies, compliance_total, compliance_count in db.session.execute(stmt):
        shown = display_status(status, period.due_on)
        statuses[shown] = statuses.get(shown, 0) + agencies
        row = kinds.setdefault(kind, KindRow(kind))
        row.agencies += agencies
        summary.agencies += agencies
        if status in SENT:
            row.sent += agencies
            row.compliance_total += compliance_total or 0
            row.compliance_count += compliance_count
            summary.compliance_total += compliance_total or 0
            summary.compliance_count += compliance_count
    summary.by_status = [(s, STATUS_LABELS[s], statuses[s]) for s in STATUS_LABELS if s in statuses]
    summary.by_kind = sorted(kinds.values(), key=lambda r: r.label)
    summary.trend = compliance_by_period(owners)
    return summary


def compliance_by_period(owners: Select | None = None, last: int = 8) -> list[PeriodCompliance]:
    """Return compliance in each of the last `last` periods, oldest first: the returns sent and
    their average compliance (one query)."""
    joined = [Return.period_id == ReturnPeriod.id, Return.status.in_(SENT)]
    if owners is not None:
        joined.append(Return.agency_id.in_(owners))
    stmt = (
        select(ReturnPeriod.name, ReturnPeriod.due_on, func.count(Return.id), func.avg(Return.compliance))
        .outerjoin(Return, and_(*joined))
        .group_by(ReturnPeriod.id, ReturnPeriod.name, ReturnPeriod.due_on)
        .order_by(ReturnPeriod.due_on.desc())
        .limit(last)
    )
    rows = db.session.execute(stmt).all()
    return [
        PeriodCompliance(name, sent, round(float(average)) if average is not None else None)
        for name, _due, sent, average in reversed(rows)
    ]


def agency_returns(agency_id: int) -> list[AgencyRow]:
    """The agency's return in each period that asks it for one, newest first (one query)."""
    agency = db.session.get(Agency, agency_id)
    rows = []
    for period, ret in db.session.execute(
        select(ReturnPeriod, Return)
        .outerjoin(Return, and_(Return.period_id == ReturnPeriod.id, Return.agency_id == agency_id))
        .order_by(ReturnPeriod.due_on.desc())
    ):
        if agency is None or not period.applies_to(agency):
            continue
        rows.append(
            PeriodRow(agency, ret, display_status(ret.status if ret else None, period.due_on), period)
        )
    return rows


@dataclass
class PeriodRow(AgencyRow):
    period: ReturnPeriod | None = None
