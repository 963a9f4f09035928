"""The numbers on the dashboard and in the board report: one function builds them, from each
module's own query functions (this package reads no other feature's tables), so the page and the
PDF always agree."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field, fields
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.actions.models import Programme, Project
from app.actions.reporting import (
    Exception_,
    Month,
    ProjectActivity,
    exception_count,
    exception_ids,
    exceptions,
    monthly_progress,
    owners_matching,
    project_activity,
)
from app.auth.models import AGENCY_KIND_LABELS, Agency
from app.dates import local_now, today
from app.extensions import db
from app.pagination import bounded_int
from app.programme.services import Progress, current_programme, programme_progress, project_progress
from app.report_cache import remember
from app.thresholds.services import AcknowledgementCount, acknowledgement_counts


@dataclass
class Filters:
    agency: int | None = None
    kind: str = ""

    @classmethod
    def from_args(cls, args) -> Filters:
        kind = args.get("kind", "")
        return cls(agency=bounded_int(args.get("agency")), kind=kind if kind in AGENCY_KIND_LABELS else "")

    def to_args(self) -> dict:
        defaults = Filters()
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) != getattr(defaults, f.name)
        }

    @property
    def any_set(self) -> bool:
        return bool(self.to_args())

    def owners(self):
        return owners_matching(self.agency, self.kind)

    def action_args(self) -> dict:
        """The same filter on the actions list, for drill-downs."""
        return {"agency": self.agency} if self.agency else {}


@dataclass
class ProjectRow:
    project: Project
    progress: Progress | None
    activity: ProjectActivity


@dataclass
class Dashboard:
    filters: Filters
    agency: Agency | None
    programme: Programme | None
    overall: Progress
    projects: list[ProjectRow]
    months: list[Month]
    exceptions: list[Exception_]  # the worst first, as many as asked for
    exception_count: int
    acknowledgements: list[AcknowledgementCount]
    participation: object | None  # app.participation.services.FeedbackSummary, once the module is in
    participation_since: date | None
    returns: object | None  # the safer-recruitment returns' summary, once that module is in
    generated_at: datetime = field(default_factory=local_now)

    @property
    def partnership_wide(self) -> bool:
        return not self.filters.any_set


def quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _module(name: str):
    """A feature's module if the feature is installed (FEATURES), else None: the dashboard shows
    each module's section once it has landed, and says so plainly until then."""
    from app import FEATURES

    feature = name.split(".")[1]
    return importlib.import_module(name) if feature in FEATURES else None


def build_dashboard(filters: Filters, *, exceptions_listed: int = 200) -> Dashboard:
    """The numbers for `filters`; the page lists the ten worst exceptions, the CSV up to 200 and the
    report as many as its author asks (`exceptions_listed`), and each says how many there are in
    all."""
    owners = filters.owners()
    programme = current_programme()
    projects = (
        db.session.scalars(
            select(Project)
            .where(Project.programme_id == programme.id)
            .options(joinedload(Project.lead_agency))
            .order_by(Project.number)
        ).all()
        if programme
        else []
    )
    # The aggregates over every action, update and message are counted once per change of data.
    key = (filters.agency, filters.kind, today())
    by_project = remember("progress.projects", key, lambda: project_progress(owners))
    activity = remember("progress.activity", key, lambda: project_activity(owners))
    participation = _module("app.participation.services")
    since = quarter_start(today())
    returns = _module("app.returns.reporting")
    return Dashboard(
        filters=filters,
        agency=db.session.get(Agency, filters.agency) if filters.agency else None,
        programme=programme,
        overall=programme_progress(by_project, len(projects)),
        projects=[
            ProjectRow(p, by_project.get(p.id), activity.get(p.id, ProjectActivity())) for p in projects
        ],
        months=remember("progress.months", key, lambda: monthly_progress(12, owners)),
        exceptions=exceptions(
            ids=remember(
                "progress.exceptions",
                (*key, exceptions_listed),
                lambda: exception_ids(owners, exceptions_listed),
            )
        ),
        exception_count=remember("progress.exception_count", key, lambda: exception_count(owners)),
        acknowledgements=remember("progress.acknowledgements", key, lambda: acknowledgement_counts(owners)),
        participation=remember("progress.feedback", since, lambda: participation.feedback_summary(since))
        if participation
        else None,
        participation_since=since if participation else None,
        returns=remember("progress.returns", key, lambda: returns.returns_summary(owners))
        if returns
        else None,
    )
