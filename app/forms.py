"""Form helpers shared by every feature."""

from __future__ import annotations

import secrets

from email_validator import EmailNotValidError, validate_email
from flask import current_app, request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextArea
from wtforms import DateField, HiddenField
from wtforms.validators import DataRequired, Length, ValidationError

from app.auth.passwords import password_problems


def posted():
    """The form data to build a form from: the request's on a POST, none when showing it afresh."""
    return request.form if request.method == "POST" else None


class ButtonForm(FlaskForm):
    """A form with only a button: it exists to carry the CSRF token (sign out, deactivate…)."""


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


class PasswordPolicy:
    """WTForms validator applying the portal's password policy."""

    def __init__(self, email_field: str | None = None):
        self.email_field = email_field

    def __call__(self, form, field):
        email = ""
        if self.email_field and getattr(form, self.email_field, None) is not None:
            email = getattr(form, self.email_field).data or ""
        email = email or getattr(form, "account_email", "")
        problems = password_problems(
            field.data or "",
            partnership_name=current_app.config["PARTNERSHIP_NAME"],
            email=email,
        )
        if problems:
            raise ValidationError(problems[0])


class EmailAddress:
    """A syntactically valid email address. Reserved test domains (demo.test) are allowed."""

    message = "Enter an email address in the correct format, like name@example.org"

    def __call__(self, form, field):
        try:
            validate_email(field.data or "", check_deliverability=False, test_environment=True)
        except EmailNotValidError as error:
            raise ValidationError(self.message) from error


class DateInput(GovDateInput):
    """GOV.UK day/month/year inputs that cope with a post missing some of the three parts."""

    def map_gov_params(self, field, **kwargs):
        if field.raw_data is not None and len(field.raw_data) != 3:
            field.raw_data = (list(field.raw_data) + ["", "", ""])[:3]
        # A required date would put `required` on the boxes' container, a <div>: invalid HTML.
        kwargs.pop("required", None)
        return super().map_gov_params(field, **kwargs)


class RealDateField(DateField):
    """A date in GOV.UK day, month and year boxes. A date that cannot exist (31 13 2027) names its
    field, as GOV.UK asks: "Enter a real due date"."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("widget", DateInput())
        kwargs.setdefault("format", ["%d %m %Y", "%Y-%m-%d"])
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            text = self.label.text
            raise ValueError(f"Enter a real {text[:1].lower()}{text[1:]}") from None


class TextBox(GovTextArea):
    """A GOV.UK textarea of `rows` lines. (Giving rows through render_kw as well as the macro's own
    default wrote the attribute twice, which is invalid HTML.)"""

    def __init__(self, rows: int = 5):
        super().__init__()
        self.rows = rows

    def map_gov_params(self, field, **kwargs):
        rows = kwargs.pop("rows", self.rows)
        params = super().map_gov_params(field, **kwargs)
        params.setdefault("rows", rows)
        return params


class PageOrder:
    """A form whose page shows its fields in another order than they were declared (a subclass
    adds one in the middle) lists them in `page_order`, so that its error summary lists the
    problems in the order the page shows the fields."""

    page_order: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = list(self._fields)
        slots = [i for i, name in enumerate(names) if name in self.page_order]
        wanted = [name for name in self.page_order if name in self._fields]
        for slot, name in zip(slots, wanted, strict=True):
            names[slot] = name
        self._fields = {name: self._fields[name] for name in names}


class VersionedForm(FlaskForm):
    """A form that edits a Versioned record carries the version it was loaded at."""

    lock_version = HiddenField()

    def loaded_version(self) -> int | None:
        """The version the form was loaded at; None if unreadable (which app.locking.claim treats
        as stale, so a tampered field is a 409, never a crash)."""
        try:
            version = int(self.lock_version.data)
        except (TypeError, ValueError):
            return None
        return version if 0 < version < 2**31 else None


def new_token() -> str:
    return secrets.token_urlsafe(24)


class OneTimeForm(FlaskForm):
    """A form that creates something carries a one-time token (app.submissions). A fresh form gets
    a new token; a posted one must bring its own (a post without one is refused, not deduplicated
    against nothing)."""

    submission_token = HiddenField(
        validators=[
            DataRequired("This form is out of date. Reload the page and try again."),
            Length(16, 64, "This form is out of date. Reload the page and try again."),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.submission_token.raw_data is None:  # shown afresh, not posted
            self.submission_token.data = new_token()
