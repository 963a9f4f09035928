"""Each person's notifications (nobody sees anyone else's), and their email choices."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.forms import ButtonForm
from app.htmx import render
from app.notifications import bp
from app.notifications.kinds import KINDS
from app.notifications.models import EmailChoice, Notification
from app.notifications.services import mark_all_read, mark_read, mine, save_email_choices, unread_count
from app.pagination import paginate
from app.permissions import signed_in


@bp.get("/")
@signed_in
def list_notifications():
    return render("notifications/list_notifications.html", block="results", page=paginate(mine(current_user)))


@bp.get("/count")
@signed_in
def show_count():
    """The header's badge: htmx asks on page load and every minute (no query on the page itself)."""
    return render("notifications/count.html", unread=unread_count(current_user))


@bp.post("/<int:notification_id>/read")
@signed_in
def read_notification(notification_id: int):
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.recipient_id != current_user.id:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    mark_read(notification, user=current_user)
    db.session.commit()
    return redirect(notification.link or url_for("notifications.list_notifications"), 303)


@bp.post("/read-all")
@signed_in
def read_all():
    if not ButtonForm().validate_on_submit():
        abort(400)
    mark_all_read(current_user)
    db.session.commit()
    flash("Every notification is marked as read.", "success")
    return redirect(url_for("notifications.list_notifications"), 303)


@bp.route("/email", methods=["GET", "POST"])
@signed_in
def email_choices():
    form = ButtonForm()
    chosen = dict(
        db.session.execute(
            select(EmailChoice.kind, EmailChoice.by_email).where(EmailChoice.user_id == current_user.id)
        ).all()
    )
    kinds = sorted(KINDS.values(), key=lambda k: (not k.required, k.label))
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        save_email_choices(current_user, {k.name: request.form.get(k.name) == "email" for k in kinds})
        db.session.commit()
        flash("Your email choices are saved.", "success")
        return redirect(url_for("notifications.email_choices"), 303)
    return render(
        "notifications/email_choices.html",
        kinds=kinds,
        by_email={k.name: chosen.get(k.name, k.email_by_default) or k.required for k in kinds},
    )
