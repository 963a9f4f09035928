"""The improvement programme: its projects, how far each has got, and who leads it."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from app.actions.models import RAG_DEFINITIONS, Action
from app.actions.services import open_challenge_counts, visible_actions
from app.auth.models import Agency, Role
from app.db_types import utcnow
from app.extensions import db
from app.htmx import render
from app.pagination import paginate
from app.permissions import get_or_404, requires_role, signed_in
from app.programme import bp
from app.programme.forms import ProjectForm
from app.programme.models import Project
from app.programme.services import (
    ROLLUP_RULES,
    ProjectDetails,
    current_programme,
    programme_progress,
    project_progress,
    save_project,
)

MANAGERS = (Role.PROGRAMME_MANAGER, Role.ADMIN)


@bp.get("/")
@signed_in
def show_programme():
    programme = current_programme()
    if programme is None:
        return render("programme/no_programme.html")
    projects = db.session.scalars(
        select(Project)
        .where(Project.programme_id == programme.id)
        .options(joinedload(Project.lead_agency))
        .order_by(Project.number)
    ).all()
    by_project = project_progress(utcnow().date())
    return render(
        "programme/show_programme.html",
        programme=programme,
        projects=projects,
        progress=by_project,
        overall=programme_progress(by_project, len(projects)),
        rules=ROLLUP_RULES,
        rag_definitions=RAG_DEFINITIONS,
    )


@bp.get("/projects/<int:project_id>")
@signed_in
def show_project(project_id: int):
    from flask_login import current_user

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
        progress=project_progress(utcnow().date()).get(project.id),
        challenge_counts=open_challenge_counts([a.id for a in page.items]),
        rules=ROLLUP_RULES,
        today=utcnow().date(),
    )


def _project_form(project: Project | None = None) -> ProjectForm:
    form = ProjectForm(obj=project, project=project) if project else ProjectForm(project=None)
    if request.method == "GET" and project is not None:
        form.lead_agency_id.data = str(project.lead_agency_id or "")
    agencies = db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name))
    form.lead_agency_id.choices = [SelectChoice("", "Choose an agency")] + [
        SelectChoice(str(a.id), a.name) for a in agencies
    ]
    return form


def _details(form: ProjectForm) -> ProjectDetails:
    return ProjectDetails(
        number=form.number.data,
        title=form.title.data,
        aim=form.aim.data or "",
        lead_name=form.lead_name.data,
        lead_agency_id=int(form.lead_agency_id.data) if form.lead_agency_id.data else None,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
    )


@bp.route("/projects/new", methods=["GET", "POST"])
@requires_role(*MANAGERS)
def create_project_page():
    programme = current_programme()
    if programme is None:
        abort(404)
    form = _project_form()
    if form.validate_on_submit():
        project = save_project(None, _details(form), programme=programme)
        db.session.commit()
        flash(f"Project {project.code} has been added.", "success")
        return redirect(url_for("programme.show_project", project_id=project.id), 303)
    return render("programme/project_form.html", form=form, project=None, status=422 if form.errors else 200)


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@requires_role(*MANAGERS)
def edit_project_page(project_id: int):
    project = get_or_404(Project, project_id)
    form = _project_form(project)
    if form.validate_on_submit():
        save_project(project, _details(form), programme=project.programme)
        db.session.commit()
        flash(f"Project {project.code} has been saved.", "success")
        return redirect(url_for("programme.show_project", project_id=project.id), 303)
    return render(
        "programme/project_form.html", form=form, project=project, status=422 if form.errors else 200
    )
