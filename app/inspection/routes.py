"""Inspection readiness: /inspection/ (overview), the framework, the self-assessment, the
evidence library and checklist, and the inspectors' schedule."""

from __future__ import annotations

import io
from datetime import date
from functools import partial

from flask import abort, flash, make_response, redirect, request, send_file, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.auth.fresh import fresh_sign_in
from app.auth.options import agency_choices
from app.dates import today
from app.errors import on_failure
from app.extensions import db
from app.forms import new_token, posted
from app.htmx import render
from app.inspection import bp, permissions
from app.inspection.evidence import (
    MAX_UPLOAD_BYTES,
    EvidenceDetails,
    add_evidence,
    evidence_file,
    evidence_pack,
    save_checklist_item,
    visible_items,
)
from app.inspection.forms import (
    ActivityForm,
    AgencyInputForm,
    AreaForm,
    ChecklistForm,
    ConsolidateForm,
    EvidenceForm,
    FrameworkForm,
    ImportForm,
    LinkActionForm,
    NewActivityForm,
    NewAreaForm,
    NewChecklistForm,
    UnavailableForm,
)
from app.inspection.models import (
    Activity,
    AgencyInput,
    AgencyUnavailability,
    AssessmentVersion,
    Attendee,
    ChecklistItem,
    EvidenceItem,
    JudgementArea,
)
from app.inspection.schedule import (
    ActivityDetails,
    activities_on,
    calendar_for,
    clashes_as_edited,
    clashes_on,
    fieldwork_days,
    import_schedule,
    parse_time,
    record_unavailability,
    save_activity,
    schedule_of,
)
from app.inspection.services import (
    AreaDetails,
    consolidate,
    current_framework,
    link_action,
    readiness,
    save_agency_input,
    save_area,
    save_framework,
)
from app.pagination import bounded_date, bounded_int, paginate
from app.permissions import get_or_404, requires
from app.report_cache import remember, remember_html
from app.submissions import already_saved, first_use, record_result

NONE = 0  # the "none chosen" option of an optional select

# The two pages that take files allow more than the portal's usual 2 MB. The limit is raised before
# anything reads the body (the NUL check and CSRF read the form first), so it is set by a hook that
# runs ahead of the others.
UPLOAD_LIMITS = {
    "inspection.add_evidence_page": MAX_UPLOAD_BYTES + 64 * 1024,
    "inspection.import_activities": 1024 * 1024 + 64 * 1024,
}


def _raise_upload_limit() -> None:
    limit = UPLOAD_LIMITS.get(request.endpoint or "")
    if limit is not None:
        request.max_content_length = limit


@bp.record_once
def _before_every_other_hook(state) -> None:
    state.app.before_request_funcs.setdefault(None, []).insert(0, _raise_upload_limit)


def _agency_choices(blank: str | None = None):
    return ([(NONE, blank)] if blank else []) + [(int(value), name) for value, name in agency_choices()]


# --- Overview -----------------------------------------------------------------------------------


@bp.get("/")
@requires(permissions.VIEW)
def show_overview():
    return render("inspection/overview.html", readiness_html=readiness_html())


def readiness_html() -> Markup:
    """The figures and the areas' grades, the same for everyone who may (or may not) edit the
    framework: kept as HTML until shared data changes (a tick, a grade, the framework: each is
    audited) and for the day (the days to fieldwork)."""
    key = (today(), permissions.EDIT_FRAMEWORK.allows(current_user))

    def context() -> dict:
        return {"ready": readiness(current_framework())}

    return remember_html("inspection.readiness", key, "inspection/_readiness.html", context)


# --- The framework (administrators) -----------------------------------------------------------------


def _framework_page(form, framework, *, status: int = 200, conflict: bool = False):
    return render(
        "inspection/framework_form.html", form=form, framework=framework, conflict=conflict, status=status
    )


@bp.route("/framework", methods=["GET", "POST"])
@requires(permissions.EDIT_FRAMEWORK)
def edit_framework():
    framework = current_framework()
    form = FrameworkForm(formdata=posted(), obj=framework)
    answer = partial(_framework_page, form, framework)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    on_failure(answer, form, field="name")
    save_framework(
        framework,
        name=form.name.data,
        fieldwork_starts_on=form.fieldwork_starts_on.data,
        user=current_user,
        version=form.loaded_version(),
    )
    db.session.commit()
    flash("The framework has been saved.", "success")
    return redirect(url_for("inspection.edit_framework"), 303)


def _area_page(form, area, *, status: int = 200, conflict: bool = False):
    return render("inspection/area_form.html", form=form, area=area, conflict=conflict, status=status)


def _area_details(form) -> AreaDetails:
    return AreaDetails(
        name=form.name.data,
        description=form.description.data or "",
        descriptors={
            g: getattr(form, g).data or "" for g in ("outstanding", "good", "adequate", "inadequate")
        },
    )


@bp.route("/areas/new", methods=["GET", "POST"])
@requires(permissions.EDIT_FRAMEWORK)
def create_area():
    framework = current_framework()
    form = NewAreaForm(formdata=posted())
    answer = partial(_area_page, form, None)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    earlier = first_use(form, current_user)
    if earlier is not None:
        return already_saved(earlier, url_for("inspection.edit_framework"))
    on_failure(answer, form, field="name")
    save_area(None, framework, _area_details(form), user=current_user)
    record_result(form, url_for("inspection.edit_framework"))
    db.session.commit()
    flash("The judgement area has been added.", "success")
    return redirect(url_for("inspection.edit_framework"), 303)


@bp.route("/areas/<int:area_id>/edit", methods=["GET", "POST"])
@requires(permissions.EDIT_FRAMEWORK)
def edit_area(area_id: int):
    area = _area_or_404(area_id)
    descriptors = {d.grade: d.text for d in area.descriptors}
    form = AreaForm(formdata=posted(), obj=area, data=descriptors)
    answer = partial(_area_page, form, area)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    on_failure(answer, form, field="name")
    save_area(area, area.framework, _area_details(form), user=current_user, version=form.loaded_version())
    db.session.commit()
    flash("The judgement area has been saved.", "success")
    return redirect(url_for("inspection.edit_framework"), 303)


# --- Self-assessment -----------------------------------------------------------------------------------


def _area_or_404(area_id: int) -> JudgementArea:
    area = db.session.scalar(
        select(JudgementArea)
        .where(JudgementArea.id == area_id)
        .options(selectinload(JudgementArea.descriptors), selectinload(JudgementArea.actions))
    )
    if area is None:
        abort(404)
    return area


@bp.get("/self-assessment/")
@requires(permissions.VIEW)
def list_areas():
    framework = current_framework()
    areas = paginate(
        select(JudgementArea)
        .where(JudgementArea.framework_id == (framework.id if framework else None))
        .order_by(JudgementArea.position)
    )
    return render("inspection/self_assessment.html", framework=framework, page=areas)


def _area_detail(
    area, *, status: int = 200, conflict: bool = False, form=None, input_form=None, link_form=None
):
    inputs = db.session.scalars(
        select(AgencyInput)
        .where(AgencyInput.area_id == area.id)
        .options(joinedload(AgencyInput.agency), joinedload(AgencyInput.updated_by))
        .order_by(AgencyInput.updated_at.desc())
    ).all()
    versions = db.session.scalars(
        select(AssessmentVersion)
        .where(AssessmentVersion.area_id == area.id)
        .options(joinedload(AssessmentVersion.saved_by))
        .order_by(AssessmentVersion.number.desc())
        .limit(20)
    ).all()
    evidence = db.session.scalars(
        visible_items(current_user).where(EvidenceItem.areas.any(JudgementArea.id == area.id)).limit(50)
    ).all()
    own = next((i for i in inputs if i.agency_id == current_user.agency_id), None)
    if form is None:
        form = ConsolidateForm(formdata=None, obj=area)
        form.note.data = ""
    if input_form is None:
        input_form = AgencyInputForm(formdata=None, obj=own, prefix="agency")
        input_form.lock_version.data = own.lock_version if own else ""
    return render(
        "inspection/show_area.html",
        area=area,
        inputs=inputs,
        own=own or AgencyInput(agency_id=current_user.agency_id),
        has_own=own is not None,
        evidence=evidence,
        versions=versions,
        form=form,
        input_form=input_form,
        link_form=link_form or LinkActionForm(formdata=None, prefix="link"),
        conflict=conflict,
        status=status,
    )


@bp.get("/self-assessment/<int:area_id>")
@requires(permissions.VIEW)
def show_area(area_id: int):
    return _area_detail(_area_or_404(area_id))


@bp.post("/self-assessment/<int:area_id>/consolidate")
@requires(permissions.CONSOLIDATE)
def consolidate_area(area_id: int):
    area = _area_or_404(area_id)
    form = ConsolidateForm()
    answer = partial(_area_detail, area, form=form)
    if not form.validate_on_submit():
        return answer(status=422)
    on_failure(answer, form, field="grade")
    saved = consolidate(
        area,
        user=current_user,
        grade=form.grade.data,
        strengths=form.strengths.data or "",
        areas_for_development=form.areas_for_development.data or "",
        note=form.note.data or "",
        version=form.loaded_version(),
    )
    db.session.commit()
    flash(f"Version {saved.number} of the self-assessment of {area.name} has been saved.", "success")
    return redirect(url_for("inspection.show_area", area_id=area.id), 303)


@bp.post("/self-assessment/<int:area_id>/agency-view")
@requires(permissions.CONTRIBUTE)
def save_input(area_id: int):
    area = _area_or_404(area_id)
    form = AgencyInputForm(prefix="agency")
    answer = partial(_area_detail, area, input_form=form)
    if not form.validate_on_submit():
        return answer(status=422)
    on_failure(answer, form, field="text")
    version = form.loaded_version() if form.lock_version.data else None
    save_agency_input(
        area,
        user=current_user,
        suggested_grade=form.suggested_grade.data,
        text=form.text.data or "",
        version=version,
    )
    db.session.commit()
    flash("Your agency's view has been saved.", "success")
    return redirect(url_for("inspection.show_area", area_id=area.id), 303)


@bp.post("/self-assessment/<int:area_id>/actions")
@requires(permissions.CONSOLIDATE)
def link_area_action(area_id: int):
    area = _area_or_404(area_id)
    form = LinkActionForm(prefix="link")
    answer = partial(_area_detail, area, link_form=form)
    if not form.validate_on_submit():
        return answer(status=422)
    on_failure(answer, form, field="reference")
    action = link_action(area, user=current_user, reference=form.reference.data)
    db.session.commit()
    flash(f"{action.reference} is linked to {area.name}.", "success")
    return redirect(url_for("inspection.show_area", area_id=area.id), 303)


# --- Evidence ---------------------------------------------------------------------------------------------


@bp.get("/evidence/")
@requires(permissions.VIEW)
def list_evidence():
    page = paginate(visible_items(current_user))
    checklist = db.session.scalars(
        select(ChecklistItem)
        .options(joinedload(ChecklistItem.owner_agency), joinedload(ChecklistItem.evidence))
        .order_by(ChecklistItem.due_on.is_(None), ChecklistItem.due_on, ChecklistItem.title)
        .limit(100)
    ).all()
    # Asked of a blank item of the user's own agency: may they add evidence at all?
    own_item = EvidenceItem(owner_agency_id=current_user.agency_id)
    return render(
        "inspection/evidence.html", block="results", page=page, checklist=checklist, own_item=own_item
    )


def _evidence_form(formdata=None) -> EvidenceForm:
    form = EvidenceForm(formdata=formdata)
    form.owner_agency_id.choices = _agency_choices()
    if formdata is None:
        form.owner_agency_id.data = current_user.agency_id
    framework = current_framework()
    form.area_ids.choices = [(a.id, a.name) for a in (framework.areas if framework else [])]
    return form


def _evidence_page(form, *, status: int = 200, **_):
    return render("inspection/evidence_form.html", form=form, status=status)


@bp.route("/evidence/new", methods=["GET", "POST"])
@requires(permissions.ADD_EVIDENCE)
def add_evidence_page():
    form = _evidence_form(request.form if request.method == "POST" else None)
    if request.method == "POST":
        form.upload.data = request.files.get("upload")
    answer = partial(_evidence_page, form)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    earlier = first_use(form, current_user)
    if earlier is not None:
        return already_saved(earlier, url_for("inspection.list_evidence"))
    on_failure(answer, form, field="upload")
    upload = form.upload.data
    content = upload.read(MAX_UPLOAD_BYTES + 1) if upload and upload.filename else b""
    add_evidence(
        EvidenceDetails(
            title=form.title.data,
            owner_agency_id=form.owner_agency_id.data,
            dated=form.dated.data,
            area_ids=form.area_ids.data or [],
            visibility=form.visibility.data,
            visible_to=form.visible_to.data or [],
            link_path=form.link_path.data or "",
            file_name=upload.filename if upload and upload.filename else "",
            content=content,
        ),
        user=current_user,
    )
    record_result(form, url_for("inspection.list_evidence"))
    db.session.commit()
    flash("The evidence has been added to the library.", "success")
    return redirect(url_for("inspection.list_evidence"), 303)


@bp.get("/evidence/<int:evidence_id>/download")
@requires(permissions.VIEW)
def download_evidence(evidence_id: int):
    item = db.session.scalar(visible_items(current_user).where(EvidenceItem.id == evidence_id))
    if item is None or not item.is_file:
        abort(404)
    try:
        path = evidence_file(item)
    except FileNotFoundError:
        abort(404)
    response = send_file(path, mimetype=item.content_type, as_attachment=True, download_name=item.file_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/evidence/pack")
@requires(permissions.EXPORT_PACK)
@fresh_sign_in
def download_pack():
    framework = current_framework()
    body = evidence_pack(user=current_user, framework=framework)
    db.session.commit()
    response = send_file(
        io.BytesIO(body),
        mimetype="application/zip",
        as_attachment=True,
        download_name="evidence-pack.zip",
    )
    return response


def _checklist_form(cls, item=None, formdata=None):
    form = cls(formdata=formdata, obj=item)
    form.owner_agency_id.choices = _agency_choices("No owner yet")
    items = db.session.execute(
        visible_items(current_user).with_only_columns(EvidenceItem.id, EvidenceItem.title).limit(500)
    )
    form.evidence_id.choices = [(NONE, "Not yet linked")] + [(i, t) for i, t in items]
    if formdata is None and item is not None:
        form.owner_agency_id.data = item.owner_agency_id or NONE
        form.evidence_id.data = item.evidence_id or NONE
    return form


def _checklist_page(form, item, *, status: int = 200, conflict: bool = False):
    return render("inspection/checklist_form.html", form=form, item=item, conflict=conflict, status=status)


@bp.route("/evidence/checklist/new", methods=["GET", "POST"])
@requires(permissions.MANAGE_CHECKLIST)
def create_checklist_item():
    form = _checklist_form(NewChecklistForm, formdata=posted())
    answer = partial(_checklist_page, form, None)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    earlier = first_use(form, current_user)
    if earlier is not None:
        return already_saved(earlier, url_for("inspection.list_evidence"))
    on_failure(answer, form, field="title")
    save_checklist_item(
        None,
        user=current_user,
        title=form.title.data,
        owner_agency_id=form.owner_agency_id.data or None,
        due_on=form.due_on.data,
        evidence_id=form.evidence_id.data or None,
    )
    record_result(form, url_for("inspection.list_evidence"))
    db.session.commit()
    flash("The document has been added to the checklist.", "success")
    return redirect(url_for("inspection.list_evidence"), 303)


@bp.route("/evidence/checklist/<int:item_id>/edit", methods=["GET", "POST"])
@requires(permissions.MANAGE_CHECKLIST)
def edit_checklist_item(item_id: int):
    item = get_or_404(ChecklistItem, item_id)
    form = _checklist_form(ChecklistForm, item, formdata=posted())
    answer = partial(_checklist_page, form, item)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    on_failure(answer, form, field="title")
    save_checklist_item(
        item,
        user=current_user,
        title=form.title.data,
        owner_agency_id=form.owner_agency_id.data or None,
        due_on=form.due_on.data,
        evidence_id=form.evidence_id.data or None,
        version=form.loaded_version(),
    )
    db.session.commit()
    flash("The checklist has been saved.", "success")
    return redirect(url_for("inspection.list_evidence"), 303)


# --- Schedule -----------------------------------------------------------------------------------------------


@bp.get("/schedule/")
@requires(permissions.VIEW)
def show_schedule():
    # The days and the day's clashes are the same for every reader and change only by audited
    # changes to the schedule, so they are kept until the next one (plain values, never rows).
    days = remember("inspection.fieldwork_days", None, fieldwork_days)
    day = bounded_date(request.args.get("day")) or (days[0] if days else None)
    by_room = request.args.get("by") == "room"
    return render(
        "inspection/schedule.html",
        block="timetable",
        days=days,
        day=day,
        by_room=by_room,
        timetable_html=partial(_timetable_html, day, by_room),
        own_away=AgencyUnavailability(agency_id=current_user.agency_id),
    )


def _timetable_html(day: date | None, by_room: bool) -> Markup:
    """A day's timetable as HTML, kept until the next audit event (every change to the schedule
    writes one). It differs only by whether the reader may manage the schedule (each title then
    links to its edit page)."""

    def context() -> dict:
        activities = activities_on(day) if day else []
        clashes = remember("inspection.clashes_on", day, lambda: clashes_on(day)) if day else []
        rooms: dict[str, list[Activity]] = {}
        for activity in activities:
            rooms.setdefault(activity.location or "No room given", []).append(activity)
        return {
            "day": day,
            "by_room": by_room,
            "activities": activities,
            "rooms": sorted(rooms.items()),
            "clashes": clashes,
            "clashing_ids": {c.first.id for c in clashes} | {c.second.id for c in clashes},
        }

    key = (day, by_room, permissions.MANAGE_SCHEDULE.allows(current_user))
    return remember_html("inspection.timetable", key, "inspection/_timetable.html", context)


def _activity_form(cls, activity=None, formdata=None):
    # A posted form is what was posted: a field left out of it is blank, never the activity's own
    # value (its times are `time`s, which the text fields' checks cannot read).
    form = cls(formdata=formdata, obj=activity if formdata is None else None)
    form.agency_id.choices = _agency_choices("No agency")
    if formdata is None and activity is not None:
        form.agency_id.data = activity.agency_id or NONE
        form.starts_at.data = f"{activity.starts_at:%H:%M}"
        form.ends_at.data = f"{activity.ends_at:%H:%M}"
        form.attendees.data = "\n".join(
            a.user.email if a.user else a.external_name for a in activity.attendees
        )
    return form


def _activity_details(form) -> ActivityDetails | None:
    starts_at, ends_at = parse_time(form.starts_at.data or ""), parse_time(form.ends_at.data or "")
    if form.day.data is None or starts_at is None or ends_at is None:
        return None
    return ActivityDetails(
        kind=form.kind.data,
        title=form.title.data or "",
        day=form.day.data,
        starts_at=starts_at,
        ends_at=ends_at,
        location=form.location.data or "",
        inspectors=form.inspectors.data or "",
        agency_id=form.agency_id.data or None,
        status=form.status.data or "planned",
        attendees=form.attendees.data or "",
        override_reason=form.override_reason.data or "",
    )


def _times_valid(form) -> bool:
    ok = True
    for name in ("starts_at", "ends_at"):
        field = getattr(form, name)
        if field.data and parse_time(field.data) is None:
            field.errors = [*field.errors, "Enter a time like 09:30"]
            ok = False
    return ok


def _activity_page(form, activity, *, status: int = 200, conflict: bool = False):
    """The form, with the clashes it has as filled in (so they show without JavaScript too)."""
    details = _activity_details(form) if form.day.data and not form.day.errors else None
    clashes = clashes_as_edited(details, activity.id if activity else None)[0] if details else []
    return render(
        "inspection/activity_form.html",
        form=form,
        activity=activity,
        clashes=clashes,
        conflict=conflict,
        status=status,
    )


def _activity_or_404(activity_id: int) -> Activity:
    activity = db.session.scalar(
        select(Activity)
        .where(Activity.id == activity_id)
        .options(selectinload(Activity.attendees).joinedload(Attendee.user))
    )
    if activity is None:
        abort(404)
    return activity


@bp.route("/schedule/new", methods=["GET", "POST"])
@requires(permissions.MANAGE_SCHEDULE)
def create_activity():
    form = _activity_form(NewActivityForm, formdata=posted())
    if request.method == "GET" and (day := bounded_date(request.args.get("day"))):
        form.day.data = day
    answer = partial(_activity_page, form, None)
    if not (form.validate_on_submit() & _times_valid(form)):
        return answer(status=422 if form.errors else 200)
    earlier = first_use(form, current_user)
    if earlier is not None:
        return already_saved(earlier, url_for("inspection.show_schedule"))
    on_failure(answer, form, field="title")
    activity = save_activity(None, _activity_details(form), user=current_user)
    url = url_for("inspection.show_schedule", day=activity.day.isoformat())
    record_result(form, url)
    db.session.commit()
    flash("The activity has been added to the schedule.", "success")
    return redirect(url, 303)


@bp.route("/schedule/<int:activity_id>/edit", methods=["GET", "POST"])
@requires(permissions.MANAGE_SCHEDULE)
def edit_activity(activity_id: int):
    activity = _activity_or_404(activity_id)
    form = _activity_form(ActivityForm, activity, formdata=posted())
    answer = partial(_activity_page, form, activity)
    if not (form.validate_on_submit() & _times_valid(form)):
        return answer(status=422 if form.errors else 200)
    on_failure(answer, form, field="title")
    save_activity(activity, _activity_details(form), user=current_user, version=form.loaded_version())
    db.session.commit()
    flash("The activity has been saved.", "success")
    return redirect(url_for("inspection.show_schedule", day=activity.day.isoformat()), 303)


@bp.post("/schedule/check")
@requires(permissions.MANAGE_SCHEDULE)
def check_activity():
    """As the form is edited (htmx): the clashes the activity would have if saved now."""
    form = _activity_form(ActivityForm, formdata=request.form)
    if not form.validate() and "csrf_token" in form.errors:
        abort(400)
    details = _activity_details(form)
    clashes, problem = [], ""
    if details is not None:
        clashes, problem = clashes_as_edited(details, bounded_int(request.args.get("activity")))
    return render(
        "inspection/activity_form.html", block="clashes", clashes=clashes, problem=problem, checked=True
    )


@bp.route("/schedule/import", methods=["GET", "POST"])
@requires(permissions.MANAGE_SCHEDULE)
def import_activities():
    form = ImportForm(formdata=posted())
    errors = []
    if request.method == "POST":
        form.schedule.data = request.files.get("schedule")
    if form.validate_on_submit():
        upload = form.schedule.data
        if not upload or not upload.filename:
            form.schedule.errors = ["Choose a CSV file"]
        else:
            try:
                text = upload.read(1024 * 1024).decode("utf-8-sig")
            except UnicodeDecodeError:
                form.schedule.errors = ["The file must be a CSV saved as UTF-8 text"]
            else:
                earlier = first_use(form, current_user)
                if earlier is not None:
                    return already_saved(earlier, url_for("inspection.show_schedule"))
                imported, errors = import_schedule(text, user=current_user)
                if not errors:
                    record_result(form, url_for("inspection.show_schedule"))
                    db.session.commit()
                    flash(f"{imported} activities have been imported.", "success")
                    return redirect(url_for("inspection.show_schedule"), 303)
                db.session.rollback()
                form.schedule.errors = [f"Nothing was imported: {len(errors)} row(s) need correcting"]
                form.submission_token.data = new_token()
    status = 422 if form.errors or errors else 200
    return render("inspection/import.html", form=form, errors=errors[:200], status=status)


@bp.get("/schedule/mine")
@requires(permissions.VIEW)
def show_my_schedule():
    activities = schedule_of(current_user)
    return render("inspection/my_schedule.html", activities=activities)


@bp.get("/schedule/mine/calendar")
@requires(permissions.VIEW)
def download_calendar():
    body = calendar_for(schedule_of(current_user), host=request.host.split(":")[0] or "portal")
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="my-inspection-schedule.ics"'
    return response


def _unavailable_page(form, *, status: int = 200, **_):
    away = db.session.scalars(
        select(AgencyUnavailability)
        .options(joinedload(AgencyUnavailability.agency))
        .order_by(AgencyUnavailability.day.desc())
        .limit(100)
    ).all()
    return render("inspection/unavailable.html", form=form, away=away, status=status)


@bp.route("/schedule/unavailable", methods=["GET", "POST"])
@requires(permissions.REPORT_UNAVAILABLE)
def record_unavailable_day():
    form = UnavailableForm(formdata=posted())
    form.agency_id.choices = _agency_choices()
    if request.method == "GET":
        form.agency_id.data = current_user.agency_id
    answer = partial(_unavailable_page, form)
    if not form.validate_on_submit():
        return answer(status=422 if form.errors else 200)
    earlier = first_use(form, current_user)
    if earlier is not None:
        return already_saved(earlier, url_for("inspection.record_unavailable_day"))
    on_failure(answer, form, field="day")
    record_unavailability(
        user=current_user, agency_id=form.agency_id.data, day=form.day.data, reason=form.reason.data or ""
    )
    record_result(form, url_for("inspection.record_unavailable_day"))
    db.session.commit()
    flash("The day has been recorded: activities needing the agency then show as clashes.", "success")
    return redirect(url_for("inspection.record_unavailable_day"), 303)
