from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from sqlalchemy import select
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.auth import options
from app.auth.models import AGENCY_KIND_LABELS, ROLE_LABELS, Agency, User, normalise_email
from app.extensions import db
from app.forms import EmailAddress, OneTimeForm, PageOrder, VersionedForm, strip_filter
from app.lean_fields import LeanSelect
from app.pagination import bounded_int


class AgencyForm(VersionedForm):
    """An agency's details; the version makes a second admin's edit a conflict, not an overwrite."""

    name = StringField(
        "Agency name",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            DataRequired("Enter the agency's name"),
            Length(max=160, message="Agency name must be 160 characters or fewer"),
        ],
    )
    kind = SelectField(
        "Kind of agency",
        widget=GovSelect(),
        choices=[SelectChoice("", "Choose a kind")]
        + [SelectChoice(str(k), label) for k, label in AGENCY_KIND_LABELS.items()],
        validators=[InputRequired("Choose what kind of agency this is")],
    )
    district = StringField(
        "District or area",
        description="For example Mansfield and Ashfield, Bassetlaw, or countywide.",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[Length(max=80, message="District must be 80 characters or fewer")],
    )
    submit = SubmitField("Save agency", widget=GovSubmitInput())

    def __init__(self, *args, agency: Agency | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._agency = agency

    def validate_name(self, field):
        clash = db.session.scalar(select(Agency).where(Agency.name == field.data))
        if clash is not None and clash is not self._agency:
            raise ValidationError("An agency with this name already exists")


class NewAgencyForm(AgencyForm, OneTimeForm):
    """Adding an agency: a double click adds one."""


ROLE_CHOICES = [SelectChoice("", "Choose a role")] + [
    SelectChoice(str(r), label) for r, label in ROLE_LABELS.items()
]


class UserDetailsForm(FlaskForm):
    full_name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            DataRequired("Enter the person's full name"),
            Length(max=120, message="Full name must be 120 characters or fewer"),
        ],
    )
    agency_id = SelectField(
        "Agency", widget=LeanSelect(), validators=[InputRequired("Choose the person's agency")]
    )
    role = SelectField(
        "Role",
        widget=GovSelect(),
        choices=ROLE_CHOICES,
        validators=[InputRequired("Choose a role")],
    )

    def __init__(self, *args, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._user = user
        # Every active agency, and the person's own if it is archived.
        self.agency_id.choices = options.agency_select_choices(
            "Choose an agency", also=user.agency if user else None
        )

    def validate_agency_id(self, field):
        agency_id = bounded_int(field.data) if field.data else None
        if agency_id is None or db.session.get(Agency, agency_id) is None:
            raise ValidationError("Choose the person's agency")


class InviteUserForm(PageOrder, UserDetailsForm, OneTimeForm):
    page_order = ("full_name", "email", "agency_id", "role")
    email = StringField(
        "Email address",
        description="The invitation to set a password is sent here.",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            DataRequired("Enter the person's email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            EmailAddress(),
        ],
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())

    def validate_email(self, field):
        existing = db.session.scalar(select(User.id).where(User.email == normalise_email(field.data)))
        if existing is not None:
            raise ValidationError("There is already an account with this email address")


class EditUserForm(UserDetailsForm, VersionedForm):
    submit = SubmitField("Save changes", widget=GovSubmitInput())
