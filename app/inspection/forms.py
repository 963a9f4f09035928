"""The inspection pages' forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    FileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.auth.models import Role
from app.forms import OneTimeForm, RealDateField, TextBox, VersionedForm, strip_filter
from app.inspection.models import ACTIVITY_KINDS, ACTIVITY_STATUSES, GRADE_LABELS
from app.lean_fields import LeanSelect

GRADE_CHOICES = [SelectChoice(value, label) for value, label in GRADE_LABELS.items()]
TEXT_LIMIT = 5000


def _text(label: str, description: str = "", required: str | None = None, rows: int = 5, limit=TEXT_LIMIT):
    validators = [DataRequired(required)] if required else [Optional()]
    return TextAreaField(
        label,
        description=description,
        widget=TextBox(rows),
        filters=[strip_filter],
        validators=[*validators, Length(max=limit, message=f"Keep it to {limit:,} characters or fewer")],
    )


# --- The framework -----------------------------------------------------------------------------


class FrameworkForm(VersionedForm):
    name = StringField(
        "Name of the inspection framework",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[DataRequired("Enter the name of the framework"), Length(max=200)],
    )
    fieldwork_starts_on = RealDateField(
        "Fieldwork starts",
        description="The first day inspectors are on site, if it is known. For example, 27 3 2027",
        validators=[Optional()],
    )
    submit = SubmitField("Save the framework", widget=GovSubmitInput())


class AreaForm(VersionedForm):
    name = StringField(
        "Judgement area",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[DataRequired("Enter the name of the judgement area"), Length(max=160)],
    )
    description = _text("What inspectors look at", rows=3, limit=2000)
    outstanding = _text("Outstanding", "What inspectors expect to see for this grade", rows=4)
    good = _text("Good", "What inspectors expect to see for this grade", rows=4)
    adequate = _text("Adequate", "What inspectors expect to see for this grade", rows=4)
    inadequate = _text("Inadequate", "What inspectors expect to see for this grade", rows=4)
    submit = SubmitField("Save the judgement area", widget=GovSubmitInput())


class NewAreaForm(OneTimeForm, AreaForm):
    pass


# --- Self-assessment -----------------------------------------------------------------------------


class ConsolidateForm(VersionedForm):
    grade = RadioField(
        "The partnership's grade",
        widget=GovRadioInput(),
        choices=GRADE_CHOICES,
        validators=[InputRequired("Choose the grade the partnership judges itself")],
    )
    strengths = _text("Strengths", "What the evidence shows is working well", rows=6)
    areas_for_development = _text("Areas for development", "What still needs to improve, and how", rows=6)
    note = StringField(
        "Why the judgement changed",
        description="Needed when the grade moves from the last version",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[Length(max=300)],
    )
    submit = SubmitField("Save a new version", widget=GovSubmitInput())


class AgencyInputForm(VersionedForm):
    suggested_grade = RadioField(
        "The grade your agency would give",
        widget=GovRadioInput(),
        choices=GRADE_CHOICES,
        validators=[Optional()],
    )
    text = _text(
        "Your agency's view",
        "Strengths, gaps and evidence from your agency for this area",
        required="Enter your agency's view",
        rows=6,
    )
    submit = SubmitField("Save your agency's view", widget=GovSubmitInput())


class LinkActionForm(FlaskForm):
    reference = StringField(
        "Action reference",
        description="For example P03-02",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[DataRequired("Enter the reference of the action"), Length(max=20)],
    )
    submit = SubmitField("Link the action", widget=GovSubmitInput())


# --- Evidence ------------------------------------------------------------------------------------


class EvidenceForm(OneTimeForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[DataRequired("Enter a title"), Length(max=200)],
    )
    upload = FileField(
        "Upload a document",
        description="A PDF, Word (DOCX), Excel (XLSX), OpenDocument (ODT), PNG or JPEG file, up to 10 MB",
        widget=GovFileInput(),
    )
    link_path = StringField(
        "Or link to a page in the portal",
        description="For example /thresholds/pathway-to-provision/versions/1 or /actions/12",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[Length(max=300)],
    )
    owner_agency_id = SelectField("Owner agency", widget=LeanSelect(), coerce=int)
    dated = RealDateField(
        "Date of the document", validators=[InputRequired("Enter the date of the document")]
    )
    area_ids = SelectMultipleField("Judgement areas it supports", widget=GovCheckboxesInput(), coerce=int)
    visibility = RadioField(
        "Who may see it",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("partnership", "Everyone in the partnership"),
            SelectChoice("restricted", "Only the roles chosen below"),
        ],
        default="partnership",
        validators=[InputRequired("Choose who may see it")],
    )
    visible_to = SelectMultipleField(
        "Roles that may see a restricted item",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(str(role), role.label) for role in Role],
    )
    submit = SubmitField("Add to the library", widget=GovSubmitInput())


class ChecklistForm(VersionedForm):
    title = StringField(
        "Document inspectors ask for",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[DataRequired("Enter the document"), Length(max=200)],
    )
    owner_agency_id = SelectField("Owner agency", widget=LeanSelect(), coerce=int)
    due_on = RealDateField("Due", validators=[Optional()])
    evidence_id = SelectField(
        "Evidence that answers it",
        description="Linking evidence ticks the document off",
        widget=GovSelect(),
        coerce=int,
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class NewChecklistForm(OneTimeForm, ChecklistForm):
    pass


# --- Schedule --------------------------------------------------------------------------------------


class ActivityForm(VersionedForm):
    kind = SelectField(
        "Type of activity",
        widget=GovSelect(),
        choices=[SelectChoice(k, v) for k, v in ACTIVITY_KINDS.items()],
    )
    title = StringField(
        "Title",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[DataRequired("Enter a title"), Length(max=200)],
    )
    day = RealDateField("Date", validators=[InputRequired("Enter the date")])
    starts_at = StringField(
        "Starts",
        description="For example 09:30",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[DataRequired("Enter the start time"), Length(max=5)],
    )
    ends_at = StringField(
        "Ends",
        description="For example 10:30",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[DataRequired("Enter the end time"), Length(max=5)],
    )
    location = StringField(
        "Room or place",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[Length(max=120)],
    )
    inspectors = StringField(
        "Inspectors",
        description="Separate names with commas",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[Length(max=200)],
    )
    attendees = _text(
        "Attendees",
        "One a line: a portal user's email address, or the name of someone outside the portal",
        rows=4,
        limit=3000,
    )
    agency_id = SelectField("Agency", widget=LeanSelect(), coerce=int)
    status = SelectField(
        "Status", widget=GovSelect(), choices=[SelectChoice(k, v) for k, v in ACTIVITY_STATUSES.items()]
    )
    override_reason = StringField(
        "Reason to keep a clash",
        description="Only if it clashes with another activity and must stay as it is",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[Length(max=300)],
    )
    submit = SubmitField("Save the activity", widget=GovSubmitInput())


class NewActivityForm(OneTimeForm, ActivityForm):
    pass


class ImportForm(OneTimeForm):
    schedule = FileField(
        "Draft schedule (CSV)",
        description="Columns: date, start, end, type, title, location, inspectors, attendees, agency, "
        "override_reason. Nothing is imported if any row has a problem.",
        widget=GovFileInput(),
    )
    submit = SubmitField("Import the schedule", widget=GovSubmitInput())


class UnavailableForm(OneTimeForm):
    agency_id = SelectField("Agency", widget=LeanSelect(), coerce=int)
    day = RealDateField("Day it cannot take part", validators=[InputRequired("Enter the day")])
    reason = StringField(
        "Why",
        description="For example: court week, a training day",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[Length(max=200)],
    )
    submit = SubmitField("Record the day", widget=GovSubmitInput())
