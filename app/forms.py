"""Form helpers shared by every feature."""

from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
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
