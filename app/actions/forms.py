import secrets

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    DateField,
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

from app.actions.models import RAG_DEFINITIONS, RAG_LABELS, SOURCE_LABELS, STATUS_LABELS, ActionStatus
from app.forms import DateInput, strip_filter

RAG_CHOICES = [SelectChoice(str(r), label) for r, label in RAG_LABELS.items()]
RAG_HINTS = [{"hint": {"text": RAG_DEFINITIONS[r]}} for r in RAG_LABELS]
STATUS_CHOICES = [
    SelectChoice(str(s), label) for s, label in STATUS_LABELS.items() if s != ActionStatus.CLOSED
]


def _token() -> str:
    return secrets.token_urlsafe(24)


class ProgressUpdateForm(FlaskForm):
    """An update posted inline in the action list or on the action's page."""

    lock_version = HiddenField()
    submission_token = HiddenField(
        default=_token,
        validators=[DataRequired("This form is out of date. Reload the page."), Length(16, 64)],
    )
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

    def __init__(self, *args, current_rag: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_rag = current_rag

    def validate_rag_reason(self, field):
        if self.rag.data and self.current_rag and self.rag.data != self.current_rag and not field.data:
            raise ValidationError("Give a reason for changing the RAG status")

    def validate_status(self, field):
        if field.data == ActionStatus.COMPLETE and self.percent_complete.data != 100:
            raise ValidationError("An action can only be complete at 100%")


class ActionForm(FlaskForm):
    lock_version = HiddenField()
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


class ChallengeForm(FlaskForm):
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


class AcceptForm(FlaskForm):
    lock_version = HiddenField()
    project_id = SelectField(
        "Add it to project", widget=GovSelect(), validators=[InputRequired("Choose a project")]
    )
    submit = SubmitField("Accept into the programme", widget=GovSubmitInput())


class ReturnForm(FlaskForm):
    lock_version = HiddenField()
    reason = TextAreaField(
        "Why it is being returned",
        widget=GovTextArea(),
        filters=[strip_filter],
        validators=[DataRequired("Say why the action is being returned"), Length(max=2000)],
        render_kw={"rows": 2},
    )
    submit = SubmitField("Return to the agency", widget=GovSubmitInput())


class CloseForm(FlaskForm):
    lock_version = HiddenField()
    submission_token = HiddenField(
        default=_token,
        validators=[DataRequired("This form is out of date. Reload the page."), Length(16, 64)],
    )
    reason = TextAreaField(
        "Why the action is being closed",
        widget=GovTextArea(),
        filters=[strip_filter],
        validators=[DataRequired("Say why the action is being closed"), Length(max=2000)],
        render_kw={"rows": 2},
    )
    submit = SubmitField("Close action", widget=GovSubmitInput())
