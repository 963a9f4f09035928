"""The young people's form in plain words, and the participation leads' forms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, DateField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.forms import DateInput, OneTimeForm, VersionedForm, strip_filter
from app.participation.models import ACTION_LABELS, AGE_BANDS, Consultation, Response

if TYPE_CHECKING:
    from app.participation.services import OpenConsultation

SOMETHING_ELSE = "other"
TEXT_LIMIT = 2000


class FeedbackForm(OneTimeForm):
    """For young people: short questions, plain words, nothing required but something to say."""

    about = RadioField(
        "What is it about?",
        widget=GovRadioInput(),
        default=SOMETHING_ELSE,
        validators=[InputRequired("Choose what it is about")],
    )
    what_is_good = TextAreaField(
        "What is good?",
        description="Tell us what you like.",
        widget=GovTextArea(),
        filters=[strip_filter],
        validators=[Length(max=TEXT_LIMIT, message="Please keep it shorter: up to 2,000 letters")],
    )
    what_should_change = TextAreaField(
        "What should change?",
        description="Tell us what would make it better.",
        widget=GovTextArea(),
        filters=[strip_filter],
        validators=[Length(max=TEXT_LIMIT, message="Please keep it shorter: up to 2,000 letters")],
    )
    wants_contact = BooleanField(
        "I don\u2019t feel safe, or I want someone to talk to me", widget=GovCheckboxInput()
    )
    contact_details = StringField(
        "How can we reach you?",
        description="A phone number or email. You do not have to say. Only a safety worker will see it.",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[Length(max=300, message="Please keep it shorter")],
    )
    age_band = RadioField(
        "How old are you?",
        description="You do not have to say.",
        widget=GovRadioInput(),
        choices=[SelectChoice(key, label) for key, label in AGE_BANDS.items()],
        validators=[Optional()],
    )
    service = StringField(
        "Which service is it about?",
        description="For example your school, your social worker or a youth club. You do not have to say.",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[Length(max=120, message="Please keep it shorter")],
    )
    # A field people never see: only robots fill it in (they are thanked, and nothing is kept).
    website = StringField("Leave this empty", filters=[strip_filter])
    submit = SubmitField("Send", widget=GovSubmitInput())


def feedback_form(consultations: Iterable[OpenConsultation], formdata=None) -> FeedbackForm:
    form = FeedbackForm(formdata=formdata)
    form.about.choices = [SelectChoice(str(c.id), c.question) for c in consultations] + [
        SelectChoice(SOMETHING_ELSE, "Something else")
    ]
    return form


class ActionForm(FlaskForm):
    action_taken = RadioField(
        "What did you do?",
        widget=GovRadioInput(),
        choices=[SelectChoice(str(k), v) for k, v in ACTION_LABELS.items()],
        validators=[InputRequired("Choose what was done")],
    )
    note = TextAreaField(
        "Details",
        description="Who it was referred to and their reference, or how and when you made contact.",
        widget=GovTextArea(),
        filters=[strip_filter],
        validators=[Length(max=2000)],
    )
    submit = SubmitField("Record what was done", widget=GovSubmitInput())


class ThemesForm(FlaskForm):
    themes = StringField(
        "Themes",
        description="Separate themes with commas, for example: school, feeling safe, reviews.",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[Length(max=400)],
    )
    submit = SubmitField("Save themes", widget=GovSubmitInput())


class ConsultationForm(VersionedForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[DataRequired("Enter a title"), Length(max=120)],
    )
    question = StringField(
        "The question, in plain words",
        description="For example: What makes you feel safe?",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[DataRequired("Enter the question young people will see"), Length(max=300)],
    )
    description = TextAreaField(
        "A few words about it",
        widget=GovTextArea(),
        filters=[strip_filter],
        validators=[Length(max=1000)],
    )
    audience = StringField(
        "Who it is for",
        description="For example: children in care aged 8 to 17.",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[Length(max=200)],
    )
    opens_on = DateField(
        "Opens",
        widget=DateInput(),
        format=["%d %m %Y", "%Y-%m-%d"],
        validators=[InputRequired("Enter a real opening date")],
    )
    closes_on = DateField(
        "Closes",
        widget=DateInput(),
        format=["%d %m %Y", "%Y-%m-%d"],
        validators=[InputRequired("Enter a real closing date")],
    )
    submit = SubmitField("Save consultation", widget=GovSubmitInput())


class NewConsultationForm(ConsultationForm, OneTimeForm):
    pass


class ResponseForm(VersionedForm):
    you_said = TextAreaField(
        "You said",
        description="The theme, in the partnership's words. Never quote a young person.",
        widget=GovTextArea(),
        filters=[strip_filter],
        validators=[DataRequired("Write what young people said"), Length(max=400)],
    )
    we_did = TextAreaField(
        "We did",
        widget=GovTextArea(),
        filters=[strip_filter],
        validators=[DataRequired("Write what the partnership did"), Length(max=2000)],
    )
    action_reference = StringField(
        "The partnership action it led to",
        description="Its reference, for example P12-03. Leave empty if there is none.",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[Length(max=20)],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class NewResponseForm(ResponseForm, OneTimeForm):
    pass


class PublishForm(VersionedForm):
    submit = SubmitField("Publish", widget=GovSubmitInput())


def response_form(response: Response | None = None, formdata=None) -> ResponseForm:
    data = None
    if response is not None:
        data = {
            "lock_version": response.lock_version,
            "you_said": response.you_said,
            "we_did": response.we_did,
            "action_reference": response.action.reference if response.action else "",
        }
    return (NewResponseForm if response is None else ResponseForm)(formdata=formdata, data=data)


def consultation_form(consultation: Consultation | None = None, formdata=None) -> ConsultationForm:
    data = None
    if consultation is not None:
        data = {**consultation.audit_view(), "lock_version": consultation.lock_version}
        data["description"], data["audience"] = consultation.description, consultation.audience
        data["opens_on"], data["closes_on"] = consultation.opens_on, consultation.closes_on
    return (NewConsultationForm if consultation is None else ConsultationForm)(formdata=formdata, data=data)
