from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import HiddenInput

from app.extensions import db
from app.forms import DateInput, EmailAddress, OneTimeForm, VersionedForm, strip_filter
from app.thresholds.models import LEVELS, ThresholdDocument

TEXT_LIMIT = 20_000
FORMATTING_HINT = (
    "Simple formatting: a blank line starts a new paragraph, - starts a bullet, ## a heading, "
    "**bold**, [link text](https://example.org)."
)
LEVEL_CHOICES = [SelectChoice(str(n), f"Level {n}: {title}") for n, title in LEVELS.items()]


def _text(label, *, required=None, limit=TEXT_LIMIT, hint=None, rows=5):
    validators = [DataRequired(required)] if required else [Optional()]
    validators.append(Length(max=limit, message=f"{label} must be {limit:,} characters or fewer"))
    return TextAreaField(
        label,
        description=hint,
        widget=GovTextArea(),
        filters=[strip_filter],
        validators=validators,
        render_kw={"rows": rows},
    )


def _line(label, *, required=None, limit=200, hint=None):
    validators = [DataRequired(required)] if required else [Optional()]
    validators.append(Length(max=limit, message=f"{label} must be {limit} characters or fewer"))
    return StringField(
        label, description=hint, widget=GovTextInput(), filters=[strip_filter], validators=validators
    )


class NewDocumentForm(OneTimeForm):
    title = _line("Title", required="Enter a title", hint="For example, Pathway to Provision")
    slug = StringField(
        "Web address",
        description="Lower-case letters, numbers and hyphens, used in the document's address, "
        "for example /thresholds/pathway-to-provision",
        widget=GovTextInput(),
        filters=[strip_filter, lambda v: v.lower() if isinstance(v, str) else v],
        validators=[
            DataRequired("Enter a web address"),
            Length(max=80, message="Web address must be 80 characters or fewer"),
            Regexp(
                r"^[a-z0-9]+(-[a-z0-9]+)*$", message="Use only lower-case letters, numbers and single hyphens"
            ),
        ],
    )
    is_public = BooleanField(
        "Anyone can read this document without signing in, once it is published", widget=GovCheckboxInput()
    )
    submit = SubmitField("Create draft", widget=GovSubmitInput())

    def validate_slug(self, field):
        if db.session.scalar(select(ThresholdDocument.id).where(ThresholdDocument.slug == field.data)):
            raise ValidationError("Another threshold document already uses this web address")


class SectionForm(Form):
    code = _line("Section letter", limit=10, hint="For example A, B or C")
    title = _line("Section title", required="Enter the section's title")
    body = _text("Section text", hint=FORMATTING_HINT, rows=8)
    remove = BooleanField("Remove this section when saving", widget=GovCheckboxInput())


class LevelForm(Form):
    level = IntegerField(widget=HiddenInput())
    title = _line("Name of the level", required="Enter the level's name", limit=120)
    description = _text("What this level means", hint=FORMATTING_HINT, rows=4)
    development = _text("Indicators: child's developmental needs", hint="One indicator per line.", limit=8000)
    parenting = _text("Indicators: parenting capacity", hint="One indicator per line.", limit=8000)
    family = _text("Indicators: family and environmental factors", hint="One indicator per line.", limit=8000)
    response = _text("Expected response", hint=FORMATTING_HINT, rows=4)
    contact = _text("Who to contact", hint=FORMATTING_HINT, rows=3)


class PathwayForm(Form):
    concern = _line(
        "Type of concern", required="Enter the type of concern", limit=120, hint="For example Neglect"
    )
    level = SelectField("Level of need", widget=GovSelect(), choices=LEVEL_CHOICES, coerce=int)
    title = _line("Pathway title", required="Enter the pathway's title")
    steps = _text("Steps to take", required="Describe the steps to take", hint=FORMATTING_HINT, rows=6)
    service_name = _line("Service to refer to")
    contact_phone = StringField(
        "Telephone",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            Optional(),
            Length(max=40, message="Telephone must be 40 characters or fewer"),
            Regexp(
                r"^[0-9 +()\-]+$", message="Enter a telephone number using numbers, spaces and + ( ) - only"
            ),
        ],
    )
    contact_email = StringField(
        "Email",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            Optional(),
            Length(max=254, message="Email must be 254 characters or fewer"),
            EmailAddress(),
        ],
    )
    remove = BooleanField("Remove this pathway when saving", widget=GovCheckboxInput())


class DraftForm(VersionedForm):
    summary_of_amendments = _text(
        "Summary of key amendments",
        hint="What changed from the previous version, for partners who read the last one. "
        "Required to publish.",
        limit=4000,
        rows=4,
    )
    next_review_date = DateField(
        "Next review date",
        description="For example, 30 6 2027. Required to publish.",
        widget=DateInput(),
        validators=[Optional()],
        format=["%d %m %Y", "%Y-%m-%d"],
    )
    sections = FieldList(FormField(SectionForm), min_entries=0, max_entries=20)
    levels = FieldList(FormField(LevelForm), min_entries=4, max_entries=4)
    pathways = FieldList(FormField(PathwayForm), min_entries=0, max_entries=60)
    add_section = SubmitField("Add a section", widget=GovSubmitInput())
    add_pathway = SubmitField("Add a pathway", widget=GovSubmitInput())
    save = SubmitField("Save draft", widget=GovSubmitInput())

    def validate_levels(self, field):
        if sorted(entry.form.level.data or 0 for entry in field.entries) != [1, 2, 3, 4]:
            raise ValidationError("The four levels of need are fixed")


class DocumentSettingsForm(FlaskForm):
    title = _line("Title of the document", required="Enter a title")
    is_public = BooleanField(
        "Anyone can read the published version without signing in", widget=GovCheckboxInput()
    )
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class PublishForm(VersionedForm):
    submit = SubmitField("Publish this version", widget=GovSubmitInput())
