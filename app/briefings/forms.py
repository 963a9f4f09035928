"""Publishing a briefing."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextInput
from wtforms import SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app.auth.models import AGENCY_KIND_LABELS, Role
from app.forms import OneTimeForm, TextBox, strip_filter


class BriefingForm(OneTimeForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[DataRequired("Enter a title"), Length(max=200)],
    )
    body = TextAreaField(
        "Briefing",
        description="Markdown: blank lines between paragraphs, ## for a heading, - for a list, "
        "[words](link) for a link",
        widget=TextBox(10),
        filters=[strip_filter],
        validators=[DataRequired("Enter the briefing"), Length(max=20000)],
    )
    roles = SelectMultipleField(
        "Who it is for, by role",
        description="Leave all unticked for every role",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(str(role), role.label) for role in Role],
    )
    kinds = SelectMultipleField(
        "Who it is for, by kind of agency",
        description="Leave all unticked for every kind of agency",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(str(kind), label) for kind, label in AGENCY_KIND_LABELS.items()],
    )
    submit = SubmitField("Publish the briefing", widget=GovSubmitInput())
