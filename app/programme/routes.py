"""The improvement programme: its projects, how far each has got, and who leads it."""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.actions.models import Action, Project
from app.actions.permissions import visible_actions
from app.actions.services import open_challenge_counts
from app.dates import today
from app.errors import on_failure
from app.extensions import db
from app.forms import posted
from app.htmx import render
from app.pagination import paginate
from app.permissions import get_or_404, requires, signed_in
from app.programme import bp
from app.programme.forms import details_from_form, project_form
from app.programme.permissions import MANAGE_PROJECTS
from app.programme.services import (
    ROLLUP_RULES,
    current_programme,
    programme_progress,
    project_progress,
    save_project,
)
from app.report_cache import remember, rendered
from app.submissions import already_saved, first_use, record_result


@bp.get("/")
@signed_in
def show_programme():
    # Kept until the next audit event (every change to a project or an action writes one). It
    # differs only by the day (what is overdue) and whether the reader may add projects. "No
    # programme yet" is never kept: the demo's programme is loaded without an audit event.
    key = (today(), MANAGE_PROJECTS.allows(current_user))
    page = remember("programme.page", key, _programme_page, keep_none=False)
    if page is None:
        return render("programme/no_programme.html")
    return render("programme/show_programme.html", programme_name=page.title, programme_html=page.html)


class KeptPage(NamedTuple):
    title: str
    html: Markup


def _programme_page() -> KeptPage | None:
    """The programme, its projects and their roll-up over every action, as HTML."""
    programme = current_programme()
    if programme is None:
        return None
    projects = db.session.scalars(
        select(Project)
        .where(Project.programme_id == programme.id)
        .options(joinedload(Project.lead_agency))
        .order_by(Project.number)
    ).all()
    by_project = _roll_up()
    context = {
        "programme": programme,
        "projects": projects,
        "progress": by_project,
        "overall": programme_progress(by_project, len(projects)),
        "rules": ROLLUP_RULES,
    }
    return KeptPage(programme.name, rendered("programme/_programme.html", context))


def _roll_up() -> dict:
    """Each project's progress, RAG and overdue count over every action: kept for the day until
    the next audit event, for the programme page and each project's page alike."""
    return remember("programme.progress", today(), project_progress)


@bp.get("/projects/<int:project_id>")
@signed_in
def show_project(project_id: int):
    project = db.session.scalar(
        select(Project).where(Project.id == project_id).options(joinedload(Project.lead_agency))
    )
    if project is None:
        abort(404)
    stmt = (
        visible_actions(current_user)
        .where(Action.project_id == project.id)
        .options(joinedload(Action.owner_agency))
        .order_by(Action.reference)
    )
    page = paginate(stmt)
    return render(
        "programme/show_project.html",
        project=project,
        page=page,
        progress=_roll_up().get(project.id),
        challenge_counts=open_challenge_counts([a.id for a in page.items]),
        rules=ROLLUP_RULES,
    )


def _project_form_page(form, project: Project | None, *, status: int = 200, conflict: bool = False):
    return render("programme/project_form.html", form=form, project=project, conflict=conflict, status=status)


@bp.route("/projects/new", methods=["GET", "POST"])
@requires(MANAGE_PROJECTS)
def create_project_page():
    programme = current_programme()
    if programme is None:
        abort(404)
    form = project_form(formdata=posted())
    answer = partial(_project_form_page, form, None)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    earlier = first_use(form, current_user)
    if earlier:
        return already_saved(earlier, url_for("programme.show_programme"))
    on_failure(answer, form, field="number")
    project = save_project(None, details_from_form(form), programme=programme, user=current_user)
    result = url_for("programme.show_project", project_id=project.id)
    record_result(form, result)
    db.session.commit()
    flash(f"Project {project.code} has been added.", "success")
    return redirect(result, 303)


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@requires(MANAGE_PROJECTS)
def edit_project_page(project_id: int):
    project = get_or_404(Project, project_id)
    form = project_form(project, formdata=posted())
    answer = partial(_project_form_page, form, project)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    on_failure(answer, form, field="number")
    save_project(
        project,
        details_from_form(form),
        programme=project.programme,
        user=current_user,
        loaded_version=form.loaded_version(),
    )
    db.session.commit()
    flash(f"Project {project.code} has been saved.", "success")
    return redirect(url_for("programme.show_project", project_id=project.id), 303)
