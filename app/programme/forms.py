"""The project form, and building it with its agencies and current values."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from sqlalchemy import select
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.actions.models import Project
from app.auth.options import agency_select_choices
from app.extensions import db
from app.forms import OneTimeForm, RealDateField, TextBox, VersionedForm, strip_filter
from app.programme.services import ProjectDetails


class ProjectForm(VersionedForm):
    number = IntegerField(
        "Project number",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the project's number"),
            NumberRange(1, 99, "Enter a number from 1 to 99"),
        ],
    )
    title = StringField(
        "Project",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            DataRequired("Enter the project's name"),
            Length(max=200, message="Project must be 200 characters or fewer"),
        ],
    )
    aim = TextAreaField(
        "Aim",
        widget=TextBox(rows=3),
        filters=[strip_filter],
        validators=[Length(max=4000, message="Aim must be 4,000 characters or fewer")],
    )
    lead_name = StringField(
        "Project lead",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[DataRequired("Enter the project lead's name"), Length(max=120)],
    )
    lead_agency_id = SelectField("Lead agency", widget=GovSelect(), validators=[Optional()])
    start_date = RealDateField("Start date", validators=[Optional()])
    end_date = RealDateField("Planned end date", validators=[Optional()])
    submit = SubmitField("Save project", widget=GovSubmitInput())

    def __init__(self, *args, project: Project | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._project = project

    def validate_number(self, field):
        clash = db.session.scalar(select(Project).where(Project.number == field.data))
        if clash is not None and clash is not self._project:
            raise ValidationError(f"Project {field.data} already exists: {clash.title}")

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("The planned end date must be on or after the start date")


class NewProjectForm(ProjectForm, OneTimeForm):
    """Adding a project: a double click adds one."""


def project_form(project: Project | None = None, formdata=None) -> ProjectForm:
    data = None
    if project is not None:
        data = {
            "lock_version": project.lock_version,
            "number": project.number,
            "title": project.title,
            "aim": project.aim,
            "lead_name": project.lead_name,
            "lead_agency_id": str(project.lead_agency_id or ""),
            "start_date": project.start_date,
            "end_date": project.end_date,
        }
    form = (NewProjectForm if project is None else ProjectForm)(formdata=formdata, data=data, project=project)
    # The template offers these as agency_option_tags(), kept ready-made.
    form.lead_agency_id.choices = agency_select_choices("Choose an agency")
    return form


def details_from_form(form: ProjectForm) -> ProjectDetails:
    return ProjectDetails(
        number=form.number.data,
        title=form.title.data,
        aim=form.aim.data or "",
        lead_name=form.lead_name.data,
        lead_agency_id=int(form.lead_agency_id.data) if form.lead_agency_id.data else None,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
    )
