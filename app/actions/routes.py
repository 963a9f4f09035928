"""The partnership's actions: a filterable list, inline progress updates, review and challenge.

Each view reads as the steps of its request: load what the user may see, build the form, on a
valid post call the service (which checks the rules and audits), commit, answer. Failures are
answered by app.errors from what `on_failure` was given.
"""

from __future__ import annotations

from functools import lru_cache, partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from app.actions import bp, permissions
from app.actions.export import actions_csv
from app.actions.filters import ActionFilters
from app.actions.forms import (
    ResponseForm,
    accept_form,
    action_form,
    action_page_forms,
    contributor_finder,
    details_from_form,
    finding_contributors,
    page_form,
    project_options,
    update_form,
)
from app.actions.models import Action, Challenge, ProgressUpdate, Project
from app.actions.services import (
    accept_action,
    close_action,
    close_challenge,
    create_action,
    edit_action,
    likely_duplicates,
    open_challenge_counts,
    post_update,
    propose_action,
    raise_challenge,
    respond_to_challenge,
    resubmit_proposal,
    return_action,
    revise_proposal,
    withdraw_proposal,
)
from app.auth.fresh import fresh_sign_in
from app.auth.models import User
from app.auth.options import agency_option_tags
from app.dates import today
from app.errors import RuleBroken, on_failure
from app.extensions import db
from app.forms import ButtonForm, posted
from app.htmx import fragment_response, render, wants_fragment
from app.pagination import page_arg, paginate
from app.permissions import AnyReaderOfRole, requires, signed_in
from app.report_cache import remember_html
from app.submissions import already_saved, first_use, record_result


def _user():
    return current_user._get_current_object()


def _with_details(stmt):
    return _as_listed(stmt).options(selectinload(Action.contributors))


def _as_listed(stmt):
    """What a row of the list shows: its owner and project (not its contributing agencies)."""
    return stmt.options(joinedload(Action.owner_agency), joinedload(Action.project))


def visible_action_or_404(action_id: int) -> Action:
    """The action if this user may see it (the scoping is in the query), else 404."""
    user = _user()
    action = db.session.scalar(
        _one_visible_action(user.role), {"agency_id": user.agency_id, "action_id": action_id}
    )
    if action is None:
        abort(404)
    return action


@lru_cache(maxsize=16)
def _one_visible_action(role: str):
    """Built once per role (visible_actions turns on the reader's role and agency, bound here).
    With what a row of the list shows; the contributing agencies are loaded by the pages that show
    or change them (one statement either way), not for a progress update, which needs none."""
    reader = AnyReaderOfRole(role)
    return _as_listed(permissions.visible_actions(reader)).where(Action.id == bindparam("action_id"))


# --- The list ---------------------------------------------------------------------------------


@bp.get("/")
@signed_in
def list_actions():
    filters = ActionFilters.from_args(request.args)
    return render(
        "actions/list_actions.html",
        block="results",
        filters=filters,
        results_html=partial(_results_html, filters, _user()),
        # Called only by the full page's filters: an htmx request for the results never runs them.
        agency_option_tags=agency_option_tags,
        project_options=project_options,
    )


def _results_html(filters: ActionFilters, user: User) -> Markup:
    """A page of the list as HTML. Which actions a person sees, and which they may update, turn
    on who they are, their role and their agency, so with the filters and the page that is the
    key; every change to an action writes an audit event, so the page is kept until one."""

    def context() -> dict:
        page = paginate(filters.apply(_as_listed(permissions.visible_actions(user)), user), keep_count=True)
        return {
            "page": page,
            "filters": filters,
            "challenge_counts": open_challenge_counts([a.id for a in page.items]),
        }

    shown = tuple(sorted(filters.to_args().items()))
    key = (shown, page_arg(), user.id, user.role, user.agency_id, today())
    return remember_html("actions.results", key, "actions/_results.html", context)


@bp.get("/export")
@signed_in
@fresh_sign_in
def export_actions():
    filters = ActionFilters.from_args(request.args)
    return actions_csv(filters.apply(_with_details(permissions.visible_actions(_user())), _user()))


# --- One action -------------------------------------------------------------------------------


@bp.get("/<int:action_id>")
@signed_in
def show_action(action_id: int):
    return _action_page(visible_action_or_404(action_id))


def _action_page(action: Action, *, status: int = 200, block: str | None = None, message=None, **forms):
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
    return render(
        "actions/show_action.html",
        block=block,
        status=status,
        action=action,
        history=history,
        challenges=challenges,
        message=message,
        conflict=forms.pop("conflict", False),
        **action_page_forms(action, _user(), **forms),
    )


# --- Progress updates (inline with htmx, or a page without JavaScript) -----------------------


@bp.route("/<int:action_id>/update", methods=["GET", "POST"])
@requires(permissions.UPDATE)
def post_update_page(action_id: int):
    action = visible_action_or_404(action_id)
    permissions.UPDATE.require(_user(), action)
    in_row = wants_fragment()
    form = update_form(action, posted(), prefix=f"action-{action.id}" if in_row else "")
    answer = partial(_update_form_page, action, form, in_row)
    if request.method == "GET" or not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    if first_use(form, _user()):
        message = "Your update was already saved."
    else:
        on_failure(answer, form, field="note")
        post_update(
            action,
            user=_user(),
            note=form.note.data,
            rag=form.rag.data,
            rag_reason=form.rag_reason.data or "",
            percent=form.percent_complete.data,
            status=form.status.data,
            loaded_version=form.loaded_version(),
        )
        message = f"Update posted on {action.reference}."
    db.session.commit()
    if in_row:
        return _row(action, message=message)
    flash(message, "success")
    # action_id, not action.id: after the commit the action would be read again only for its id.
    return redirect(url_for("actions.show_action", action_id=action_id), 303)


def _update_form_page(action: Action, form, in_row: bool, *, status: int = 200, conflict: bool = False):
    if in_row:
        return _row(action, form=form, status=status, conflict=conflict)
    return render("actions/update_action.html", action=action, form=form, conflict=conflict, status=status)


@bp.get("/<int:action_id>/row")
@signed_in
def show_action_row(action_id: int):
    return _row(visible_action_or_404(action_id))


def _row(action: Action, *, form=None, status: int = 200, message=None, conflict=False):
    body = render_template(
        "actions/_action_row.html",
        action=action,
        form=form,
        message=message,
        conflict=conflict,
        challenges=open_challenge_counts([action.id]).get(action.id),
    )
    return fragment_response(body, status)


# --- Creating, editing and reviewing ---------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@requires(permissions.ADD)
def create_action_page():
    user = _user()
    form = action_form(user, formdata=posted())
    answer = partial(_action_form_page, form, None)
    if finding_contributors(form):
        return answer(finding=True)
    if request.method == "GET" or not form.validate():
        return answer(status=422 if form.errors else 200)
    earlier = first_use(form, user)
    if earlier:
        return already_saved(earlier, url_for("actions.list_actions"))
    details = details_from_form(form, owner_agency_id=user.agency_id)
    if not form.duplicate_checked:
        similar = likely_duplicates(
            details.title,
            owner_agency_id=details.owner_agency_id,
            project_id=int(form.project_id.data) if "project_id" in form and form.project_id.data else None,
        )
        if similar:
            db.session.rollback()  # the one-time token stays unused until the user goes ahead
            form.not_a_duplicate.data = "yes"
            return answer(similar=similar)
    on_failure(answer, form, field="project_id")
    if permissions.MANAGE.allows(user):
        project = _chosen_project(form.project_id.data)
        action = create_action(details, project=project, user=user)
        message = f"Action {action.reference} has been created."
    else:
        action = propose_action(details, user=user)
        message = "Your action has been sent to the programme manager, who will add it to a project."
    result = url_for("actions.show_action", action_id=action.id)
    record_result(form, result)
    db.session.commit()
    flash(message, "success")
    return redirect(result, 303)


def _chosen_project(project_id: str | None) -> Project:
    project = db.session.get(Project, int(project_id)) if project_id else None
    if project is None:
        raise RuleBroken("Choose the project this action belongs to", field="project_id")
    return project


def _action_form_page(
    form, action: Action | None, *, status: int = 200, conflict: bool = False, similar=(), finding=False
):
    """The form; sent to find contributing agencies, it is shown again as typed (nothing saved,
    nothing checked), and htmx gets only the agencies found."""
    return render(
        "actions/action_form.html",
        "contributors" if finding else None,
        form=form,
        action=action,
        conflict=conflict,
        status=status,
        similar=similar,
        finder=contributor_finder(form),
        finding=finding,
    )


@bp.route("/<int:action_id>/edit", methods=["GET", "POST"])
@requires(permissions.MANAGE)
def edit_action_page(action_id: int):
    action = visible_action_or_404(action_id)
    form = action_form(_user(), action, formdata=posted())
    answer = partial(_action_form_page, form, action)
    if finding_contributors(form):
        return answer(finding=True)
    if request.method == "GET" or not form.validate():
        return answer(status=422 if form.errors else 200)
    on_failure(answer, form, field="title")
    project = db.session.get(Project, int(form.project_id.data)) if form.project_id.data else None
    edit_action(
        action,
        details_from_form(form),
        project=project,
        user=_user(),
        loaded_version=form.loaded_version(),
    )
    db.session.commit()
    flash(f"{action.reference or action.title} has been saved.", "success")
    return redirect(url_for("actions.show_action", action_id=action.id), 303)


@bp.post("/<int:action_id>/accept")
@requires(permissions.MANAGE)
def accept_action_page(action_id: int):
    action = visible_action_or_404(action_id)
    form = accept_form(action, posted())
    answer = partial(_action_page, action, accept_form=form)
    if not form.validate_on_submit():
        return answer(status=422)
    on_failure(answer, form, field="project_id")
    accept_action(
        action,
        project=_chosen_project(form.project_id.data),
        user=_user(),
        loaded_version=form.loaded_version(),
    )
    db.session.commit()
    flash(f"Accepted as {action.reference}.", "success")
    return redirect(url_for("actions.show_action", action_id=action.id), 303)


@bp.post("/<int:action_id>/return")
@requires(permissions.MANAGE)
def return_action_page(action_id: int):
    action = visible_action_or_404(action_id)
    form = page_form("return_form", action, posted())
    answer = partial(_action_page, action, return_form=form)
    if not form.validate_on_submit():
        return answer(status=422)
    on_failure(answer, form, field="reason")
    return_action(action, reason=form.reason.data, user=_user(), loaded_version=form.loaded_version())
    db.session.commit()
    flash("The action has been returned to the agency with your reason.", "success")
    return redirect(url_for("actions.show_action", action_id=action.id), 303)


# --- The agency's own proposals: edit, send again, withdraw -----------------------------------


@bp.route("/<int:action_id>/revise", methods=["GET", "POST"])
@requires(permissions.REVISE_PROPOSAL)
def revise_proposal_page(action_id: int):
    action = visible_action_or_404(action_id)
    permissions.REVISE_PROPOSAL.require(_user(), action)
    if not action.is_open_proposal:
        abort(404)
    form = action_form(_user(), action, formdata=posted())
    answer = partial(_action_form_page, form, action)
    if finding_contributors(form):
        return answer(finding=True)
    if request.method == "GET" or not form.validate():
        return answer(status=422 if form.errors else 200)
    on_failure(answer, form, field="title")
    returned = action.review == "returned"
    revise_proposal(
        action,
        details_from_form(form, owner_agency_id=action.owner_agency_id),
        user=_user(),
        loaded_version=form.loaded_version(),
    )
    db.session.commit()
    flash(
        "Your proposal has been sent to the programme manager again."
        if returned
        else "Your changes are saved.",
        "success",
    )
    return redirect(url_for("actions.show_action", action_id=action.id), 303)


@bp.post("/<int:action_id>/resubmit")
@requires(permissions.REVISE_PROPOSAL)
def resubmit_proposal_page(action_id: int):
    action = visible_action_or_404(action_id)
    form = page_form("resubmit_form", action, posted())
    if not form.validate_on_submit():
        abort(400)
    on_failure(partial(_action_page, action, resubmit_form=form))
    resubmit_proposal(action, user=_user(), loaded_version=form.loaded_version())
    db.session.commit()
    flash("Your proposal has been sent to the programme manager again.", "success")
    return redirect(url_for("actions.show_action", action_id=action.id), 303)


@bp.post("/<int:action_id>/withdraw")
@requires(permissions.WITHDRAW_PROPOSAL)
def withdraw_proposal_page(action_id: int):
    action = visible_action_or_404(action_id)
    form = page_form("withdraw_form", action, posted())
    if not form.validate_on_submit():
        abort(400)
    on_failure(partial(_action_page, action, withdraw_form=form))
    withdraw_proposal(action, user=_user(), loaded_version=form.loaded_version())
    db.session.commit()
    flash("Your proposal has been withdrawn.", "success")
    return redirect(url_for("actions.show_action", action_id=action.id), 303)


@bp.post("/<int:action_id>/close")
@requires(permissions.MANAGE)
def close_action_page(action_id: int):
    action = visible_action_or_404(action_id)
    form = page_form("close_form", action, posted())
    answer = partial(_action_page, action, close_form=form)
    if not form.validate_on_submit():
        return answer(status=422)
    earlier = first_use(form, _user())
    if earlier:
        return already_saved(earlier, url_for("actions.show_action", action_id=action.id))
    on_failure(answer, form, field="reason")
    close_action(action, reason=form.reason.data, user=_user(), loaded_version=form.loaded_version())
    db.session.commit()
    flash(f"{action.reference} has been closed.", "success")
    return redirect(url_for("actions.show_action", action_id=action.id), 303)


# --- Challenges -------------------------------------------------------------------------------


def _challenges_answer(action: Action, *, status: int = 200, **forms):
    """The challenges part of the action's page: the fragment for htmx, else the whole page."""
    block = "challenges" if wants_fragment() else None
    return _action_page(action, status=status, block=block, **forms)


def _after_challenge_change(action: Action, message: str):
    db.session.commit()
    if wants_fragment():
        return _action_page(action, block="challenges", message=message)
    flash(message, "success")
    return redirect(url_for("actions.show_action", action_id=action.id, _anchor="challenges"), 303)


@bp.post("/<int:action_id>/challenges")
@requires(permissions.CHALLENGE)
def raise_challenge_page(action_id: int):
    action = visible_action_or_404(action_id)
    form = page_form("challenge_form", action, posted())
    answer = partial(_challenges_answer, action, challenge_form=form)
    if not form.validate_on_submit():
        return answer(status=422)
    if first_use(form, _user()):
        return _after_challenge_change(action, "Your challenge was already sent.")
    on_failure(answer, form, field="text")
    raise_challenge(action, user=_user(), text=form.text.data)
    return _after_challenge_change(action, "Your challenge has been sent to the owner agency.")


def _challenge_or_404(action: Action, challenge_id: int) -> Challenge:
    challenge = db.session.get(Challenge, challenge_id)
    if challenge is None or challenge.action_id != action.id:
        abort(404)
    return challenge


@bp.post("/<int:action_id>/challenges/<int:challenge_id>/response")
@requires(permissions.RESPOND)
def respond_to_challenge_page(action_id: int, challenge_id: int):
    action = visible_action_or_404(action_id)
    challenge = _challenge_or_404(action, challenge_id)
    form = ResponseForm()
    answer = partial(_challenges_answer, action, response_form=form, response_for=challenge.id)
    if not form.validate_on_submit():
        return answer(status=422)
    on_failure(answer, form, field="text")
    respond_to_challenge(challenge, user=_user(), text=form.text.data)
    return _after_challenge_change(action, "Your response has been recorded.")


@bp.post("/<int:action_id>/challenges/<int:challenge_id>/close")
@requires(permissions.CLOSE_CHALLENGE)
def close_challenge_page(action_id: int, challenge_id: int):
    action = visible_action_or_404(action_id)
    challenge = _challenge_or_404(action, challenge_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    close_challenge(challenge, user=_user())
    return _after_challenge_change(action, "The challenge has been closed.")
