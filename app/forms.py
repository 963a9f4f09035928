"""Form helpers shared by every feature."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms.validators import ValidationError

from app.auth.passwords import password_problems


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
        return super().map_gov_params(field, **kwargs)


def submitted_lock_version(form) -> int:
    """The lock_version the form was loaded with. Anything unreadable can match no row, so the
    compare-and-set answers with a conflict (409) rather than a crash."""
    try:
        lock = int(form.lock_version.data)
    except (TypeError, ValueError):
        return -1
    return lock if 0 <= lock < 2**31 else -1
