"""How progress rolls up: actions → projects → the programme. Shown on screen as ROLLUP_RULES."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, case, func, select

from app.actions.models import RAG_BY_SEVERITY, Action, Programme, Project, Rag, Review
from app.audit import record
from app.auth.models import User
from app.extensions import db
from app.locking import claim
from app.programme.permissions import MANAGE_PROJECTS

ROLLUP_RULES = [
    "A project's % complete is the average of its actions' % complete, weighted by each action's "
    "weight (most actions weigh 1; the programme manager gives bigger actions more).",
    "A project's RAG is the worst RAG of its open actions: one red action makes the project red, "
    "because red means it needs escalation.",
    "The programme's % complete is the weighted average over every action in every project.",
    "The programme is red when a quarter or more of its projects are red, amber when any project "
    "is red or amber, and green otherwise.",
]


@dataclass
class Progress:
    actions: int = 0
    percent: int | None = None
    rag: str | None = None
    overdue: int = 0
    red: int = 0
    weighted_sum: int = 0
    weight_sum: int = 0


def project_progress(owners: Select | None = None) -> dict[int, Progress]:
    """Every project's roll-up in one query, however many actions there are. `owners` (a select
    of agency ids, app.actions.reporting.owners_matching) counts only those agencies' actions."""
    unfinished = ~Action.is_finished
    rows = db.session.execute(
        select(
            Action.project_id,
            func.count(Action.id),
            func.sum(Action.weight * Action.percent_complete),
            func.sum(Action.weight),
            func.max(case((unfinished, Action.rag_severity), else_=None)),
            func.sum(case((Action.is_overdue, 1), else_=0)),
            func.sum(case((unfinished & (Action.rag == Rag.RED), 1), else_=0)),
        )
        .where(
            Action.review == Review.ACCEPTED,
            Action.project_id.is_not(None),
            *([] if owners is None else [Action.owner_agency_id.in_(owners)]),
        )
        .group_by(Action.project_id)
    ).all()
    return {
        project_id: Progress(
            actions=count,
            percent=round(weighted / weights) if weights else None,
            rag=RAG_BY_SEVERITY[severity] if severity is not None else Rag.GREEN,
            overdue=overdue or 0,
            red=red or 0,
            weighted_sum=weighted or 0,
            weight_sum=weights or 0,
        )
        for project_id, count, weighted, weights, severity, overdue, red in rows
    }


def programme_progress(by_project: dict[int, Progress], project_count: int) -> Progress:
    total_weighted = sum(p.weighted_sum for p in by_project.values())
    total_weight = sum(p.weight_sum for p in by_project.values())
    rags = [p.rag for p in by_project.values() if p.actions]
    red_projects = rags.count(Rag.RED)
    if red_projects and red_projects * 4 >= project_count:
        rag = Rag.RED
    elif red_projects or Rag.AMBER in rags:
        rag = Rag.AMBER
    else:
        rag = Rag.GREEN if rags else None
    return Progress(
        actions=sum(p.actions for p in by_project.values()),
        percent=round(total_weighted / total_weight) if total_weight else None,
        rag=rag,
        overdue=sum(p.overdue for p in by_project.values()),
        red=red_projects,
    )


def current_programme() -> Programme | None:
    return db.session.scalar(select(Programme).order_by(Programme.id.desc()).limit(1))


@dataclass
class ProjectDetails:
    number: int
    title: str
    aim: str
    lead_name: str
    lead_agency_id: int | None
    start_date: date | None
    end_date: date | None


def save_project(
    project: Project | None,
    details: ProjectDetails,
    *,
    programme: Programme,
    user: User,
    loaded_version: int | None = None,
) -> Project:
    """Add a project (project=None) or edit one loaded at `loaded_version`. Project numbers are
    unique in a programme: the form says so, and the database makes sure under parallel requests."""
    MANAGE_PROJECTS.require(user)
    created = project is None
    if project is None:
        project = Project(programme_id=programme.id)
        db.session.add(project)
    else:
        claim(project, loaded_version)
    before = None if created else project.audit_view()
    for key, value in details.__dict__.items():
        setattr(project, key, value)
    db.session.flush()
    record(
        "project.create" if created else "project.edit",
        project,
        before=before,
        after=project.audit_view(),
        summary=f"{'Created' if created else 'Edited'} project {project.code} {project.title}",
    )
    return project
