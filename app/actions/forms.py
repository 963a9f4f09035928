"""The actions' forms, and the functions that build them with their choices and defaults."""

from __future__ import annotations

from dataclasses import dataclass

from flask_wtf import FlaskForm
from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from sqlalchemy import select
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.actions import permissions
from app.actions.models import (
    RAG_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    Action,
    ActionSource,
    ActionStatus,
    Project,
    Review,
)
from app.actions.services import ActionDetails
from app.auth.options import agency_select_choices
from app.extensions import db
from app.forms import OneTimeForm, RealDateField, TextBox, VersionedForm, strip_filter
from app.report_cache import remember

RAG_CHOICES = [SelectChoice(str(r), label) for r, label in RAG_LABELS.items()]
# An update moves an action along its life; closing it is the programme manager's own form.
STATUS_CHOICES = [
    SelectChoice(str(s), label) for s, label in STATUS_LABELS.items() if s != ActionStatus.CLOSED
]


class ProgressUpdateForm(VersionedForm, OneTimeForm):
    """An update posted inline in the action list or on the action's page. The rules about RAG
    reasons and completion are the service's (app.actions.services.post_update)."""

    note = TextAreaField(
        "What has happened since the last update",
        widget=TextBox(rows=3),
        filters=[strip_filter],
        validators=[
            DataRequired("Describe the progress made"),
            Length(max=4000, message="Keep the update to 4,000 characters or fewer"),
        ],
    )
    rag = RadioField(
        "RAG status",
        widget=GovRadioInput(),
        choices=RAG_CHOICES,
        validators=[InputRequired("Choose a RAG status")],
    )
    rag_reason = TextAreaField(
        "Reason for changing the RAG status",
        description="Required when the RAG status changes.",
        widget=TextBox(rows=2),
        filters=[strip_filter],
        validators=[Length(max=2000, message="Keep the reason to 2,000 characters or fewer")],
    )
    percent_complete = IntegerField(
        "Percentage complete",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the percentage complete, from 0 to 100"),
            NumberRange(0, 100, "Enter the percentage complete, from 0 to 100"),
        ],
    )
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=STATUS_CHOICES,
        validators=[InputRequired("Choose a status")],
    )
    submit = SubmitField("Post update", widget=GovSubmitInput())


class SomeCheckboxes(GovCheckboxesInput):
    """GOV.UK checkboxes for some of a field's choices: those whose values are in `shown`, in that
    order (all of them when `shown` is None). The field still accepts any of its choices."""

    def __call__(self, field, shown: list[str] | None = None, **kwargs):
        if shown is None:
            return super().__call__(field, **kwargs)
        labels = {choice.value: choice.label for choice in field.choices}
        ticked = set(field.data or ())
        kwargs.setdefault("id", field.id)
        kwargs["items"] = [
            {"text": labels[value], "value": value, **({"checked": True} if value in ticked else {})}
            for value in shown
            if value in labels
        ]
        # The items are made here, not from every choice as GovIterableBase would.
        return GovFormBase.__call__(self, field, **kwargs)


class ActionForm(VersionedForm):
    title = StringField(
        "Action",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            DataRequired("Enter the action"),
            Length(max=200, message="Action must be 200 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "What will be done, and how we will know it has worked",
        widget=TextBox(rows=4),
        filters=[strip_filter],
        validators=[Length(max=8000, message="Description must be 8,000 characters or fewer")],
    )
    project_id = SelectField("Project", widget=GovSelect(), validators=[Optional()])
    owner_agency_id = SelectField(
        "Owner agency", widget=GovSelect(), validators=[InputRequired("Choose the owner agency")]
    )
    owner_name = StringField(
        "Named owner",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            DataRequired("Enter the named owner"),
            Length(max=120, message="Named owner must be 120 characters or fewer"),
        ],
    )
    contributor_ids = SelectMultipleField(
        "Contributing agencies", widget=SomeCheckboxes(), validators=[Optional()]
    )
    # Shown only while agencies are too many to list (see `contributor_finder`); never saved.
    # Rendered by the template beside its button (a search box, not a GOV.UK text input).
    contributor_search = StringField(
        "Find a contributing agency by name",
        description="Part of its name is enough, for example “Primary”",
        filters=[strip_filter],
    )
    find_contributors = SubmitField("Find agencies")
    start_date = RealDateField("Start date", validators=[Optional()])
    due_date = RealDateField(
        "Due date", description="For example, 31 3 2027", validators=[InputRequired("Enter the due date")]
    )
    source = SelectField(
        "Where the action comes from",
        widget=GovSelect(),
        choices=[SelectChoice("", "Choose where it comes from")]
        + [SelectChoice(str(k), v) for k, v in SOURCE_LABELS.items()],
        default=str(ActionSource.PARTNERSHIP),
        validators=[InputRequired("Choose where the action comes from")],
    )
    weight = IntegerField(
        "Weight in the project's progress",
        description="1 for most actions; more for a bigger share of the project.",
        widget=GovTextInput(),
        default=1,
        validators=[Optional(), NumberRange(1, 10, "Enter a weight from 1 to 10")],
    )
    evidence = TextAreaField(
        "Evidence",
        description="Links or notes showing what has been done.",
        widget=TextBox(rows=3),
        filters=[strip_filter],
        validators=[Length(max=4000, message="Evidence must be 4,000 characters or fewer")],
    )
    submit = SubmitField("Save action", widget=GovSubmitInput())

    def validate_due_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("The due date must be on or after the start date")


class NewActionForm(ActionForm, OneTimeForm):
    """Adding or proposing an action: a double click adds one. When it looks like an action the
    partnership already has, the form is shown again with a warning; `not_a_duplicate` is then
    sent with it, and the user may go ahead."""

    not_a_duplicate = HiddenField()

    @property
    def duplicate_checked(self) -> bool:
        return self.not_a_duplicate.data == "yes"


class ChallengeForm(OneTimeForm):
    text = TextAreaField(
        "Your challenge or question",
        description="The owner agency is asked to answer within ten working days.",
        widget=TextBox(rows=3),
        filters=[strip_filter],
        validators=[
            DataRequired("Write your challenge"),
            Length(max=4000, message="Keep the challenge to 4,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Raise challenge", widget=GovSubmitInput())


class ResponseForm(FlaskForm):
    text = TextAreaField(
        "Response",
        widget=TextBox(rows=3),
        filters=[strip_filter],
        validators=[
            DataRequired("Write a response"),
            Length(max=4000, message="Keep the response to 4,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Send response", widget=GovSubmitInput())


class AcceptForm(VersionedForm):
    project_id = SelectField(
        "Add it to project", widget=GovSelect(), validators=[InputRequired("Choose a project")]
    )
    submit = SubmitField("Accept into the programme", widget=GovSubmitInput())


class ReturnForm(VersionedForm):
    reason = TextAreaField(
        "Why it is being returned",
        widget=TextBox(rows=2),
        filters=[strip_filter],
        validators=[DataRequired("Say why the action is being returned"), Length(max=2000)],
    )
    submit = SubmitField("Return to the agency", widget=GovSubmitInput())


class CloseForm(VersionedForm, OneTimeForm):
    reason = TextAreaField(
        "Why the action is being closed",
        widget=TextBox(rows=2),
        filters=[strip_filter],
        validators=[DataRequired("Say why the action is being closed"), Length(max=2000)],
    )
    submit = SubmitField("Close action", widget=GovSubmitInput())


class ResubmitForm(VersionedForm):
    submit = SubmitField("Send it again as it is", widget=GovSubmitInput())


class WithdrawForm(VersionedForm):
    submit = SubmitField("Withdraw this proposal", widget=GovSubmitInput())


# Several forms share the action's page: each has its own prefix, so no two elements share an id
# (csrf_token, lock_version, submit...). The progress update has none: its own page posts it too.
PAGE_FORM_PREFIXES = {
    "accept_form": "accept",
    "return_form": "return",
    "close_form": "close",
    "challenge_form": "challenge",
    "resubmit_form": "resubmit",
    "withdraw_form": "withdraw",
}


# --- Building the forms ---------------------------------------------------------------------------
# `formdata` is app.forms.posted(): the request's form on a POST, None to show a form afresh.


def update_form(action: Action, formdata=None, *, prefix: str = "") -> ProgressUpdateForm:
    """Loaded with the action's current values; in a list row its fields carry the row's prefix
    (the filters above the table also have "rag" and "status", and another row may be open)."""
    return ProgressUpdateForm(
        formdata=formdata,
        prefix=prefix,
        data={
            "lock_version": action.lock_version,
            "rag": action.rag,
            "percent_complete": action.percent_complete,
            "status": action.status if action.status != ActionStatus.CLOSED else ActionStatus.COMPLETE,
        },
    )


def project_options() -> list[tuple[int, str]]:
    """The list's project filter: kept until shared data changes (a project's change is audited)."""
    return remember("actions.project-options", None, _project_options)


def _project_options() -> list[tuple[int, str]]:
    return [
        (p.id, f"{p.code} {p.title}") for p in db.session.scalars(select(Project).order_by(Project.number))
    ]


def project_choices() -> list[SelectChoice]:
    """The action form's project select: kept until shared data changes, as project_options()."""
    return [SelectChoice("", "Choose a project")] + remember(
        "actions.project-choices", None, _project_choices
    )


def _project_choices() -> list[SelectChoice]:
    return [SelectChoice(str(project_id), label) for project_id, label in project_options()]


def action_form(user, action: Action | None = None, formdata=None) -> ActionForm:
    """Adding an action (those who run the programme), proposing one (an agency: for itself, with
    no evidence of work not yet done), editing one, or an agency editing its own proposal."""
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
    form = (NewActionForm if action is None else ActionForm)(formdata=formdata, data=data)
    form.contributor_ids.choices = agency_select_choices()
    if permissions.MANAGE.allows(user):
        # The template offers these as agency_option_tags(), kept ready-made.
        form.owner_agency_id.choices = agency_select_choices("Choose an agency")
        form.project_id.choices = project_choices()
        form.submit.label.text = "Save action" if action is not None else "Add action"
        return form
    # An agency speaks for itself: the owner is its own agency, the programme manager picks the
    # project and the weight, and there is no evidence yet of work not yet done.
    for name in ("owner_agency_id", "project_id", "weight", "evidence"):
        del form[name]
    form.contributor_ids.choices = [c for c in form.contributor_ids.choices if c.value != str(user.agency_id)]
    form.submit.label.text = (
        "Propose action"
        if action is None
        else "Save and send to the programme manager"
        if action.review == Review.RETURNED
        else "Save changes"
    )
    return form


# A partnership of a dozen agencies ticks its contributors from the list. A county's 500 (400 of
# them schools) would be 200 KB of checkboxes to scroll through on a phone: the form then shows
# those ticked, and finds others by name.
LISTED_AT_MOST = 25
FOUND_AT_MOST = 20


@dataclass(frozen=True)
class ContributorFinder:
    """Which agencies the form offers as contributors. `shown` is None while every agency is listed;
    otherwise it is those ticked, then up to FOUND_AT_MOST whose names contain `search`, of the
    `matching` that do."""

    shown: list[str] | None = None
    search: str = ""
    matching: int = 0

    @property
    def lists_all(self) -> bool:
        return self.shown is None

    @property
    def status(self) -> str:
        if self.lists_all or not self.search:
            return ""
        if not self.matching:
            return f"No other agency has “{self.search}” in its name."
        if self.matching > FOUND_AT_MOST:
            return (
                f"The first {FOUND_AT_MOST} of {self.matching:,} agencies whose names contain "
                f"“{self.search}”: type more of the name to narrow them down."
            )
        if self.matching == 1:
            return f"1 agency found whose name contains “{self.search}”."
        return f"{self.matching} agencies found whose names contain “{self.search}”."


def contributor_finder(form: ActionForm) -> ContributorFinder:
    """The agencies ticked come first, in the list's order, then those found that are not ticked.
    Searched among the field's own choices, so the form never offers what it would refuse."""
    choices = form.contributor_ids.choices
    if len(choices) <= LISTED_AT_MOST:
        return ContributorFinder()
    ticked = set(form.contributor_ids.data or ())
    search = (form.contributor_search.data or "")[:160]
    needle = search.casefold()
    found = (
        [c.value for c in choices if c.value not in ticked and needle in c.label.casefold()] if needle else []
    )
    return ContributorFinder(
        shown=[c.value for c in choices if c.value in ticked] + found[:FOUND_AT_MOST],
        search=search,
        matching=len(found),
    )


def finding_contributors(form: ActionForm) -> bool:
    """The form was sent to find agencies (its "Find agencies" button, or htmx as the user types),
    not to be saved."""
    return bool(form.find_contributors.data)


def details_from_form(form: ActionForm, *, owner_agency_id: int | None = None) -> ActionDetails:
    """What the form says; a proposal's owner is the proposing agency (`owner_agency_id`)."""
    return ActionDetails(
        title=form.title.data,
        description=form.description.data or "",
        owner_agency_id=int(form.owner_agency_id.data) if "owner_agency_id" in form else owner_agency_id,
        owner_name=form.owner_name.data,
        start_date=form.start_date.data,
        due_date=form.due_date.data,
        source=form.source.data,
        contributor_ids=[int(i) for i in form.contributor_ids.data or []],
        weight=(form.weight.data or 1) if "weight" in form else 1,
        evidence=(form.evidence.data or "") if "evidence" in form else "",
    )


def accept_form(action: Action, formdata=None) -> AcceptForm:
    form = AcceptForm(
        formdata=formdata,
        data={"lock_version": action.lock_version},
        prefix=PAGE_FORM_PREFIXES["accept_form"],
    )
    form.project_id.choices = project_choices()
    return form


def page_form(name: str, action: Action, formdata=None):
    """One of the action page's other forms, with its prefix, loaded at the action's version."""
    form_class = {
        "return_form": ReturnForm,
        "close_form": CloseForm,
        "challenge_form": ChallengeForm,
        "resubmit_form": ResubmitForm,
        "withdraw_form": WithdrawForm,
    }[name]
    data = {"lock_version": action.lock_version} if issubclass(form_class, VersionedForm) else None
    return form_class(formdata=formdata, data=data, prefix=PAGE_FORM_PREFIXES[name])


def action_page_forms(action: Action, user, **given) -> dict:
    """Every form the action's page may show: blank, unless a failed post hands one back."""
    update = given.get("update_form")
    if update is None and permissions.UPDATE.allows(user, action) and action.accepts_updates:
        update = update_form(action)
    forms = {
        "update_form": update,
        "response_form": given.get("response_form") or ResponseForm(formdata=None),
        "response_for": given.get("response_for"),
        "accept_form": given.get("accept_form") or accept_form(action),
    }
    for name in ("return_form", "close_form", "challenge_form", "resubmit_form", "withdraw_form"):
        forms[name] = given.get(name) or page_form(name, action)
    return forms
