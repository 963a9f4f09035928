"""The actions' forms, and the functions that build them with their choices and defaults."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from sqlalchemy import select
from wtforms import (
    DateField,
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
    RAG_DEFINITIONS,
    RAG_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    Action,
    ActionStatus,
    Project,
)
from app.actions.services import ActionDetails
from app.auth.models import Agency
from app.extensions import db
from app.forms import DateInput, OneTimeForm, VersionedForm, strip_filter

RAG_CHOICES = [SelectChoice(str(r), label) for r, label in RAG_LABELS.items()]
RAG_HINTS = [{"hint": {"text": RAG_DEFINITIONS[r]}} for r in RAG_LABELS]
STATUS_CHOICES = [
    SelectChoice(str(s), label) for s, label in STATUS_LABELS.items() if s != ActionStatus.CLOSED
]


class ProgressUpdateForm(VersionedForm, OneTimeForm):
    """An update posted inline in the action list or on the action's page. The rules about RAG
    reasons and completion are the service's (app.actions.services.post_update)."""

    note = TextAreaField(
        "What has happened since the last update",
        widget=GovTextArea(),
        filters=[strip_filter],
        validators=[
            DataRequired("Describe the progress made"),
            Length(max=4000, message="Keep the update to 4,000 characters or fewer"),
        ],
        render_kw={"rows": 3},
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
        widget=GovTextArea(),
        filters=[strip_filter],
        validators=[Length(max=2000, message="Keep the reason to 2,000 characters or fewer")],
        render_kw={"rows": 2},
    )
    percent_complete = IntegerField(
        "Percentage complete",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the percentage complete, from 0 to 100"),
            NumberRange(0, 100, "Enter the percentage complete, from 0 to 100"),
        ],
    )
    status = SelectField(
        "Status", widget=GovSelect(), choices=STATUS_CHOICES, validators=[InputRequired("Choose a status")]
    )
    submit = SubmitField("Post update", widget=GovSubmitInput())


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
        widget=GovTextArea(),
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
        "Contributing agencies", widget=GovCheckboxesInput(), validators=[Optional()]
    )
    start_date = DateField(
        "Start date", widget=DateInput(), validators=[Optional()], format=["%d %m %Y", "%Y-%m-%d"]
    )
    due_date = DateField(
        "Due date",
        description="For example, 31 3 2027",
        widget=DateInput(),
        validators=[InputRequired("Enter the due date")],
        format=["%d %m %Y", "%Y-%m-%d"],
    )
    source = SelectField(
        "Where the action comes from",
        widget=GovSelect(),
        choices=[SelectChoice(str(k), v) for k, v in SOURCE_LABELS.items()],
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
        widget=GovTextArea(),
        filters=[strip_filter],
        validators=[Length(max=4000, message="Evidence must be 4,000 characters or fewer")],
    )
    submit = SubmitField("Save action", widget=GovSubmitInput())

    def validate_due_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("The due date must be on or after the start date")


class NewActionForm(ActionForm, OneTimeForm):
    """Adding or proposing an action: a double click adds one."""


class ChallengeForm(OneTimeForm):
    text = TextAreaField(
        "Your challenge or question",
        widget=GovTextArea(),
        filters=[strip_filter],
        validators=[
            DataRequired("Write your challenge"),
            Length(max=4000, message="Keep the challenge to 4,000 characters or fewer"),
        ],
        render_kw={"rows": 3},
    )
    submit = SubmitField("Raise challenge", widget=GovSubmitInput())


class ResponseForm(FlaskForm):
    text = TextAreaField(
        "Response",
        widget=GovTextArea(),
        filters=[strip_filter],
        validators=[
            DataRequired("Write a response"),
            Length(max=4000, message="Keep the response to 4,000 characters or fewer"),
        ],
        render_kw={"rows": 3},
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
        widget=GovTextArea(),
        filters=[strip_filter],
        validators=[DataRequired("Say why the action is being returned"), Length(max=2000)],
        render_kw={"rows": 2},
    )
    submit = SubmitField("Return to the agency", widget=GovSubmitInput())


class CloseForm(VersionedForm, OneTimeForm):
    reason = TextAreaField(
        "Why the action is being closed",
        widget=GovTextArea(),
        filters=[strip_filter],
        validators=[DataRequired("Say why the action is being closed"), Length(max=2000)],
        render_kw={"rows": 2},
    )
    submit = SubmitField("Close action", widget=GovSubmitInput())


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


def active_agencies() -> list[Agency]:
    return db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)).all()


def agency_options() -> list[tuple[int, str]]:
    """(id, name) of every active agency, for filters: plain rows, not objects (500 of them)."""
    return db.session.execute(
        select(Agency.id, Agency.name).where(Agency.active.is_(True)).order_by(Agency.name)
    ).all()


def project_options() -> list[tuple[int, str]]:
    return [
        (p.id, f"{p.code} {p.title}") for p in db.session.scalars(select(Project).order_by(Project.number))
    ]


def project_choices() -> list[SelectChoice]:
    projects = db.session.scalars(select(Project).order_by(Project.number))
    return [SelectChoice("", "Choose a project")] + [
        SelectChoice(str(p.id), f"{p.code} {p.title}") for p in projects
    ]


def action_form(user, action: Action | None = None, formdata=None) -> ActionForm:
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
    agencies = active_agencies()
    form.owner_agency_id.choices = [SelectChoice("", "Choose an agency")] + [
        SelectChoice(str(a.id), a.name) for a in agencies
    ]
    form.contributor_ids.choices = [SelectChoice(str(a.id), a.name) for a in agencies]
    form.project_id.choices = project_choices()
    if not permissions.MANAGE.allows(user):
        # Partner staff propose actions for their own agency; the programme manager files them.
        form.owner_agency_id.data = str(user.agency_id)
        form.owner_agency_id.choices = [SelectChoice(str(user.agency_id), user.agency.name)]
    return form


def details_from_form(form: ActionForm) -> ActionDetails:
    return ActionDetails(
        title=form.title.data,
        description=form.description.data or "",
        owner_agency_id=int(form.owner_agency_id.data),
        owner_name=form.owner_name.data,
        start_date=form.start_date.data,
        due_date=form.due_date.data,
        source=form.source.data,
        contributor_ids=[int(i) for i in form.contributor_ids.data or []],
        weight=form.weight.data or 1,
        evidence=form.evidence.data or "",
    )


def accept_form(action: Action, formdata=None) -> AcceptForm:
    form = AcceptForm(formdata=formdata, data={"lock_version": action.lock_version})
    form.project_id.choices = project_choices()
    return form


def action_page_forms(action: Action, user, **given) -> dict:
    """Every form the action's page may show: blank, unless a failed post hands one back."""
    version = {"lock_version": action.lock_version}
    update = given.get("update_form")
    if update is None and permissions.UPDATE.allows(user, action) and action.accepts_updates:
        update = update_form(action)
    return {
        "update_form": update,
        "challenge_form": given.get("challenge_form") or ChallengeForm(formdata=None),
        "response_form": given.get("response_form") or ResponseForm(formdata=None),
        "response_for": given.get("response_for"),
        "accept_form": given.get("accept_form") or accept_form(action),
        "return_form": given.get("return_form") or ReturnForm(formdata=None, data=version),
        "close_form": given.get("close_form") or CloseForm(formdata=None, data=version),
    }
