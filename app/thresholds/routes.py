"""Reading, searching, comparing, editing, publishing and acknowledging threshold documents."""

from __future__ import annotations

from functools import lru_cache, partial

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from app.auth.fresh import fresh_sign_in
from app.dates import today
from app.errors import on_failure
from app.extensions import db, login_manager
from app.forms import ButtonForm, posted
from app.htmx import render, wants_fragment
from app.pagination import int_arg, page_arg
from app.permissions import public, requires, signed_in
from app.report_cache import remember, remember_html, rendered
from app.submissions import already_saved, first_use, record_result
from app.templating import local_date
from app.thresholds import bp
from app.thresholds.diff import compare_versions
from app.thresholds.editing import content_from_form, form_data_from_version
from app.thresholds.forms import DocumentSettingsForm, DraftForm, NewDocumentForm, PublishForm, SynonymsForm
from app.thresholds.models import (
    AgencyAcknowledgement,
    NeedLevel,
    ReadReceipt,
    ThresholdDocument,
    ThresholdVersion,
    draft_version,
    latest_published_version,
)
from app.thresholds.permissions import ACKNOWLEDGE, EDIT_SYNONYMS, PUBLISH, SEE_ACKNOWLEDGEMENTS, WRITE
from app.thresholds.search import search_current, search_help
from app.thresholds.services import (
    acknowledge_for_agency,
    acknowledgement_status,
    create_document,
    publication_problems,
    publish_version,
    record_read,
    save_draft,
    save_synonyms,
    start_draft,
    synonyms_record,
    update_document_settings,
)

# --- Who may read what ----------------------------------------------------------------------


def _reads_drafts() -> bool:
    return WRITE.allows(current_user)


def readable_document(slug: str) -> ThresholdDocument:
    """Public documents for anyone; partners-only ones need a sign-in; unknown ones are 404. With
    its versions and who published each, which every page of a document lists or shows, in the
    same statement (a document has a few versions)."""
    document = db.session.scalars(_document_statement(), {"slug": slug}).unique().one_or_none()
    if document is None:
        abort(404)
    if not document.is_public and not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    return document


@lru_cache(maxsize=1)
def _document_statement():
    """Built once: every page of a document runs it, and building it cost more than running it."""
    return (
        select(ThresholdDocument)
        .where(ThresholdDocument.slug == bindparam("slug"))
        .options(joinedload(ThresholdDocument.versions).joinedload(ThresholdVersion.published_by))
    )


CONTENT = (
    selectinload(ThresholdVersion.sections),
    selectinload(ThresholdVersion.levels).selectinload(NeedLevel.indicators),
    selectinload(ThresholdVersion.pathways),
)


def readable_version(document: ThresholdDocument, number: int) -> ThresholdVersion:
    """Published and superseded versions for readers; drafts only for admins, with their
    sections, levels and pathways."""
    version = db.session.scalar(
        select(ThresholdVersion)
        .where(ThresholdVersion.document_id == document.id, ThresholdVersion.number == number)
        .options(*CONTENT)
    )
    if version is None or (version.is_draft and not _reads_drafts()):
        abort(404)
    return version


def with_content(version: ThresholdVersion) -> ThresholdVersion:
    """The version with its sections, levels (and their indicators) and pathways loaded, in four
    queries rather than one per level."""
    db.session.scalars(
        select(ThresholdVersion).where(ThresholdVersion.id == version.id).options(*CONTENT)
    ).one()
    return version


# --- Reading --------------------------------------------------------------------------------


@bp.get("/")
@public
def list_documents():
    q = request.args.get("q", "").strip()[:100]
    # The documents are listed only with no search: a search shows its results in their place
    # (htmx asks for that part alone, and gets the documents again when the box is cleared).
    documents = [] if q else _listed_documents()
    results = help_ = None
    if q:
        # The same for everyone who may read the same documents, on the same day (versions take
        # effect by date), so kept until the next audit event as plain values.
        signed_in_, page = current_user.is_authenticated, page_arg()
        results = remember(
            "thresholds.search",
            (q, signed_in_, page, today()),
            lambda: search_current(q, include_private=signed_in_, page=page),
        )
        if results.total == 0:
            help_ = remember(
                "thresholds.search-help",
                (signed_in_, today()),
                lambda: search_help(include_private=signed_in_),
            )
    return render(
        "thresholds/list_documents.html",
        block="results",
        documents=documents,
        q=q,
        results=results,
        search_help=help_,
    )


def _listed_documents() -> list[ThresholdDocument]:
    stmt = select(ThresholdDocument).order_by(ThresholdDocument.title)
    if not current_user.is_authenticated:
        stmt = stmt.where(ThresholdDocument.is_public.is_(True))
    documents = db.session.scalars(stmt.options(selectinload(ThresholdDocument.versions))).all()
    if not _reads_drafts():
        documents = [d for d in documents if any(v.is_published for v in d.versions)]
    return documents


@bp.get("/<slug>")
@public
def show_document(slug: str):
    document = readable_document(slug)
    # Before a first version takes effect, readers see it as scheduled. From the versions the page
    # lists anyway: one query for all of them.
    published = [v for v in document.versions if v.is_published]
    current = document.current_version or max(published, key=lambda v: v.number, default=None)
    if current is None:
        draft = draft_version(document.id)
        if draft is not None and _reads_drafts():
            return redirect(url_for("thresholds.edit_draft", slug=slug))
        abort(404)
    return _show(document, current.number)


@bp.get("/<slug>/versions/<int:number>")
@public
def show_version(slug: str, number: int):
    document = readable_document(slug)
    return _show(document, number)


def _show(document: ThresholdDocument, number: int, *, status: int = 200, conflict: bool = False):
    version = next((v for v in document.versions if v.number == number), None)
    if version is None or (version.is_draft and not _reads_drafts()):
        abort(404)
    concern = request.args.get("concern", "")
    level = int_arg("level", upper=4)
    # Drafts are listed (and compared) only for admins.
    versions = [v for v in document.versions if not v.is_draft or _reads_drafts()]
    context = {
        "document": document,
        "version": version,
        "versions": versions,
        "version_body": partial(version_body, document, version, versions, concern, level),
        # For htmx, which asks for the matching pathways alone.
        "pathways": _matching(with_content(version), concern, level) if wants_fragment() else [],
        "my_agency_acknowledgement": None,
        "my_read_receipt": None,
    }
    if current_user.is_authenticated and version.is_live:
        ack, receipt = _acknowledgement_and_receipt(version, current_user)
        context["my_agency_acknowledgement"], context["my_read_receipt"] = ack, receipt
    return render("thresholds/show_version.html", block="pathways", status=status, **context)


def _acknowledgement_and_receipt(version: ThresholdVersion, user) -> tuple:
    """The reader's agency's acknowledgement of the version and the reader's own read receipt,
    either None, in one statement (one round trip on PostgreSQL, not two)."""
    row = db.session.execute(
        _acknowledgement_statement(),
        {"version_id": version.id, "agency_id": user.agency_id, "user_id": user.id},
    ).first()
    return (row[0], row[1]) if row is not None else (None, None)


@lru_cache(maxsize=1)
def _acknowledgement_statement():
    """Built once, as _document_statement()."""
    return (
        select(AgencyAcknowledgement, ReadReceipt)
        .select_from(ThresholdVersion)
        .outerjoin(
            AgencyAcknowledgement,
            and_(
                AgencyAcknowledgement.version_id == ThresholdVersion.id,
                AgencyAcknowledgement.agency_id == bindparam("agency_id"),
            ),
        )
        .outerjoin(
            ReadReceipt,
            and_(ReadReceipt.version_id == ThresholdVersion.id, ReadReceipt.user_id == bindparam("user_id")),
        )
        .where(ThresholdVersion.id == bindparam("version_id"))
    )


def _matching(version: ThresholdVersion, concern: str, level: int | None) -> list:
    return [
        p
        for p in version.pathways
        if (not concern or p.concern == concern) and (not level or p.level == level)
    ]


def version_body(document, version, versions, concern: str, level: int | None) -> Markup:
    """The version's contents, sections, levels, pathways and table of versions. A published
    version never changes, so its body is rendered once per process for each filter and list of
    versions and kept (until the next audit event); it does not depend on who reads it."""

    def context() -> dict:
        with_content(version)
        return {
            "document": document,
            "version": version,
            "versions": versions,
            "concerns": sorted({p.concern for p in version.pathways}),
            "pathways": _matching(version, concern, level),
            "concern": concern,
            "level": level,
            **_layout(version),
        }

    if version.is_draft:
        return rendered("thresholds/_version_body.html", context())
    listed = tuple((v.number, v.status, v.effective_from, v.summary_of_amendments) for v in versions)
    # Kept until the next audit event, as every kept number is: a restored or reseeded database
    # may give the same ids to other words, and the kept body must never outlive them.
    key = (version.id, concern, level, request.path, listed)
    return remember_html("thresholds.version-body", key, "thresholds/_version_body.html", context)


def _layout(version: ThresholdVersion) -> dict:
    """Where the levels and the pathways go: after the section that shows them (section B "Levels
    of need" holds the levels), else under headings of their own after the sections. The sections
    up to the one holding the pathways come before the pathways, the rest after them."""
    sections = version.sections
    holder = {shows: s.id for s in reversed(sections) if (shows := s.shows)}
    split = next((i + 1 for i, s in enumerate(sections) if s.id == holder.get("pathways")), len(sections))
    return {
        "levels_holder": holder.get("levels"),
        "pathways_holder": holder.get("pathways"),
        "sections_before": sections[:split],
        "sections_after": sections[split:],
    }


@bp.get("/<slug>/compare")
@public
def compare(slug: str):
    document = readable_document(slug)
    numbers = [v.number for v in document.versions if not v.is_draft or _reads_drafts()]
    if len(numbers) < 2:
        flash("There is only one version of this document, so there is nothing to compare yet.", "info")
        return redirect(url_for("thresholds.show_document", slug=slug))
    old_number = int_arg("from") or numbers[-2]
    new_number = int_arg("to") or numbers[-1]
    old, new = readable_version(document, old_number), readable_version(document, new_number)
    return render(
        "thresholds/compare.html",
        block="comparison",
        document=document,
        numbers=numbers,
        comparison=compare_versions(old, new),
    )


# --- Acknowledging --------------------------------------------------------------------------


@bp.post("/<slug>/versions/<int:number>/acknowledge")
@requires(ACKNOWLEDGE)
def acknowledge(slug: str, number: int):
    return _mark(
        slug, number, acknowledge_for_agency, "Thank you. Your agency's acknowledgement has been recorded."
    )


@bp.post("/<slug>/versions/<int:number>/read")
@signed_in
def mark_read(slug: str, number: int):
    return _mark(slug, number, record_read, "Thank you. We have recorded that you have read this version.")


def _mark(slug: str, number: int, mark, message: str):
    """Acknowledging and marking read happen once per version: a repeat, even a parallel one, is
    thanked the same way (the service returns the earlier record)."""
    document = readable_document(slug)
    version = readable_version(document, number)
    if not ButtonForm().validate_on_submit():
        abort(400)
    on_failure(partial(_show, document, number))
    mark(version, user=current_user._get_current_object())
    db.session.commit()
    flash(message, "success")
    # No #fragment: jumping to one takes focus away from the banner that says what happened.
    return redirect(url_for("thresholds.show_version", slug=slug, number=number), 303)


@bp.get("/<slug>/versions/<int:number>/acknowledgements")
@requires(SEE_ACKNOWLEDGEMENTS)
def list_acknowledgements(slug: str, number: int):
    document = readable_document(slug)
    version = readable_version(document, number)
    statuses = acknowledgement_status(version)
    return render(
        "thresholds/list_acknowledgements.html",
        document=document,
        version=version,
        statuses=statuses,
        done=sum(1 for s in statuses if s.acknowledgement),
    )


# --- Writing (admins) -----------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@requires(WRITE)
def create_document_page():
    form = NewDocumentForm(formdata=posted())
    if not form.validate_on_submit():
        return render("thresholds/create_document.html", form=form, status=422 if form.errors else 200)
    earlier = first_use(form, current_user)
    if earlier:
        return already_saved(earlier, url_for("thresholds.list_documents"))
    document = create_document(
        title=form.title.data,
        slug=form.slug.data,
        is_public=form.is_public.data,
        actor=current_user._get_current_object(),
    )
    result = url_for("thresholds.edit_draft", slug=document.slug)
    record_result(form, result)
    db.session.commit()
    flash(f"{document.title} has been created as a draft.", "success")
    return redirect(result, 303)


@bp.post("/<slug>/versions")
@requires(WRITE)
def start_new_draft(slug: str):
    document = readable_document(slug)
    if not ButtonForm().validate_on_submit():
        abort(400)
    on_failure(partial(_edit_or_no_draft_page, document))
    draft = start_draft(document, actor=current_user._get_current_object())
    db.session.commit()
    flash(f"Version {draft.number} has been started as a copy of the current version.", "success")
    return redirect(url_for("thresholds.edit_draft", slug=slug), 303)


def _draft_or_404(document: ThresholdDocument) -> ThresholdVersion:
    draft = draft_version(document.id)
    if draft is None:
        abort(404)
    return readable_version(document, draft.number)


def _edit_or_no_draft_page(document: ThresholdDocument, *, status: int = 200, settings_form=None, **_):
    """The draft's editor as it is saved, or the page offering to start a draft."""
    if draft_version(document.id) is None:
        return render(
            "thresholds/no_draft.html",
            document=document,
            settings_form=settings_form or _settings_form(document),
            status=status,
        )
    draft = _draft_or_404(document)
    editor = DraftForm(formdata=None, data=form_data_from_version(draft))
    return _edit_page(document, draft, editor, status=status, settings_form=settings_form)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@requires(WRITE)
def edit_draft(slug: str):
    document = readable_document(slug)
    if request.method == "GET" or draft_version(document.id) is None:
        return _edit_or_no_draft_page(document)
    draft = _draft_or_404(document)
    form = DraftForm()
    form.sections.entries = [e for e in form.sections.entries if not e.form.remove.data]
    form.pathways.entries = [e for e in form.pathways.entries if not e.form.remove.data]
    if form.add_section.data or form.add_pathway.data:
        # Without JavaScript, "Add" buttons post the form back with one more empty entry.
        (form.sections if form.add_section.data else form.pathways).append_entry()
        return _edit_page(document, draft, form)
    if not form.validate_on_submit():
        return _edit_page(document, draft, form, status=422)
    on_failure(partial(_edit_page, document, draft, form), form, field="summary_of_amendments")
    save_draft(
        draft,
        content_from_form(form),
        loaded_version=form.loaded_version(),
        actor=current_user._get_current_object(),
    )
    db.session.commit()
    flash(f"Draft version {draft.number} has been saved.", "success")
    return redirect(url_for("thresholds.edit_draft", slug=slug), 303)


def _settings_form(document: ThresholdDocument, formdata=None) -> DocumentSettingsForm:
    return DocumentSettingsForm(
        formdata=formdata, prefix="settings", data={"title": document.title, "is_public": document.is_public}
    )


def _edit_page(document, draft, form, *, status=200, conflict=False, settings_form=None):
    return render(
        "thresholds/edit_draft.html",
        document=document,
        draft=draft,
        form=form,
        settings_form=settings_form or _settings_form(document),
        conflict=conflict,
        status=status,
    )


@bp.post("/<slug>/settings")
@requires(WRITE)
def update_settings(slug: str):
    document = readable_document(slug)
    form = _settings_form(document, formdata=request.form)
    if not form.validate():
        return _edit_or_no_draft_page(document, status=422, settings_form=form)
    update_document_settings(
        document,
        title=form.title.data,
        is_public=form.is_public.data,
        actor=current_user._get_current_object(),
    )
    db.session.commit()
    flash("The document's settings have been saved.", "success")
    return redirect(url_for("thresholds.edit_draft", slug=slug), 303)


@bp.route("/<slug>/publish", methods=["GET", "POST"])
@requires(PUBLISH)
@fresh_sign_in
def publish(slug: str):
    """Check your answers: what changed since the latest published version, the summary and review
    date, the date it takes effect; then publish the draft as it was when this page was shown."""
    document = readable_document(slug)
    draft = _draft_or_404(document)
    # Shown afresh: the draft's version and today. Posted: only what was sent (a post without the
    # version it was checked at is stale, never the draft as it is now).
    fresh = {"lock_version": draft.lock_version, "effective_from": today()}
    form = PublishForm(formdata=posted(), data=None if request.method == "POST" else fresh)
    if not form.validate_on_submit():
        return _publish_page(document, draft, form, status=422 if form.errors else 200)
    on_failure(partial(_publish_page, document, draft, form), form, field="effective_from")
    publish_version(
        draft,
        effective_from=form.effective_from.data,
        loaded_version=form.loaded_version(),
        actor=current_user._get_current_object(),
    )
    db.session.commit()
    if draft.is_scheduled:
        flash(
            f"Version {draft.number} of {document.title} is published and takes effect on "
            f"{local_date(draft.effective_from)}. Until then partners read the current version. "
            "Everyone has been asked to read the new one, and every agency to acknowledge it.",
            "success",
        )
        return redirect(url_for("thresholds.show_version", slug=slug, number=draft.number), 303)
    flash(
        f"Version {draft.number} of {document.title} is published and in effect from today. "
        "Everyone has been asked to read it, and every agency to acknowledge it.",
        "success",
    )
    return redirect(url_for("thresholds.show_document", slug=slug), 303)


def _publish_page(document, draft, form, *, status=200, conflict=False):
    latest = latest_published_version(document.id)
    return render(
        "thresholds/publish.html",
        document=document,
        draft=draft,
        form=form,
        latest=latest,
        comparison=compare_versions(readable_version(document, latest.number), draft) if latest else None,
        problems=publication_problems(draft),
        conflict=conflict,
        status=status,
    )


# --- Search synonyms (admins) ---------------------------------------------------------------


@bp.route("/search-synonyms", methods=["GET", "POST"])
@requires(EDIT_SYNONYMS)
def edit_synonyms():
    synonyms = synonyms_record()
    fresh = {
        "lock_version": synonyms.lock_version if synonyms else 0,
        "synonyms": synonyms.groups_text if synonyms else "",
    }
    form = SynonymsForm(formdata=posted(), data=None if request.method == "POST" else fresh)
    render_page = partial(_synonyms_page, synonyms, form)
    if not form.validate_on_submit():
        return render_page(status=422 if form.errors else 200)
    on_failure(render_page, form, field="synonyms")
    save_synonyms(
        form.synonyms.data or "",
        loaded_version=form.loaded_version(),
        actor=current_user._get_current_object(),
    )
    db.session.commit()
    flash("The search synonyms have been saved. Search uses them straight away.", "success")
    return redirect(url_for("thresholds.edit_synonyms"), 303)


def _synonyms_page(synonyms, form, *, status=200, conflict=False):
    return render(
        "thresholds/edit_synonyms.html", synonyms=synonyms, form=form, conflict=conflict, status=status
    )
