"""The partnership's actions: a filterable list, inline progress updates, review and challenge."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from app.actions import bp
from app.actions.filters import SORTS, ActionFilters
from app.actions.forms import (
    RAG_HINTS,
    AcceptForm,
    ActionForm,
    ChallengeForm,
    CloseForm,
    ProgressUpdateForm,
    ResponseForm,
    ReturnForm,
)
from app.actions.models import (
    RAG_DEFINITIONS,
    RAG_LABELS,
    STATUS_LABELS,
    Action,
    Challenge,
    ProgressUpdate,
    Review,
)
from app.actions.services import (
    ActionConflict,
    ActionDetails,
    ActionRuleBroken,
    accept_action,
    can_challenge,
    can_manage,
    can_update,
    close_action,
    close_challenge,
    create_action,
    edit_action,
    open_challenge_counts,
    post_update,
    propose_action,
    raise_challenge,
    respond_to_challenge,
    return_action,
    visible_actions,
)
from app.auth.models import Agency, Role
from app.db_types import utcnow
from app.extensions import db
from app.forms import ButtonForm, submitted_lock_version
from app.htmx import fragment_response, render, wants_fragment
from app.pagination import paginate
from app.permissions import requires_role, signed_in
from app.programme.models import Project

UPDATERS = (Role.PARTNER, Role.AGENCY_LEAD, Role.PROGRAMME_MANAGER, Role.ADMIN)
MANAGERS = (Role.PROGRAMME_MANAGER, Role.ADMIN)
CHALLENGERS = (Role.TRUST_MEMBER, Role.PROGRAMME_MANAGER)


def today() -> date:
    return utcnow().date()


def _user():
    return current_user._get_current_object()


def get_visible_action_or_404(action_id: int) -> Action:
    """The action if this user may see it (agency scoping is in visible_actions), else 404."""
    action = db.session.scalar(
        visible_actions(_user())
        .where(Action.id == action_id)
        .options(
            joinedload(Action.owner_agency), joinedload(Action.project), selectinload(Action.contributors)
        )
    )
    if action is None:
        abort(404)
    return action


def get_updatable_action(action_id: int) -> Action:
    action = get_visible_action_or_404(action_id)
    if not can_update(_user(), action):
        abort(403)
    return action


# --- The list ---------------------------------------------------------------------------------


def _filtered_actions(filters: ActionFilters):
    stmt = visible_actions(_user()).options(
        joinedload(Action.owner_agency), joinedload(Action.project), selectinload(Action.contributors)
    )
    return filters.apply(stmt, today())


@bp.get("/")
@signed_in
def list_actions():
    filters = ActionFilters.from_args(request.args)
    page = paginate(_filtered_actions(filters))
    return render(
        "actions/list_actions.html",
        block="results",
        page=page,
        filters=filters,
        challenge_counts=open_challenge_counts([a.id for a in page.items]),
        agencies=db.session.scalars(
            select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)
        ).all(),
        projects=db.session.scalars(select(Project).order_by(Project.number)).all(),
        **_labels(),
    )


def _labels() -> dict:
    return {
        "rag_labels": RAG_LABELS,
        "rag_definitions": RAG_DEFINITIONS,
        "status_labels": STATUS_LABELS,
        "sorts": SORTS,
        "today": today(),
        "can_update": lambda action: can_update(_user(), action),
    }


CSV_HEADER = [
    "Reference",
    "Action",
    "Project",
    "Owner agency",
    "Named owner",
    "Contributing agencies",
    "Start date",
    "Due date",
    "% complete",
    "Status",
    "RAG",
    "Overdue",
    "Source",
    "Last update",
    "Review",
]


def _csv_cell(value) -> str:
    """Spreadsheet-safe: a cell starting with = + - @ would run as a formula in Excel."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/export")
@signed_in
def export_actions():
    filters = ActionFilters.from_args(request.args)
    stmt = _filtered_actions(filters).execution_options(yield_per=500)
    now = today()

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_HEADER)
        for action in db.session.scalars(stmt):
            writer.writerow(
                _csv_cell(v)
                for v in (
                    action.reference,
                    action.title,
                    f"{action.project.code} {action.project.title}" if action.project else "",
                    action.owner_agency.name,
                    action.owner_name,
                    "; ".join(a.name for a in action.contributors),
                    action.start_date,
                    action.due_date,
                    action.percent_complete,
                    action.status_label,
                    action.rag_label,
                    "Yes" if action.is_overdue(now) else "No",
                    action.source_label,
                    action.last_update_at.date() if action.last_update_at else "",
                    action.review,
                )
            )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
        if buffer.getvalue():
            yield buffer.getvalue()

    filename = f"partnership-actions-{now.isoformat()}.csv"
    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- One action -------------------------------------------------------------------------------


@bp.get("/<int:action_id>")
@signed_in
def show_action(action_id: int):
    return _action_page(get_visible_action_or_404(action_id))


def _action_page(action: Action, *, status: int = 200, block: str | None = None, **forms):
    user = _user()
    history = db.session.scalars(
        select(ProgressUpdate)
        .where(ProgressUpdate.action_id == action.id)
        .options(joinedload(ProgressUpdate.created_by))
        .order_by(ProgressUpdate.created_at.desc(), ProgressUpdate.id.desc())
    ).all()
    challenges = db.session.scalars(
        select(Challenge)
        .where(Challenge.action_id == action.id)
        .options(joinedload(Challenge.raised_by), joinedload(Challenge.responded_by))
        .order_by(Challenge.raised_at)
    ).all()
    may_update = can_update(user, action) and action.review == Review.ACCEPTED and action.status != "closed"
    context = {
        "action": action,
        "history": history,
        "challenges": challenges,
        "may_update": may_update,
        "may_challenge": can_challenge(user) and action.review == Review.ACCEPTED,
        "may_respond": can_update(user, action),
        "may_manage": can_manage(user),
        "update_form": forms.get("update_form")
        or (ProgressUpdateForm(formdata=None, data=_update_defaults(action)) if may_update else None),
        "challenge_form": forms.get("challenge_form") or ChallengeForm(formdata=None),
        "response_form": forms.get("response_form") or ResponseForm(formdata=None),
        "response_for": forms.get("response_for"),
        "accept_form": forms.get("accept_form") or _accept_form(action, formdata=None),
        "return_form": forms.get("return_form")
        or ReturnForm(formdata=None, data={"lock_version": action.lock_version}),
        "close_form": forms.get("close_form")
        or CloseForm(formdata=None, data={"lock_version": action.lock_version}),
        "conflict": forms.get("conflict", False),
        "message": forms.get("message"),
        "rag_hints": RAG_HINTS,
        **_labels(),
    }
    return render("actions/show_action.html", block=block, status=status, **context)


def _update_defaults(action: Action) -> dict:
    return {
        "lock_version": action.lock_version,
        "rag": action.rag,
        "percent_complete": action.percent_complete,
        "status": action.status if action.status != "closed" else "complete",
    }


def _accept_form(action: Action, formdata=None) -> AcceptForm:
    form = AcceptForm(formdata=formdata, data={"lock_version": action.lock_version})
    form.project_id.choices = _project_choices()
    return form


def _project_choices() -> list[SelectChoice]:
    projects = db.session.scalars(select(Project).order_by(Project.number))
    return [SelectChoice("", "Choose a project")] + [
        SelectChoice(str(p.id), f"{p.code} {p.title}") for p in projects
    ]


# --- Progress updates (inline with htmx, or a page without JavaScript) -----------------------


@bp.route("/<int:action_id>/update", methods=["GET", "POST"])
@requires_role(*UPDATERS)
def post_update_page(action_id: int):
    action = get_updatable_action(action_id)
    prefix = _row_prefix(action)
    if request.method == "GET":
        form = ProgressUpdateForm(formdata=None, data=_update_defaults(action), prefix=prefix)
        return _update_response(action, form)
    form = ProgressUpdateForm(current_rag=action.rag, prefix=prefix)
    if not form.validate_on_submit():
        return _update_response(action, form, status=422)
    try:
        result = post_update(
            action,
            user=_user(),
            note=form.note.data,
            rag=form.rag.data,
            rag_reason=form.rag_reason.data or "",
            percent=form.percent_complete.data,
            status=form.status.data,
            token=form.submission_token.data or "",
            loaded_lock_version=submitted_lock_version(form),
        )
    except ActionConflict:
        db.session.rollback()
        return _update_response(action, form, status=409, conflict=True)
    except ActionRuleBroken as broken:
        db.session.rollback()
        form.note.errors.append(str(broken))
        return _update_response(action, form, status=422)
    db.session.commit()
    message = (
        "Your update was already saved." if result.duplicate else f"Update posted on {action.reference}."
    )
    if wants_fragment():
        db.session.refresh(action)
        return _row(action, message=message)
    flash(message, "success")
    return redirect(url_for("actions.show_action", action_id=action.id), 303)


def _row_prefix(action: Action) -> str:
    """In a row of the list, the form's field names (so ids) carry the row's prefix: the filters
    above the table also have "rag" and "status", and another row may be open too. The update
    page without JavaScript has no prefix."""
    return f"action-{action.id}" if wants_fragment() else ""


def _update_response(action: Action, form: ProgressUpdateForm, *, status: int = 200, conflict: bool = False):
    if wants_fragment():
        return _row(action, form=form, status=status, conflict=conflict)
    return render(
        "actions/update_action.html",
        action=action,
        form=form,
        conflict=conflict,
        status=status,
        rag_hints=RAG_HINTS,
        **_labels(),
    )


@bp.get("/<int:action_id>/row")
@signed_in
def show_action_row(action_id: int):
    return _row(get_visible_action_or_404(action_id))


def _row(action: Action, *, form=None, status: int = 200, message=None, conflict=False):
    body = render_template(
        "actions/_action_row.html",
        action=action,
        form=form,
        message=message,
        conflict=conflict,
        challenge_count=open_challenge_counts([action.id]).get(action.id, 0),
        rag_hints=RAG_HINTS,
        **_labels(),
    )
    return fragment_response(body, status)


# --- Creating, editing and reviewing ---------------------------------------------------------


def _action_form(action: Action | None = None, formdata=None) -> ActionForm:
    user = _user()
    data = None
    if action is not None:
        data = {
            "lock_version": action.lock_version,
            "title": action.title,
            "description": action.description,
            "project_id": str(action.project_id or ""),
            "owner_agency_id": str(action.owner_agency_id),
            "owner_name": action.owner_name,
            "contributor_ids": [str(a.id) for a in action.contributors],
            "start_date": action.start_date,
            "due_date": action.due_date,
            "source": action.source,
            "weight": action.weight,
            "evidence": action.evidence,
        }
    form = ActionForm(formdata=formdata, data=data) if formdata is not None or data else ActionForm()
    agencies = db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)).all()
    form.owner_agency_id.choices = [SelectChoice("", "Choose an agency")] + [
        SelectChoice(str(a.id), a.name) for a in agencies
    ]
    form.contributor_ids.choices = [SelectChoice(str(a.id), a.name) for a in agencies]
    form.project_id.choices = _project_choices()
    if not can_manage(user):
        # Partner staff propose actions for their own agency; the programme manager files them.
        form.owner_agency_id.data = str(user.agency_id)
        form.owner_agency_id.choices = [SelectChoice(str(user.agency_id), user.agency.name)]
    return form


def _details(form: ActionForm) -> ActionDetails:
    return ActionDetails(
        title=form.title.data,
        description=form.description.data or "",
        owner_agency_id=int(form.owner_agency_id.data),
        owner_name=form.owner_name.data,
        start_date=form.start_date.data,
        due_date=form.due_date.data,
        source=form.source.data,
        contributor_ids=[int(i) for i in form.contributor_ids.data or []],
        weight=form.weight.data or 1,
        evidence=form.evidence.data or "",
    )


@bp.route("/new", methods=["GET", "POST"])
@requires_role(*UPDATERS)
def create_action_page():
    user = _user()
    form = _action_form(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        if can_manage(user):
            project = db.session.get(Project, int(form.project_id.data)) if form.project_id.data else None
            if project is None:
                form.project_id.errors.append("Choose the project this action belongs to")
                return render("actions/action_form.html", form=form, action=None, status=422)
            action = create_action(_details(form), project=project, user=user)
            message = f"Action {action.reference} has been created."
        else:
            action = propose_action(_details(form), user=user)
            message = "Your action has been sent to the programme manager, who will add it to a project."
        db.session.commit()
        flash(message, "success")
        return redirect(url_for("actions.show_action", action_id=action.id), 303)
    return render("actions/action_form.html", form=form, action=None, status=422 if form.errors else 200)


@bp.route("/<int:action_id>/edit", methods=["GET", "POST"])
@requires_role(*MANAGERS)
def edit_action_page(action_id: int):
    action = get_visible_action_or_404(action_id)
    form = _action_form(action, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        project = db.session.get(Project, int(form.project_id.data)) if form.project_id.data else None
        try:
            edit_action(
                action, _details(form), project=project, loaded_lock_version=submitted_lock_version(form)
            )
        except ActionConflict:
            db.session.rollback()
            return render("actions/action_form.html", form=form, action=action, conflict=True, status=409)
        db.session.commit()
        flash(f"{action.reference or action.title} has been saved.", "success")
        return redirect(url_for("actions.show_action", action_id=action.id), 303)
    return render("actions/action_form.html", form=form, action=action, status=422 if form.errors else 200)


@bp.post("/<int:action_id>/accept")
@requires_role(*MANAGERS)
def accept_action_page(action_id: int):
    action = get_visible_action_or_404(action_id)
    form = _accept_form(action, formdata=request.form)
    if not form.validate_on_submit():
        return _action_page(action, accept_form=form, status=422)
    try:
        accept_action(
            action,
            project=db.session.get(Project, int(form.project_id.data)),
            loaded_lock_version=submitted_lock_version(form),
        )
    except (ActionConflict, ActionRuleBroken) as problem:
        db.session.rollback()
        form.project_id.errors.append(str(problem) or "Someone else changed this action. Reload the page.")
        return _action_page(action, accept_form=form, status=409)
    db.session.commit()
    flash(f"Accepted as {action.reference}.", "success")
    return redirect(url_for("actions.show_action", action_id=action.id), 303)


@bp.post("/<int:action_id>/return")
@requires_role(*MANAGERS)
def return_action_page(action_id: int):
    action = get_visible_action_or_404(action_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _action_page(action, return_form=form, status=422)
    try:
        return_action(action, reason=form.reason.data, loaded_lock_version=submitted_lock_version(form))
    except (ActionConflict, ActionRuleBroken) as problem:
        db.session.rollback()
        form.reason.errors.append(str(problem) or "Someone else changed this action. Reload the page.")
        return _action_page(action, return_form=form, status=409)
    db.session.commit()
    flash("The action has been returned to the agency with your reason.", "success")
    return redirect(url_for("actions.show_action", action_id=action.id), 303)


@bp.post("/<int:action_id>/close")
@requires_role(*MANAGERS)
def close_action_page(action_id: int):
    action = get_visible_action_or_404(action_id)
    form = CloseForm()
    if not form.validate_on_submit():
        return _action_page(action, close_form=form, status=422)
    try:
        close_action(
            action,
            reason=form.reason.data,
            user=_user(),
            loaded_lock_version=submitted_lock_version(form),
            token=form.submission_token.data or "",
        )
    except (ActionConflict, ActionRuleBroken) as problem:
        db.session.rollback()
        form.reason.errors.append(str(problem) or "Someone else changed this action. Reload the page.")
        return _action_page(action, close_form=form, status=409)
    db.session.commit()
    flash(f"{action.reference} has been closed.", "success")
    return redirect(url_for("actions.show_action", action_id=action.id), 303)


# --- Challenges -------------------------------------------------------------------------------


def _after_challenge_change(action: Action, message: str):
    db.session.commit()
    if wants_fragment():
        return _action_page(action, block="challenges", message=message)
    flash(message, "success")
    return redirect(url_for("actions.show_action", action_id=action.id, _anchor="challenges"), 303)


@bp.post("/<int:action_id>/challenges")
@requires_role(*CHALLENGERS)
def raise_challenge_page(action_id: int):
    action = get_visible_action_or_404(action_id)
    form = ChallengeForm()
    if not form.validate_on_submit():
        return _action_page(
            action, challenge_form=form, status=422, block="challenges" if wants_fragment() else None
        )
    try:
        raise_challenge(action, user=_user(), text=form.text.data)
    except ActionRuleBroken as broken:
        db.session.rollback()
        form.text.errors.append(str(broken))
        return _action_page(
            action, challenge_form=form, status=409, block="challenges" if wants_fragment() else None
        )
    return _after_challenge_change(action, "Your challenge has been sent to the owner agency.")


def _challenge_or_404(action: Action, challenge_id: int) -> Challenge:
    challenge = db.session.get(Challenge, challenge_id)
    if challenge is None or challenge.action_id != action.id:
        abort(404)
    return challenge


@bp.post("/<int:action_id>/challenges/<int:challenge_id>/response")
@requires_role(*UPDATERS)
def respond_to_challenge_page(action_id: int, challenge_id: int):
    action = get_updatable_action(action_id)
    challenge = _challenge_or_404(action, challenge_id)
    form = ResponseForm()
    if not form.validate_on_submit():
        return _action_page(
            action,
            response_form=form,
            response_for=challenge.id,
            status=422,
            block="challenges" if wants_fragment() else None,
        )
    try:
        respond_to_challenge(challenge, user=_user(), text=form.text.data)
    except ActionRuleBroken as broken:
        db.session.rollback()
        form.text.errors.append(str(broken))
        return _action_page(
            action,
            response_form=form,
            response_for=challenge.id,
            status=409,
            block="challenges" if wants_fragment() else None,
        )
    return _after_challenge_change(action, "Your response has been recorded.")


@bp.post("/<int:action_id>/challenges/<int:challenge_id>/close")
@requires_role(Role.TRUST_MEMBER, Role.PROGRAMME_MANAGER, Role.ADMIN)
def close_challenge_page(action_id: int, challenge_id: int):
    action = get_visible_action_or_404(action_id)
    challenge = _challenge_or_404(action, challenge_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        close_challenge(challenge, user=_user())
    except PermissionError:
        abort(403)
    return _after_challenge_change(action, "The challenge has been closed.")
