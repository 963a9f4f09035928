"""Agencies and users. Rows edit in place with htmx; without JavaScript each edit is a page."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app.admin import bp
from app.admin.forms import AgencyForm, EditUserForm, InviteUserForm, NewAgencyForm
from app.admin.permissions import MANAGE_AGENCIES, MANAGE_USERS
from app.admin.services import (
    create_agency,
    invite_user,
    resend_invitation,
    set_agency_active,
    set_user_active,
    update_agency,
    update_user,
)
from app.auth.fresh import fresh_sign_in
from app.auth.models import AGENCY_KIND_LABELS, ROLE_LABELS, Agency, User, awaiting_password
from app.auth.options import every_agency_option_tags
from app.errors import on_failure
from app.extensions import db
from app.forms import ButtonForm, posted
from app.htmx import fragment_response, render, wants_fragment
from app.mail import mail_configured
from app.pagination import int_arg, like_pattern, paginate
from app.permissions import get_or_404, requires
from app.submissions import already_saved, first_use, record_result

STATUS_FILTERS = {"active": True, "inactive": False}


@bp.get("/")
@requires(MANAGE_USERS)
def index():
    counts = {
        "agencies": db.session.scalar(select(func.count(Agency.id)).where(Agency.active.is_(True))),
        "users": db.session.scalar(select(func.count(User.id)).where(User.active.is_(True))),
        "invited": db.session.scalar(select(func.count(User.id)).where(awaiting_password())),
    }
    return render("admin/index.html", counts=counts)


# --- Agencies -------------------------------------------------------------------------------


@bp.get("/agencies")
@requires(MANAGE_AGENCIES)
def list_agencies():
    q = request.args.get("q", "").strip()[:100]
    show = request.args.get("status", "active")
    stmt = select(Agency).order_by(Agency.name)
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(
            or_(Agency.name.ilike(pattern, escape="\\"), Agency.district.ilike(pattern, escape="\\"))
        )
    if show in STATUS_FILTERS:
        stmt = stmt.where(Agency.active.is_(STATUS_FILTERS[show]))
    page = paginate(stmt)
    return render(
        "admin/agencies.html",
        block="results",
        page=page,
        q=q,
        show=show,
        kinds=AGENCY_KIND_LABELS,
    )


@bp.route("/agencies/new", methods=["GET", "POST"])
@requires(MANAGE_AGENCIES)
def create_agency_page():
    form = NewAgencyForm(formdata=posted())
    if not form.validate_on_submit():
        return render(
            "admin/agency_form.html",
            form=form,
            agency=None,
            conflict=False,
            status=422 if form.errors else 200,
        )
    earlier = first_use(form, current_user)
    if earlier:
        return already_saved(earlier, url_for("admin.list_agencies"))
    agency = create_agency(
        name=form.name.data, kind=form.kind.data, district=form.district.data, actor=current_user
    )
    record_result(form, url_for("admin.list_agencies"))
    db.session.commit()
    flash(f"{agency.name} has been added.", "success")
    return redirect(url_for("admin.list_agencies"), 303)


@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@requires(MANAGE_AGENCIES)
def edit_agency(agency_id: int):
    agency = get_or_404(Agency, agency_id)
    in_row = wants_fragment()
    # In a row, field names carry the row's prefix, so two open rows never share an id.
    form = AgencyForm(
        formdata=posted(), obj=agency, agency=agency, prefix=f"agency-{agency.id}" if in_row else ""
    )
    answer = partial(_agency_form_answer, agency, form, in_row)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    on_failure(answer, form, field="name")
    update_agency(
        agency,
        name=form.name.data,
        kind=form.kind.data,
        district=form.district.data,
        actor=current_user,
        loaded_version=form.loaded_version(),
    )
    db.session.commit()
    if in_row:
        return _agency_row(agency, message=f"{agency.name} has been saved.")
    flash(f"{agency.name} has been saved.", "success")
    return redirect(url_for("admin.list_agencies"), 303)


def _agency_form_answer(agency: Agency, form, in_row: bool, *, status: int = 200, conflict: bool = False):
    if in_row:
        return _agency_row(agency, form=form, status=status, conflict=conflict)
    return render("admin/agency_form.html", form=form, agency=agency, conflict=conflict, status=status)


@bp.get("/agencies/<int:agency_id>/row")
@requires(MANAGE_AGENCIES)
def show_agency_row(agency_id: int):
    return _agency_row(get_or_404(Agency, agency_id))


@bp.post("/agencies/<int:agency_id>/archive")
@requires(MANAGE_AGENCIES)
def archive_agency(agency_id: int):
    return _set_agency_active(agency_id, False)


@bp.post("/agencies/<int:agency_id>/restore")
@requires(MANAGE_AGENCIES)
def restore_agency(agency_id: int):
    return _set_agency_active(agency_id, True)


def _set_agency_active(agency_id: int, active: bool):
    agency = get_or_404(Agency, agency_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    on_failure(partial(_row_or_list, _agency_row, agency, list_agencies))
    set_agency_active(agency, active, actor=current_user)
    db.session.commit()
    message = f"{agency.name} has been {'restored' if active else 'archived'}."
    return _row_or_redirect(_agency_row, agency, "admin.list_agencies", message)


def _agency_row(
    agency: Agency, *, form: AgencyForm | None = None, status: int = 200, message=None, conflict=False
):
    body = render_template(
        "admin/_agency_row.html", agency=agency, form=form, message=message, conflict=conflict
    )
    return fragment_response(body, status)


# --- Users ----------------------------------------------------------------------------------


@bp.get("/users")
@requires(MANAGE_USERS)
def list_users():
    q = request.args.get("q", "").strip()[:100]
    show = request.args.get("status", "active")
    role = request.args.get("role", "")
    agency_id = int_arg("agency")
    stmt = select(User).options(joinedload(User.agency)).order_by(User.full_name)
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(
            or_(User.full_name.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\"))
        )
    if show in STATUS_FILTERS:
        stmt = stmt.where(User.active.is_(STATUS_FILTERS[show]))
    if role in ROLE_LABELS:
        stmt = stmt.where(User.role == role)
    if agency_id:
        stmt = stmt.where(User.agency_id == agency_id)
    page = paginate(stmt)
    return render(
        "admin/users.html",
        block="results",
        page=page,
        q=q,
        show=show,
        role=role,
        agency_id=agency_id,
        roles=ROLE_LABELS,
        agency_options=every_agency_option_tags,
    )


@bp.route("/users/new", methods=["GET", "POST"])
@requires(MANAGE_USERS)
def invite_user_page():
    form = InviteUserForm(formdata=posted())
    if not form.validate_on_submit():
        return render("admin/user_invite.html", form=form, status=422 if form.errors else 200)
    earlier = first_use(form, current_user)
    if earlier:
        return already_saved(earlier, url_for("admin.list_users"), "That invitation was already sent.")
    user, link = invite_user(
        email=form.email.data,
        full_name=form.full_name.data,
        agency_id=int(form.agency_id.data),
        role=form.role.data,
        invited_by=current_user._get_current_object(),
    )
    record_result(form, url_for("admin.list_users", q=user.email))
    db.session.commit()
    return _invitation_sent(user, link)


def _invitation_sent(user: User, link: str):
    return render(
        "admin/invitation_sent.html",
        invited=user,
        link=link if not mail_configured() else None,
    )


@bp.post("/users/<int:user_id>/invitation")
@requires(MANAGE_USERS)
def resend_invitation_page(user_id: int):
    user = get_or_404(User, user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    on_failure(partial(_row_or_list, _user_row, user, list_users))
    link = resend_invitation(user, invited_by=current_user._get_current_object())
    db.session.commit()
    return _invitation_sent(user, link)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@requires(MANAGE_USERS)
@fresh_sign_in
def edit_user(user_id: int):
    user = get_or_404(User, user_id)
    in_row = wants_fragment()
    form = EditUserForm(formdata=posted(), obj=user, user=user, prefix=f"user-{user.id}" if in_row else "")
    if request.method == "GET":
        form.agency_id.data = str(user.agency_id)
    answer = partial(_user_form_answer, user, form, in_row)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    on_failure(answer, form, field="role")
    update_user(
        user,
        full_name=form.full_name.data,
        agency_id=int(form.agency_id.data),
        role=form.role.data,
        actor=current_user._get_current_object(),
        loaded_version=form.loaded_version(),
    )
    db.session.commit()
    if in_row:
        return _user_row(user, message=f"{user.full_name} has been saved.")
    flash(f"{user.full_name} has been saved.", "success")
    return redirect(url_for("admin.list_users"), 303)


def _user_form_answer(user: User, form, in_row: bool, *, status: int = 200, conflict: bool = False):
    if in_row:
        return _user_row(user, form=form, status=status, conflict=conflict)
    return render("admin/user_edit.html", form=form, user=user, conflict=conflict, status=status)


@bp.get("/users/<int:user_id>/row")
@requires(MANAGE_USERS)
def show_user_row(user_id: int):
    return _user_row(get_or_404(User, user_id))


@bp.post("/users/<int:user_id>/deactivate")
@requires(MANAGE_USERS)
def deactivate_user(user_id: int):
    return _set_user_active(user_id, False)


@bp.post("/users/<int:user_id>/reactivate")
@requires(MANAGE_USERS)
def reactivate_user(user_id: int):
    return _set_user_active(user_id, True)


def _set_user_active(user_id: int, active: bool):
    user = get_or_404(User, user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    on_failure(partial(_row_or_list, _user_row, user, list_users))
    set_user_active(user, active, actor=current_user._get_current_object())
    db.session.commit()
    message = f"{user.full_name} has been {'reactivated' if active else 'deactivated'}."
    return _row_or_redirect(_user_row, user, "admin.list_users", message)


def _user_row(
    user: User, *, form: EditUserForm | None = None, status: int = 200, message=None, conflict=False
):
    body = render_template("admin/_user_row.html", user=user, form=form, message=message, conflict=conflict)
    return fragment_response(body, status)


# --- Shared ---------------------------------------------------------------------------------


def _row_or_redirect(row_view, obj, list_endpoint: str, message: str):
    """Row buttons: htmx swaps the row with the outcome; a plain form goes back to the list."""
    if wants_fragment():
        return row_view(obj, message=message)
    flash(message, "success")
    return redirect(url_for(list_endpoint), 303)


def _row_or_list(row_view, obj, list_view, *, status: int, conflict: bool = False):
    """A row button refused by a rule: htmx gets the row with the reason (from the flashed message),
    a plain form the list page with it in the banner."""
    if wants_fragment():
        return row_view(obj, status=status, conflict=conflict)
    response = list_view()
    response.status_code = status
    return response
