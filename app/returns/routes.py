"""Safer-recruitment returns: the agency's own list and the partnership view, one return's form or
read-only page, review, print, CSV export, counting from the SCR, and period management.

Each view reads as the steps of its request: load what the user may see (scoped in the query:
another agency's return is 404), build the form, on a valid post call the service (which checks
the rules and audits), commit, answer. Failures are answered by app.errors from `on_failure`.
"""

from __future__ import annotations

import io
from functools import lru_cache, partial

from flask import Response, abort, flash, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app.auth.fresh import fresh_sign_in
from app.auth.models import AGENCY_KIND_LABELS
from app.dates import today
from app.errors import RuleBroken, on_failure
from app.extensions import db
from app.forms import ButtonForm, posted
from app.htmx import render, wants_fragment
from app.pagination import bounded_int, page_arg, paginate
from app.permissions import AnyReaderOfRole, get_or_404, requires
from app.report_cache import remember_html
from app.returns import bp, permissions
from app.returns.export import returns_csv
from app.returns.forms import (
    ScrUploadForm,
    page_forms,
    period_form,
    posted_counts,
    return_form,
    scr_apply_form,
)
from app.returns.listing import (
    STATUS_ORDER,
    Filters,
    chosen_period,
    export_rows,
    own_returns_page,
    partnership_page,
    periods_newest_first,
    periods_to_start,
)
from app.returns.models import (
    RATING_LABELS,
    STATUS_LABELS,
    STATUS_TAGS,
    Return,
    ReturnPeriod,
    ReturnStatus,
    ReturnTransition,
)
from app.returns.questions import sections
from app.returns.scr import COLUMNS, MAX_BYTES, count_from_scr, template_csv
from app.returns.services import (
    PeriodDetails,
    accept_return,
    apply_scr_counts,
    check_editable,
    return_for_amendment,
    save_answers,
    save_period,
    start_return,
    submit_return,
)
from app.submissions import already_saved, first_use, record_result


def _user():
    return current_user._get_current_object()


@bp.record_once
def _words(state) -> None:
    state.app.jinja_env.globals.update(
        return_status_labels=STATUS_LABELS,
        return_status_tags=STATUS_TAGS,
        rating_labels=RATING_LABELS,
        agency_kind_labels=AGENCY_KIND_LABELS,
    )


def visible_return_or_404(return_id: int) -> Return:
    """The return if this user may read it (the scoping is in the query), else 404."""
    user = _user()
    values = {"agency_id": user.agency_id, "return_id": return_id}
    ret = db.session.scalar(_one_visible_return(user.role), values)
    if ret is None:
        abort(404)
    return ret


@lru_cache(maxsize=16)
def _one_visible_return(role: str):
    """Built once per role (visible_returns turns on the reader's role and agency, bound here)."""
    return (
        permissions.visible_returns(AnyReaderOfRole(role))
        .where(Return.id == bindparam("return_id"))
        .options(joinedload(Return.agency), joinedload(Return.period))
    )


# --- The lists ------------------------------------------------------------------------------


@bp.get("/")
@requires(permissions.SEE)
def list_returns():
    user = _user()
    if permissions.PARTNERSHIP_VIEW.allows(user):
        return _partnership_view(Filters.from_args(request.args))
    return render(
        "returns/own_returns.html",
        block="results",
        page=own_returns_page(permissions.visible_returns(user)),
        to_start=periods_to_start(user.agency) if permissions.PREPARE.held_by_role(user.role) else [],
        start_form=ButtonForm(),
    )


def _partnership_view(filters: Filters):
    periods = periods_newest_first()
    period = chosen_period(periods, filters.period)
    if period is not None:
        filters.period = period.id
    return render(
        "returns/partnership.html",
        block="results",
        periods=periods,
        period=period,
        filters=filters,
        results_html=partial(_partnership_results_html, period, filters, _user()),
        status_order=STATUS_ORDER,
    )


def _partnership_results_html(period: ReturnPeriod, filters: Filters, user) -> Markup:
    """A page of the period's agencies as HTML. Which returns a person may open turns on who they
    are, their role and agency; whether a return is overdue on the day: with the filters and the
    page, that is the key. Every change to a period, an agency or a return writes an audit event,
    so the page is kept until one."""

    def context() -> dict:
        page, rows = partnership_page(period, filters)
        return {"period": period, "filters": filters, "page": page, "rows": rows}

    shown = tuple(sorted(filters.to_args().items()))
    key = (shown, page_arg(), user.id, user.role, user.agency_id, today())
    return remember_html("returns.partnership", key, "returns/_partnership_results.html", context)


@bp.get("/export")
@requires(permissions.SEE)
@fresh_sign_in
def export_returns():
    """The period's results, one row per agency: every agency for those who see the partnership,
    else the user's own agency only."""
    user = _user()
    filters = Filters.from_args(request.args)
    period = chosen_period(periods_newest_first(), filters.period)
    only = None if permissions.PARTNERSHIP_VIEW.allows(user) else user.agency_id
    return returns_csv(period, export_rows(period, filters, only), user)


@bp.post("/start")
@requires(permissions.PREPARE)
def start_return_page():
    if not ButtonForm().validate_on_submit():
        abort(400)
    period = db.session.get(ReturnPeriod, bounded_int(request.form.get("period_id")) or 0)
    if period is None:
        abort(404)
    ret = start_return(period, _user().agency, user=_user())
    db.session.commit()
    return redirect(url_for("returns.show_return", return_id=ret.id), 303)


# --- One return -----------------------------------------------------------------------------


def _return_page(
    ret: Return, form=None, *, status: int = 200, conflict: bool = False, block=None, saved=None, **forms
):
    user = _user()
    editing = ret.is_editable and permissions.PREPARE.allows(user, ret)
    if editing and form is None:
        form = return_form(ret)
    shown = _forms_shown(ret, user)
    transitions = db.session.scalars(
        select(ReturnTransition)
        .where(ReturnTransition.return_id == ret.id)
        .options(joinedload(ReturnTransition.actor))
        .order_by(ReturnTransition.at, ReturnTransition.id)
    ).all()
    return render(
        "returns/show_return.html",
        block=block,
        status=status,
        ret=ret,
        sections=sections(ret.questions),
        transitions=transitions,
        conflict=conflict,
        saved=saved,
        **({"form": form} if editing else {}),
        shown_forms=shown,
        **page_forms(ret, wanted=shown, **forms),
    )


def _forms_shown(ret: Return, user) -> set[str]:
    """The forms the page shows this reader, by the permissions its template asks."""
    shown = {"submit_form"} if permissions.SUBMIT.allows(user, ret) else set()
    if ret.status == ReturnStatus.SUBMITTED and permissions.REVIEW.allows(user, ret):
        shown |= {"accept_form", "amend_form"}
    return shown


@bp.route("/<int:return_id>", methods=["GET", "POST"])
@requires(permissions.SEE)
def show_return(return_id: int):
    ret = visible_return_or_404(return_id)
    if request.method == "GET":
        return _return_page(ret)
    permissions.PREPARE.require(_user(), ret)
    autosave = wants_fragment()
    form = return_form(ret, posted())
    answer = partial(_return_page, ret, form, block="save_status" if autosave else None)
    if not ret.is_editable:
        on_failure(answer)  # the page shows no form: the message goes in its banner
        check_editable(ret)
    if not form.validate_on_submit():
        return answer(status=422)
    on_failure(answer, form, field="appointments")
    changed = save_answers(
        ret,
        form.answers(),
        comments=form.comments(),
        self_rating=form.self_rating.data or "",
        user=_user(),
        loaded_version=form.loaded_version(),
    )
    db.session.commit()
    if autosave:
        return answer(saved=changed)
    flash("Your draft is saved.", "success")
    return redirect(url_for("returns.show_return", return_id=ret.id), 303)


@bp.post("/<int:return_id>/submit")
@requires(permissions.SUBMIT)
def submit_return_page(return_id: int):
    ret = visible_return_or_404(return_id)
    forms = page_forms(ret, "submit_form", posted(), wanted={"submit_form"})
    form = forms["submit_form"]
    answer = partial(_return_page, ret, submit_form=form)
    if not form.validate_on_submit():
        return answer(status=422)
    result = url_for("returns.show_return", return_id=ret.id)
    earlier = first_use(form, _user())
    if earlier:
        return already_saved(earlier, result, "Your return was already submitted.")
    on_failure(answer, form, field="submit")
    submit_return(ret, user=_user(), loaded_version=form.loaded_version())
    record_result(form, result)
    db.session.commit()
    flash("Your return has been submitted to the partnership.", "success")
    return redirect(result, 303)


def _review(ret: Return, name: str):
    forms = page_forms(ret, name, posted(), wanted={name})
    form = forms[name]
    answer = partial(_return_page, ret, **{name: form})
    if not form.validate_on_submit():
        return form, answer, answer(status=422)
    result = url_for("returns.show_return", return_id=ret.id)
    earlier = first_use(form, _user())
    if earlier:
        return form, answer, already_saved(earlier, result, "That review was already recorded.")
    return form, answer, None


@bp.post("/<int:return_id>/accept")
@requires(permissions.REVIEW)
def accept_return_page(return_id: int):
    ret = visible_return_or_404(return_id)
    form, answer, early = _review(ret, "accept_form")
    if early is not None:
        return early
    on_failure(answer, form, field="moderated_rating")
    accept_return(
        ret,
        moderated_rating=form.moderated_rating.data or "",
        user=_user(),
        loaded_version=form.loaded_version(),
    )
    record_result(form, url_for("returns.show_return", return_id=ret.id))
    db.session.commit()
    flash(f"The return from {ret.agency.name} is accepted.", "success")
    return redirect(url_for("returns.show_return", return_id=ret.id), 303)


@bp.post("/<int:return_id>/return")
@requires(permissions.REVIEW)
def return_for_amendment_page(return_id: int):
    ret = visible_return_or_404(return_id)
    form, answer, early = _review(ret, "amend_form")
    if early is not None:
        return early
    on_failure(answer, form, field="reason")
    return_for_amendment(
        ret,
        reason=form.reason.data,
        moderated_rating=form.moderated_rating.data or "",
        user=_user(),
        loaded_version=form.loaded_version(),
    )
    record_result(form, url_for("returns.show_return", return_id=ret.id))
    db.session.commit()
    flash(f"The return has been sent back to {ret.agency.name} with your reason.", "success")
    return redirect(url_for("returns.show_return", return_id=ret.id), 303)


@bp.get("/<int:return_id>/print")
@requires(permissions.SEE)
def print_return(return_id: int):
    ret = visible_return_or_404(return_id)
    transitions = db.session.scalars(
        select(ReturnTransition)
        .where(ReturnTransition.return_id == ret.id)
        .options(joinedload(ReturnTransition.actor))
        .order_by(ReturnTransition.at, ReturnTransition.id)
    ).all()
    return render(
        "returns/print_return.html", ret=ret, sections=sections(ret.questions), transitions=transitions
    )


# --- Counting from the single central record -----------------------------------------------


@bp.get("/scr-template")
@requires(permissions.PREPARE)
def download_scr_template():
    return Response(
        template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="scr-export-template.csv"'},
    )


def _editable_for_user(return_id: int) -> Return:
    ret = visible_return_or_404(return_id)
    permissions.PREPARE.require(_user(), ret)
    if not ret.is_editable:
        abort(404)
    return ret


def _scr_page(ret: Return, form, *, status: int = 200, conflict: bool = False, result=None, apply_form=None):
    return render(
        "returns/scr_import.html",
        status=status,
        ret=ret,
        form=form,
        result=result,
        apply_form=apply_form,
        columns=COLUMNS,
        conflict=conflict,
        max_megabytes=MAX_BYTES // (1024 * 1024),
    )


# Bodies up to this size are read for the SCR upload (the app's limit elsewhere is 2 MB); a file of
# MAX_BYTES or more is answered with a message (422), a body larger than this with 413.
UPLOAD_BODY_LIMIT = 50 * 1024 * 1024


class _CappedMemoryFile(io.BytesIO):
    """An uploaded file kept in memory (never a temporary file on disk) up to MAX_BYTES; beyond
    that only its size is counted, so a file too large is refused without holding it."""

    def __init__(self):
        super().__init__()
        self.size = 0

    def write(self, data) -> int:
        self.size += len(data)
        if self.size <= MAX_BYTES:
            return super().write(data)
        return len(data)


@bp.url_value_preprocessor
def _allow_scr_upload(endpoint, values) -> None:
    """Runs before the app reads the form (its CSRF and input checks), so the SCR upload is read
    with its own limit, into memory."""
    if endpoint == "returns.import_from_scr" and request.method == "POST":
        request.max_content_length = UPLOAD_BODY_LIMIT
        request._get_file_stream = lambda *args, **kwargs: _CappedMemoryFile()


@bp.route("/<int:return_id>/scr-import", methods=["GET", "POST"])
@requires(permissions.PREPARE)
def import_from_scr(return_id: int):
    ret = _editable_for_user(return_id)
    form = ScrUploadForm(formdata=request.files if request.method == "POST" else None)
    if request.method == "GET":
        return _scr_page(ret, form)
    on_failure(partial(_scr_page, ret, form), form, field="file")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise RuleBroken("Choose your SCR export, saved as a CSV file")
    if getattr(upload.stream, "size", 0) >= MAX_BYTES:
        raise RuleBroken("The file is 10 MB or larger. Upload only the staff who started in this period.")
    if not upload.filename.lower().endswith(".csv"):
        raise RuleBroken(
            "The file must be a CSV file. Save your SCR as CSV (comma separated values) and upload that."
        )
    result = count_from_scr(upload.stream.getvalue(), ret.period.covers_from, ret.period.covers_to)
    upload.stream.close()
    return _scr_page(ret, form, result=result, apply_form=scr_apply_form(ret, result.counts))


@bp.post("/<int:return_id>/scr-import/apply")
@requires(permissions.PREPARE)
def apply_scr_counts_page(return_id: int):
    ret = _editable_for_user(return_id)
    form = scr_apply_form(ret, formdata=posted())
    if not form.validate_on_submit():
        abort(400)
    on_failure(partial(_return_page, ret, None))
    apply_scr_counts(ret, posted_counts(form), user=_user(), loaded_version=form.loaded_version())
    db.session.commit()
    flash("The counts from your SCR are in your draft. Check them, then save or submit.", "success")
    return redirect(url_for("returns.show_return", return_id=ret.id), 303)


# --- Periods -------------------------------------------------------------------------------


@bp.get("/periods/")
@requires(permissions.MANAGE_PERIODS)
def list_periods():
    return render(
        "returns/periods.html", page=paginate(select(ReturnPeriod).order_by(ReturnPeriod.due_on.desc()))
    )


def _period_page(form, period: ReturnPeriod | None, *, status: int = 200, conflict: bool = False):
    return render("returns/period_form.html", form=form, period=period, status=status, conflict=conflict)


def _period_details(form) -> PeriodDetails:
    return PeriodDetails(
        name=form.name.data,
        covers_from=form.covers_from.data,
        covers_to=form.covers_to.data,
        opens_on=form.opens_on.data,
        due_on=form.due_on.data,
        agency_kinds=[k for k in (form.agency_kinds.data or []) if k in AGENCY_KIND_LABELS],
        closed=bool(form.closed.data),
    )


@bp.route("/periods/new", methods=["GET", "POST"])
@requires(permissions.MANAGE_PERIODS)
def create_period_page():
    form = period_form(formdata=posted())
    answer = partial(_period_page, form, None)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    earlier = first_use(form, _user())
    if earlier:
        return already_saved(earlier, url_for("returns.list_periods"))
    on_failure(answer, form, field="name")
    save_period(None, _period_details(form), user=_user())
    record_result(form, url_for("returns.list_periods"))
    db.session.commit()
    flash("The period has been saved.", "success")
    return redirect(url_for("returns.list_periods"), 303)


@bp.route("/periods/<int:period_id>/edit", methods=["GET", "POST"])
@requires(permissions.MANAGE_PERIODS)
def edit_period_page(period_id: int):
    period = get_or_404(ReturnPeriod, period_id)
    form = period_form(period, formdata=posted())
    answer = partial(_period_page, form, period)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    on_failure(answer, form, field="name")
    save_period(period, _period_details(form), user=_user(), loaded_version=form.loaded_version())
    db.session.commit()
    flash("The period has been saved.", "success")
    return redirect(url_for("returns.list_periods"), 303)
