"""Agencies and users. Rows edit in place with htmx; without JavaScript each edit is a page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app.admin import bp
from app.admin.forms import AgencyForm, EditUserForm, InviteUserForm
from app.admin.services import (
    AdminRuleBroken,
    create_agency,
    invite_user,
    resend_invitation,
    set_agency_active,
    set_user_active,
    update_agency,
    update_user,
)
from app.auth.models import AGENCY_KIND_LABELS, ROLE_LABELS, Agency, User
from app.extensions import db
from app.forms import ButtonForm
from app.htmx import fragment_response, render, wants_fragment
from app.mail import mail_configured
from app.pagination import int_arg, like_pattern, paginate
from app.permissions import admin_only, get_or_404

STATUS_FILTERS = {"active": True, "inactive": False}


@bp.get("/")
@admin_only
def index():
    counts = {
        "agencies": db.session.scalar(select(func.count(Agency.id)).where(Agency.active.is_(True))),
        "users": db.session.scalar(select(func.count(User.id)).where(User.active.is_(True))),
        "invited": db.session.scalar(
            select(func.count(User.id)).where(User.password_hash.is_(None), User.active.is_(True))
        ),
    }
    return render("admin/index.html", counts=counts)


# --- Agencies -------------------------------------------------------------------------------


@bp.get("/agencies")
@admin_only
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
        button_form=ButtonForm(),
    )


@bp.route("/agencies/new", methods=["GET", "POST"])
@admin_only
def create_agency_page():
    form = AgencyForm()
    if form.validate_on_submit():
        agency = create_agency(name=form.name.data, kind=form.kind.data, district=form.district.data)
        db.session.commit()
        flash(f"{agency.name} has been added.", "success")
        return redirect(url_for("admin.list_agencies"), 303)
    return render("admin/agency_form.html", form=form, agency=None, status=422 if form.errors else 200)


@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_agency(agency_id: int):
    agency = get_or_404(Agency, agency_id)
    # In a row, field names carry the row's prefix, so two open rows never share an id.
    form = AgencyForm(obj=agency, agency=agency, prefix=row_prefix("agency", agency.id))
    if form.validate_on_submit():
        update_agency(agency, name=form.name.data, kind=form.kind.data, district=form.district.data)
        db.session.commit()
        if wants_fragment():
            return _agency_row(agency, message=f"{agency.name} has been saved.")
        flash(f"{agency.name} has been saved.", "success")
        return redirect(url_for("admin.list_agencies"), 303)
    status = 422 if form.errors else 200
    if wants_fragment():
        return _agency_row(agency, form=form, status=status)
    return render("admin/agency_form.html", form=form, agency=agency, status=status)


@bp.get("/agencies/<int:agency_id>/row")
@admin_only
def show_agency_row(agency_id: int):
    return _agency_row(get_or_404(Agency, agency_id))


@bp.post("/agencies/<int:agency_id>/archive")
@admin_only
def archive_agency(agency_id: int):
    return _set_agency_active(agency_id, False)


@bp.post("/agencies/<int:agency_id>/restore")
@admin_only
def restore_agency(agency_id: int):
    return _set_agency_active(agency_id, True)


def _set_agency_active(agency_id: int, active: bool):
    agency = get_or_404(Agency, agency_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        set_agency_active(agency, active)
    except AdminRuleBroken as broken:
        db.session.rollback()
        return _row_or_redirect(_agency_row, agency, "admin.list_agencies", error=str(broken))
    db.session.commit()
    message = f"{agency.name} has been {'restored' if active else 'archived'}."
    return _row_or_redirect(_agency_row, agency, "admin.list_agencies", message=message)


def _agency_row(
    agency: Agency, *, form: AgencyForm | None = None, status: int = 200, message=None, error=None
):
    body = render_template(
        "admin/_agency_row.html",
        agency=agency,
        form=form,
        message=message,
        error=error,
        button_form=ButtonForm(),
    )
    return fragment_response(body, status)


# --- Users ----------------------------------------------------------------------------------


@bp.get("/users")
@admin_only
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
    agencies = db.session.scalars(select(Agency).order_by(Agency.name)).all()
    return render(
        "admin/users.html",
        block="results",
        page=page,
        q=q,
        show=show,
        role=role,
        agency_id=agency_id,
        roles=ROLE_LABELS,
        agencies=agencies,
        button_form=ButtonForm(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@admin_only
def invite_user_page():
    form = InviteUserForm()
    if form.validate_on_submit():
        user, link = invite_user(
            email=form.email.data,
            full_name=form.full_name.data,
            agency_id=int(form.agency_id.data),
            role=form.role.data,
            invited_by=current_user._get_current_object(),
        )
        db.session.commit()
        return _invitation_sent(user, link)
    return render("admin/user_invite.html", form=form, status=422 if form.errors else 200)


def _invitation_sent(user: User, link: str):
    return render(
        "admin/invitation_sent.html",
        invited=user,
        link=link if not mail_configured() else None,
    )


@bp.post("/users/<int:user_id>/invitation")
@admin_only
def resend_invitation_page(user_id: int):
    user = get_or_404(User, user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        link = resend_invitation(user, invited_by=current_user._get_current_object())
    except AdminRuleBroken as broken:
        db.session.rollback()
        flash(str(broken), "error")
        return redirect(url_for("admin.list_users"), 303)
    db.session.commit()
    return _invitation_sent(user, link)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_user(user_id: int):
    user = get_or_404(User, user_id)
    form = EditUserForm(obj=user, user=user, prefix=row_prefix("user", user.id))
    if request.method == "GET":
        form.agency_id.data = str(user.agency_id)
    if form.validate_on_submit():
        try:
            update_user(
                user,
                full_name=form.full_name.data,
                agency_id=int(form.agency_id.data),
                role=form.role.data,
                actor=current_user._get_current_object(),
            )
        except AdminRuleBroken as broken:
            db.session.rollback()
            form.role.errors.append(str(broken))
        else:
            db.session.commit()
            if wants_fragment():
                return _user_row(user, message=f"{user.full_name} has been saved.")
            flash(f"{user.full_name} has been saved.", "success")
            return redirect(url_for("admin.list_users"), 303)
    status = 422 if form.errors else 200
    if wants_fragment():
        return _user_row(user, form=form, status=status)
    return render("admin/user_edit.html", form=form, user=user, status=status)


@bp.get("/users/<int:user_id>/row")
@admin_only
def show_user_row(user_id: int):
    return _user_row(get_or_404(User, user_id))


@bp.post("/users/<int:user_id>/deactivate")
@admin_only
def deactivate_user(user_id: int):
    return _set_user_active(user_id, False)


@bp.post("/users/<int:user_id>/reactivate")
@admin_only
def reactivate_user(user_id: int):
    return _set_user_active(user_id, True)


def _set_user_active(user_id: int, active: bool):
    user = get_or_404(User, user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        set_user_active(user, active, actor=current_user._get_current_object())
    except AdminRuleBroken as broken:
        db.session.rollback()
        return _row_or_redirect(_user_row, user, "admin.list_users", error=str(broken))
    db.session.commit()
    message = f"{user.full_name} has been {'reactivated' if active else 'deactivated'}."
    return _row_or_redirect(_user_row, user, "admin.list_users", message=message)


def _user_row(user: User, *, form: EditUserForm | None = None, status: int = 200, message=None, error=None):
    body = render_template(
        "admin/_user_row.html",
        user=user,
        form=form,
        message=message,
        error=error,
        button_form=ButtonForm(),
    )
    return fragment_response(body, status)


# --- Shared ---------------------------------------------------------------------------------


def row_prefix(kind: str, ident: int) -> str:
    """Form field prefix for a row edited in place; the full-page form (no JavaScript) has none."""
    return f"{kind}-{ident}" if wants_fragment() else ""


def _row_or_redirect(row_view, obj, list_endpoint: str, *, message=None, error=None):
    """Row buttons: htmx swaps the row with the outcome; a plain form goes back to the list."""
    if wants_fragment():
        return row_view(obj, message=message, error=error, status=409 if error else 200)
    flash(error or message, "error" if error else "success")
    return redirect(url_for(list_endpoint), 303)
