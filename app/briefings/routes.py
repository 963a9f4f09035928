"""/briefings/: the briefings meant for you, publishing one, and who has read each."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from app.briefings import bp, permissions
from app.briefings.forms import BriefingForm
from app.briefings.models import Briefing
from app.briefings.services import (
    mark_read,
    publish_briefing,
    read_counts,
    reads_by_agency,
    visible_briefings,
)
from app.errors import on_failure
from app.extensions import db
from app.forms import ButtonForm, posted
from app.htmx import render
from app.pagination import paginate
from app.permissions import requires
from app.submissions import already_saved, first_use, record_result


@bp.get("/")
@requires(permissions.READ)
def list_briefings():
    page = paginate(visible_briefings(current_user))
    counts = read_counts([b.id for b in page.items]) if permissions.SEE_READS.allows(current_user) else {}
    return render("briefings/list.html", block="results", page=page, counts=counts)


def _form_page(form, *, status: int = 200, **_):
    return render("briefings/form.html", form=form, status=status)


@bp.route("/new", methods=["GET", "POST"])
@requires(permissions.PUBLISH)
def publish_briefing_page():
    form = BriefingForm(formdata=posted())
    answer = partial(_form_page, form)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    earlier = first_use(form, current_user)
    if earlier is not None:
        return already_saved(earlier, url_for("briefings.list_briefings"))
    on_failure(answer, form, field="body")
    briefing = publish_briefing(
        user=current_user,
        title=form.title.data,
        body=form.body.data,
        roles=form.roles.data or [],
        kinds=form.kinds.data or [],
    )
    url = url_for("briefings.show_briefing", briefing_id=briefing.id)
    record_result(form, url)
    db.session.commit()
    flash("The briefing has been published.", "success")
    return redirect(url, 303)


def _briefing_or_404(briefing_id: int) -> Briefing:
    briefing = db.session.scalar(visible_briefings(current_user).where(Briefing.id == briefing_id))
    if briefing is None:
        abort(404)
    return briefing


def _briefing_page(briefing, *, status: int = 200, **_):
    reads = reads_by_agency(briefing) if permissions.SEE_READS.allows(current_user) else []
    return render("briefings/show.html", briefing=briefing, reads=reads, status=status)


@bp.get("/<int:briefing_id>")
@requires(permissions.READ)
def show_briefing(briefing_id: int):
    return _briefing_page(_briefing_or_404(briefing_id))


@bp.post("/<int:briefing_id>/read")
@requires(permissions.READ)
def read_briefing(briefing_id: int):
    briefing = _briefing_or_404(briefing_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    on_failure(partial(_briefing_page, briefing))
    mark_read(briefing, user=current_user)
    db.session.commit()
    flash("Marked as read.", "success")
    return redirect(url_for("home.index"), 303)
