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
from wtforms.validators import DataRequired, Length, Optional, Regexp, StopValidation, ValidationError
from wtforms.widgets import HiddenInput

from app.extensions import db
from app.forms import DateInput, EmailAddress, OneTimeForm, VersionedForm, strip_filter
from app.thresholds import bp
from app.thresholds.models import LEVELS, ThresholdDocument

TEXT_LIMIT = 20_000
FORMATTING_HINT = (
    "Simple formatting: a blank line starts a new paragraph, - starts a bullet, ## a heading, "
    "**bold**, [link text](https://example.org)."
)
LEVEL_CHOICES = [SelectChoice(str(n), f"Level {n}: {title}") for n, title in LEVELS.items()]
# Addresses under /thresholds/ that are pages, not documents.
RESERVED_SLUGS = frozenset({"new", "search-synonyms"})


class TextArea(GovTextArea):
    """The GOV.UK textarea with its height from the field (`rows` given as an attribute as well
    would write the attribute twice, which is invalid HTML)."""

    def map_gov_params(self, field, **kwargs):
        rows = kwargs.pop("rows", None)
        params = super().map_gov_params(field, **kwargs)
        if rows:
            params["rows"] = rows
        return params


def _text(label, *, required=None, limit=TEXT_LIMIT, hint=None, rows=5):
    validators = [DataRequired(required)] if required else [Optional()]
    validators.append(Length(max=limit, message=f"{label} must be {limit:,} characters or fewer"))
    return TextAreaField(
        label,
        description=hint,
        widget=TextArea(),
        filters=[strip_filter],
        validators=validators,
        render_kw={"rows": rows},
    )


class DateParts:
    """Day, month and year: when all are empty, stop (with `message` if the date is required);
    otherwise carry on, so a part-filled or impossible date gets its own message. WTForms'
    Optional looks only at the day, and would quietly drop "", "6", "2027"."""

    def __init__(self, message: str | None = None):
        self.message = message
        self.field_flags = {} if message else {"optional": True}

    def __call__(self, form, field):
        if not any((part or "").strip() for part in field.raw_data or []):
            field.errors[:] = []
            raise StopValidation(self.message)


def _date(label, *, invalid, required=None, hint=None):
    return DateField(
        label,
        description=hint,
        widget=DateInput(),
        validators=[DateParts(required)],
        format=["%d %m %Y", "%Y-%m-%d"],
        invalid_value_message=invalid,
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
        if field.data in RESERVED_SLUGS:
            raise ValidationError("This web address is used by the portal: choose another")
        if db.session.scalar(select(ThresholdDocument.id).where(ThresholdDocument.slug == field.data)):
            raise ValidationError("Another threshold document already uses this web address")


class SectionForm(Form):
    code = _line("Section letter", limit=10, hint="For example A, B or C")
    title = _line("Section title", required="Enter the section's title")
    body = _text("Section text", hint=FORMATTING_HINT, rows=8)
    shows = SelectField(
        "After this section's text, show",
        widget=GovSelect(),
        choices=[
            SelectChoice("", "Nothing else"),
            SelectChoice("levels", "The four levels of need"),
            SelectChoice("pathways", "The referral pathways"),
        ],
    )
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
    next_review_date = _date(
        "Next review date",
        hint="For example, 30 6 2027. Required to publish.",
        invalid="Enter a real next review date",
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

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self._one_section_each() and valid

    def _one_section_each(self) -> bool:
        """The levels and the pathways each follow one section at most (one heading each)."""
        taken: set[str] = set()
        for entry in self.sections.entries:
            shows = entry.form.shows
            if shows.data in taken:
                what = "the four levels of need" if shows.data == "levels" else "the referral pathways"
                shows.errors = [*shows.errors, f"Only one section can show {what}"]
                self.form_errors.append(shows.errors[-1])
            elif shows.data:
                taken.add(shows.data)
        return not self.form_errors


class DocumentSettingsForm(FlaskForm):
    title = _line("Title of the document", required="Enter a title")
    is_public = BooleanField(
        "Anyone can read the published version without signing in", widget=GovCheckboxInput()
    )
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class PublishForm(VersionedForm):
    """Check your answers, then publish: the draft as it was when the page was shown."""

    effective_from = _date(
        "Date it takes effect",
        hint="Today, or a later date. Until then partners keep reading the current version, and "
        "the new one is shown as scheduled. For example, 1 4 2027.",
        required="Enter the date it takes effect",
        invalid="Enter a real date for it to take effect",
    )
    submit = SubmitField("Publish", widget=GovSubmitInput())


SYNONYMS_HINT = (
    "One line for each set of words that mean the same, separated by commas. For example: "
    "DV, domestic violence, domestic abuse. Searching for any of them finds the others. Capitals, "
    "hyphens and word endings do not matter."
)


class SynonymsForm(VersionedForm):
    synonyms = _text("Words that mean the same", hint=SYNONYMS_HINT, rows=16)
    submit = SubmitField("Save the synonyms", widget=GovSubmitInput())

    def loaded_version(self) -> int | None:
        """0 when the page was shown before anyone had saved a list."""
        return 0 if self.lock_version.data == "0" else super().loaded_version()


# --- The error summary, in the order the fields are on the page ------------------------------


@bp.app_template_global()
def thresholds_error_list(form) -> list[dict]:
    """Every error of `form` in page order, each linking to its own field's id: the GOV.UK helper
    numbers list entries from 0 even after some were removed, and a date's link must reach its
    first box."""
    items: list[dict] = []
    for field in form:
        _collect_errors(field, items)
    return items


def _collect_errors(field, items: list[dict]) -> None:
    if isinstance(field, FieldList):
        for entry in field.entries:
            _collect_errors(entry, items)
        own = [e for e in field.errors if isinstance(e, str)]
        if own and field.entries:
            items.append({"text": own[0], "href": "#" + _first_visible(field.entries[0].form)})
    elif isinstance(field, FormField):
        for subfield in field.form:
            _collect_errors(subfield, items)
    elif field.errors and isinstance(field.widget, HiddenInput):
        items.append({"text": field.errors[0]})  # a stale one-time token: nowhere to go
    elif field.errors:
        suffix = "-day" if isinstance(field.widget, DateInput) else ""
        items.append({"text": field.errors[0], "href": f"#{field.id}{suffix}"})


def _first_visible(form) -> str:
    return next(f.id for f in form if not isinstance(f.widget, HiddenInput))
