"""The return's form (built from its template version's questions), the review forms, the SCR
upload, and the period form."""

from __future__ import annotations

from functools import lru_cache

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    FileField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.auth.models import AGENCY_KIND_LABELS
from app.forms import OneTimeForm, RealDateField, VersionedForm, strip_filter
from app.returns.models import RATING_LABELS, Return, ReturnPeriod
from app.returns.questions import COUNT, DATE, TEXT, YES_NO, Question
from app.returns.scr import COUNTED_KEYS
from app.returns.services import COMMENT_LIMIT, LARGEST_COUNT, TEXT_LIMIT, answer_problems, stored_answers

RATING_CHOICES = [SelectChoice(str(value), label) for value, label in RATING_LABELS.items()]


def parse_count(text) -> int | None:
    """A count as typed: blank is "not answered yet"; else a whole number, 0 or more."""
    if text is None or isinstance(text, int):
        return text
    text = str(text).strip().replace(",", "")
    if not text:
        return None
    if text.startswith("-") and text[1:].isdigit():
        raise ValueError("Enter 0 or more")
    if not text.isdigit():
        raise ValueError("Enter a whole number, like 12")
    number = int(text)
    if number > LARGEST_COUNT:
        raise ValueError("Enter a number under 1,000,000")
    return number


class CountText:
    def __call__(self, form, field):
        try:
            parse_count(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None


def _field_for(question: Question):
    hint = question.hint or None
    if question.kind == COUNT:
        return StringField(
            question.label,
            description=hint,
            widget=GovTextInput(),
            filters=[strip_filter],
            validators=[CountText()],
        )
    if question.kind == YES_NO:
        return RadioField(
            question.label,
            description=hint,
            choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
            widget=GovRadioInput(),
            validators=[Optional()],
        )
    if question.kind == DATE:
        return RealDateField(question.label, description=hint, validators=[Optional()])
    assert question.kind == TEXT  # noqa: S101 - the four kinds are all there are
    return TextAreaField(
        question.label,
        description=hint,
        widget=GovTextArea(),
        filters=[strip_filter],
        validators=[Length(max=TEXT_LIMIT, message=f"Keep it to {TEXT_LIMIT:,} characters")],
    )


class ReturnFormBase(VersionedForm):
    questions: tuple[Question, ...] = ()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        answers = self.answers()
        for key, message in answer_problems(self.questions, answers).items():
            if not self[key].errors:
                self[key].errors = [*self[key].errors, message]
                valid = False
        return valid

    def answers(self) -> dict:
        """The answers as typed, each as its kind (fields with errors left out)."""
        values = {}
        for question in self.questions:
            field = self[question.key]
            if field.errors:
                continue
            if question.kind == COUNT:
                try:
                    values[question.key] = parse_count(field.data)
                except ValueError:
                    continue
            else:
                values[question.key] = field.data or None
        return values

    def comments(self) -> dict[str, str]:
        return {q.key: self[f"{q.key}_comment"].data or "" for q in self.questions}


def return_form(ret: Return, formdata=None) -> ReturnFormBase:
    data = {
        **stored_answers(ret),
        **{f"{key}_comment": text for key, text in (ret.comments or {}).items()},
        "self_rating": ret.self_rating or None,
        "lock_version": ret.lock_version,
    }
    return _return_form_class(ret.questions)(formdata=formdata, data=data)


@lru_cache(maxsize=32)
def _return_form_class(questions: tuple[Question, ...]) -> type[ReturnFormBase]:
    """The form class for one set of questions (a template version and an agency kind), made once
    per process: a class of fifty fields costs a millisecond to build, and it never changes."""
    attrs: dict = {"questions": questions}
    for question in questions:
        attrs[question.key] = _field_for(question)
        attrs[f"{question.key}_comment"] = TextAreaField(
            "Comment on this answer (optional)",
            widget=GovTextArea(),
            filters=[strip_filter],
            validators=[
                Length(max=COMMENT_LIMIT, message=f"Keep the comment to {COMMENT_LIMIT:,} characters")
            ],
        )
    attrs["self_rating"] = RadioField(
        "Your self-assessed rating",
        description="How well your agency met safer recruitment in this period.",
        choices=RATING_CHOICES,
        widget=GovRadioInput(),
        validators=[Optional()],
    )
    attrs["save"] = SubmitField("Save draft", widget=GovSubmitInput())
    return type("ReturnForm", (ReturnFormBase,), attrs)


class SubmitReturnForm(VersionedForm, OneTimeForm):
    submit = SubmitField("Submit the return", widget=GovSubmitInput())


class AcceptForm(VersionedForm, OneTimeForm):
    moderated_rating = RadioField(
        "Moderated rating",
        description="Leave it as the agency's own rating if you agree with it.",
        choices=RATING_CHOICES,
        widget=GovRadioInput(),
        validators=[Optional()],
    )
    submit = SubmitField("Accept the return", widget=GovSubmitInput())


class AmendForm(VersionedForm, OneTimeForm):
    reason = TextAreaField(
        "What the agency needs to change",
        description="The agency's lead will see this.",
        widget=GovTextArea(),
        filters=[strip_filter],
        validators=[DataRequired("Say what the agency needs to change"), Length(max=2000)],
    )
    moderated_rating = RadioField(
        "Moderated rating", choices=RATING_CHOICES, widget=GovRadioInput(), validators=[Optional()]
    )
    submit = SubmitField("Return it for amendment", widget=GovSubmitInput())


# Every form on a return's page but the return form itself has its own prefix (unique ids).
PAGE_FORM_PREFIXES = {"submit_form": "submit", "accept_form": "accept", "amend_form": "amend"}


def page_forms(ret: Return, posted_form: str | None = None, formdata=None, *, wanted=None, **given) -> dict:
    """The forms of a return's page: those `given`, and the others made afresh, but only those
    `wanted` (names; all if None): the rest are None (a page shows only the forms its reader may
    use, and each costs as much to make as a field of the return)."""
    forms = {}
    for name, prefix in PAGE_FORM_PREFIXES.items():
        if name in given:
            forms[name] = given[name]
            continue
        if wanted is not None and name not in wanted and name != posted_form:
            forms[name] = None
            continue
        form_class = {"submit_form": SubmitReturnForm, "accept_form": AcceptForm, "amend_form": AmendForm}[
            name
        ]
        data = {"lock_version": ret.lock_version}
        if name == "accept_form":
            data["moderated_rating"] = ret.self_rating or None
        forms[name] = form_class(formdata=formdata if name == posted_form else None, data=data, prefix=prefix)
    return forms


class ScrUploadForm(FlaskForm):
    file = FileField(
        "Your SCR export, as a CSV file",
        widget=GovFileInput(),
        render_kw={"accept": ".csv,text/csv"},
    )
    submit = SubmitField("Count from this file", widget=GovSubmitInput())


class ScrApplyForm(VersionedForm):
    submit = SubmitField("Apply these counts to the draft", widget=GovSubmitInput())


def scr_apply_form(ret: Return, counts: dict[str, int] | None = None, formdata=None) -> ScrApplyForm:
    attrs = {key: HiddenField() for key in sorted(COUNTED_KEYS)}
    form_class = type("ScrApplyForm", (ScrApplyForm,), attrs)
    return form_class(formdata=formdata, data={**(counts or {}), "lock_version": ret.lock_version})


def posted_counts(form: ScrApplyForm) -> dict:
    """The counts the apply form carried back (checked as counts by the service)."""
    counts = {}
    for key in COUNTED_KEYS:
        try:
            counts[key] = parse_count(form[key].data)
        except ValueError:
            counts[key] = form[key].data
    return counts


class PeriodForm(VersionedForm):
    name = StringField(
        "Name",
        description="For example: 2009/10 Q3",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[DataRequired("Enter a name for the period"), Length(max=60)],
    )
    covers_from = RealDateField(
        "First day the return covers", validators=[DataRequired("Enter a real first day")]
    )
    covers_to = RealDateField(
        "Last day the return covers", validators=[DataRequired("Enter a real last day")]
    )
    opens_on = RealDateField("Returns open on", validators=[DataRequired("Enter a real opening date")])
    due_on = RealDateField("Returns are due on", validators=[DataRequired("Enter a real due date")])
    agency_kinds = SelectMultipleField(
        "Which agencies it applies to",
        description="Leave every box clear for every agency.",
        choices=[SelectChoice(str(k), label) for k, label in AGENCY_KIND_LABELS.items()],
        widget=GovCheckboxesInput(),
        validators=[Optional()],
    )
    closed = BooleanField("Closed: no more returns are taken", widget=GovCheckboxInput())
    submit = SubmitField("Save period", widget=GovSubmitInput())


class NewPeriodForm(PeriodForm, OneTimeForm):
    pass


def period_form(period: ReturnPeriod | None = None, formdata=None) -> PeriodForm:
    data = None
    if period is not None:
        data = {
            "name": period.name,
            "covers_from": period.covers_from,
            "covers_to": period.covers_to,
            "opens_on": period.opens_on,
            "due_on": period.due_on,
            "agency_kinds": period.kinds,
            "closed": period.closed,
            "lock_version": period.lock_version,
        }
    return (NewPeriodForm if period is None else PeriodForm)(formdata=formdata, data=data)
