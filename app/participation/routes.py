"""Have your say (public, for young people) and the participation leads' pages (/feedback/)."""

from __future__ import annotations

from functools import partial

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.errors import keeps_words, on_failure
from app.extensions import db, limiter
from app.forms import ButtonForm, posted
from app.htmx import render
from app.pagination import page_arg
from app.participation import bp, permissions
from app.participation.forms import (
    SOMETHING_ELSE,
    ActionForm,
    PublishForm,
    ThemesForm,
    consultation_form,
    feedback_form,
    response_form,
)
from app.participation.models import Consultation, Feedback, Response
from app.participation.services import (
    ConsultationDetails,
    FeedbackDetails,
    feedback_summary,
    mark_reviewed,
    open_consultations,
    publish_response,
    receive_feedback,
    record_action,
    save_consultation,
    save_response,
    tag_themes,
    triage_page,
)
from app.permissions import get_or_404, public, requires
from app.report_cache import remember, remember_html
from app.submissions import first_use

# --- For young people: no account ------------------------------------------------------------


def _feedback_page(form, *, status: int = 200, notice: str = "", **_):
    return render("participation/give_feedback.html", form=form, notice=notice, status=status)


NOTICES = {
    "expired": "Sorry, the page was open a long time. Your words are still here. Press Send again.",
    "too_many": "You have sent a lot in a short time. Wait a minute, then press Send again. "
    "Your words are still here.",
}


def _words_again(reason: str):
    form = feedback_form(open_consultations(), formdata=request.form)
    return _feedback_page(form, notice=NOTICES[reason], status=200 if reason == "expired" else 429)


@bp.route("/have-your-say", methods=["GET", "POST"])
@keeps_words(_words_again)
@public
@limiter.limit(lambda: current_app.config["FEEDBACK_RATE_LIMIT"], methods=["POST"])
def give_feedback():
    form = feedback_form(open_consultations(), formdata=posted())
    answer = partial(_feedback_page, form)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    if form.website.data:
        # Only a robot fills in the hidden field: thank it, keep nothing.
        return redirect(url_for("participation.thanks"), 303)
    if first_use(form) is None:
        on_failure(answer, form, field="what_is_good")
        receive_feedback(
            FeedbackDetails(
                consultation_id=None if form.about.data == SOMETHING_ELSE else int(form.about.data),
                what_is_good=form.what_is_good.data or "",
                what_should_change=form.what_should_change.data or "",
                age_band=form.age_band.data or None,
                service=form.service.data or "",
                wants_contact=bool(form.wants_contact.data),
                contact_details=form.contact_details.data or "",
            )
        )
        db.session.commit()
    return redirect(url_for("participation.thanks"), 303)


@bp.get("/have-your-say/thank-you")
@public
def thanks():
    return render("participation/thanks.html")


@bp.get("/have-your-say/get-help")
@public
def get_help():
    return render("participation/get_help.html")


@bp.get("/have-your-say/you-said-we-did")
@public
def you_said_we_did():
    responses = db.session.scalars(
        select(Response)
        .where(Response.published_at.is_not(None))
        .options(joinedload(Response.action))
        .order_by(Response.published_at.desc())
    ).all()
    return render("participation/you_said_we_did.html", responses=responses)


# --- For participation leads ------------------------------------------------------------------


@bp.get("/feedback/")
@requires(permissions.READ_FEEDBACK)
def triage():
    return render("participation/triage.html", block="results", results_html=partial(_queue_html, page_arg()))


def _queue_html(number: int) -> Markup:
    """A page of the queue as HTML, kept until the next audit event: every change to a message
    (and every new one: a young person's disclosure shows at once) writes one."""
    size = current_app.config["PAGE_SIZE"]

    def context() -> dict:
        return {"page": triage_page(number, size)}

    return remember_html("participation.queue", (number, size), "participation/_queue.html", context)


def _feedback_or_404(feedback_id: int) -> Feedback:
    feedback = db.session.scalar(
        select(Feedback)
        .where(Feedback.id == feedback_id)
        .options(
            selectinload(Feedback.themes), joinedload(Feedback.consultation), joinedload(Feedback.actioned_by)
        )
    )
    if feedback is None:
        abort(404)
    return feedback


def _feedback_detail(feedback: Feedback, *, status: int = 200, action_form=None, themes_form=None, **_):
    return render(
        "participation/show_feedback.html",
        feedback=feedback,
        action_form=action_form or ActionForm(formdata=None),
        themes_form=themes_form
        or ThemesForm(
            formdata=None, prefix="themes", data={"themes": ", ".join(t.name for t in feedback.themes)}
        ),
        status=status,
    )


@bp.get("/feedback/<int:feedback_id>")
@requires(permissions.READ_FEEDBACK)
def show_feedback(feedback_id: int):
    return _feedback_detail(_feedback_or_404(feedback_id))


@bp.post("/feedback/<int:feedback_id>/action")
@requires(permissions.ACT_ON_FLAGGED)
def act_on_feedback(feedback_id: int):
    feedback = _feedback_or_404(feedback_id)
    form = ActionForm()
    answer = partial(_feedback_detail, feedback, action_form=form)
    if not form.validate_on_submit():
        return answer(status=422)
    on_failure(answer, form, field="action_taken")
    record_action(feedback, user=current_user, action_taken=form.action_taken.data, note=form.note.data or "")
    db.session.commit()
    flash("What you did has been recorded. Thank you.", "success")
    return redirect(url_for("participation.show_feedback", feedback_id=feedback.id), 303)


@bp.post("/feedback/<int:feedback_id>/reviewed")
@requires(permissions.READ_FEEDBACK)
def mark_feedback_reviewed(feedback_id: int):
    feedback = _feedback_or_404(feedback_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    on_failure(partial(_feedback_detail, feedback))
    mark_reviewed(feedback, user=current_user)
    db.session.commit()
    flash("Marked as reviewed.", "success")
    return redirect(url_for("participation.triage"), 303)


@bp.post("/feedback/<int:feedback_id>/themes")
@requires(permissions.READ_FEEDBACK)
def tag_feedback(feedback_id: int):
    feedback = _feedback_or_404(feedback_id)
    form = ThemesForm(prefix="themes")  # it shares the page with the action form: its own ids
    if not form.validate_on_submit():
        return _feedback_detail(feedback, themes_form=form, status=422)
    tag_themes(feedback, user=current_user, names=(form.themes.data or "").split(","))
    db.session.commit()
    flash("Themes saved.", "success")
    return redirect(url_for("participation.show_feedback", feedback_id=feedback.id), 303)


@bp.get("/feedback/summary")
@requires(permissions.SEE_SUMMARY)
def show_summary():
    # Every message and all it is tagged with is counted: kept until the next audit event (each
    # message received, triaged or tagged writes one), as the dashboard keeps its own summary.
    return render(
        "participation/summary.html", summary=remember("participation.summary", None, feedback_summary)
    )


# --- Consultations ------------------------------------------------------------------------------


@bp.get("/feedback/consultations")
@requires(permissions.MANAGE)
def list_consultations():
    consultations = db.session.scalars(select(Consultation).order_by(Consultation.opens_on.desc())).all()
    return render("participation/consultations.html", consultations=consultations)


def _consultation_page(form, consultation, *, status: int = 200, conflict: bool = False):
    return render(
        "participation/consultation_form.html",
        form=form,
        consultation=consultation,
        conflict=conflict,
        status=status,
    )


def _consultation_details(form) -> ConsultationDetails:
    return ConsultationDetails(
        title=form.title.data,
        question=form.question.data,
        description=form.description.data or "",
        audience=form.audience.data or "",
        opens_on=form.opens_on.data,
        closes_on=form.closes_on.data,
    )


@bp.route("/feedback/consultations/new", methods=["GET", "POST"])
@requires(permissions.MANAGE)
def create_consultation():
    form = consultation_form(formdata=posted())
    answer = partial(_consultation_page, form, None)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    if first_use(form, current_user) is None:
        on_failure(answer, form, field="title")
        save_consultation(None, _consultation_details(form), user=current_user)
        db.session.commit()
    flash("The consultation has been saved.", "success")
    return redirect(url_for("participation.list_consultations"), 303)


@bp.route("/feedback/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@requires(permissions.MANAGE)
def edit_consultation(consultation_id: int):
    consultation = get_or_404(Consultation, consultation_id)
    form = consultation_form(consultation, formdata=posted())
    answer = partial(_consultation_page, form, consultation)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    on_failure(answer, form, field="title")
    save_consultation(
        consultation, _consultation_details(form), user=current_user, loaded_version=form.loaded_version()
    )
    db.session.commit()
    flash("The consultation has been saved.", "success")
    return redirect(url_for("participation.list_consultations"), 303)


# --- You said, we did ----------------------------------------------------------------------


@bp.get("/feedback/responses")
@requires(permissions.MANAGE)
def list_responses():
    return _responses_page()


def _responses_page(*, status: int = 200, **_):
    responses = db.session.scalars(
        select(Response).options(joinedload(Response.action)).order_by(Response.created_at.desc())
    ).all()
    return render("participation/responses.html", responses=responses, status=status)


def _response_page(form, response, *, status: int = 200, conflict: bool = False):
    return render(
        "participation/response_form.html", form=form, response=response, conflict=conflict, status=status
    )


@bp.route("/feedback/responses/new", methods=["GET", "POST"])
@requires(permissions.MANAGE)
def create_response():
    form = response_form(formdata=posted())
    answer = partial(_response_page, form, None)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    if first_use(form, current_user) is None:
        on_failure(answer, form, field="action_reference")
        save_response(
            None,
            you_said=form.you_said.data,
            we_did=form.we_did.data,
            action_reference=form.action_reference.data or "",
            user=current_user,
        )
        db.session.commit()
    flash("Saved. Publish it when it is ready for young people to read.", "success")
    return redirect(url_for("participation.list_responses"), 303)


@bp.route("/feedback/responses/<int:response_id>/edit", methods=["GET", "POST"])
@requires(permissions.MANAGE)
def edit_response(response_id: int):
    response = get_or_404(Response, response_id)
    form = response_form(response, formdata=posted())
    answer = partial(_response_page, form, response)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    on_failure(answer, form, field="action_reference")
    save_response(
        response,
        you_said=form.you_said.data,
        we_did=form.we_did.data,
        action_reference=form.action_reference.data or "",
        user=current_user,
        loaded_version=form.loaded_version(),
    )
    db.session.commit()
    flash("Saved.", "success")
    return redirect(url_for("participation.list_responses"), 303)


@bp.post("/feedback/responses/<int:response_id>/publish")
@requires(permissions.MANAGE)
def publish_response_page(response_id: int):
    response = get_or_404(Response, response_id)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    on_failure(_responses_page)
    publish_response(response, user=current_user, loaded_version=form.loaded_version())
    db.session.commit()
    flash("Published on Have your say.", "success")
    return redirect(url_for("participation.list_responses"), 303)
