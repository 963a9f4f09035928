from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from app.auth.passwords import MAX_LENGTH
from app.forms import PageOrder, PasswordPolicy, strip_filter


class SignInForm(FlaskForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[DataRequired("Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), Length(max=MAX_LENGTH)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class NewPasswordMixin:
    password = PasswordField(
        "New password",
        description="At least 12 characters. A few unrelated words together make a strong, "
        "memorable password.",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter a new password"), PasswordPolicy()],
    )
    confirm = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter the new password again"),
            EqualTo("password", "The passwords do not match"),
        ],
    )


class TwoFactorForm(FlaskForm):
    code = StringField(
        "Code",
        description="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[DataRequired("Enter the code from your authenticator app"), Length(max=20)],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class EnrolTwoFactorForm(FlaskForm):
    code = StringField(
        "Code from your authenticator app",
        description="6 digits, shown after you add the portal to the app.",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[DataRequired("Enter the 6-digit code your authenticator app shows"), Length(max=20)],
    )
    submit = SubmitField("Turn on two-factor sign-in", widget=GovSubmitInput())


class ConfirmSignInForm(FlaskForm):
    password = PasswordField(
        "Your password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), Length(max=MAX_LENGTH)],
    )
    code = StringField(
        "Code from your authenticator app",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[Length(max=20)],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ForgotPasswordForm(FlaskForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            DataRequired("Enter your email address"),
            Length(max=254, message="Enter a shorter email address"),
        ],
    )
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    submit = SubmitField("Set new password and sign in", widget=GovSubmitInput())

    def __init__(self, *args, account_email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email


class SetPasswordForm(NewPasswordMixin, FlaskForm):
    submit = SubmitField("Set password and sign in", widget=GovSubmitInput())

    def __init__(self, *args, account_email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email


class ChangePasswordForm(PageOrder, NewPasswordMixin, FlaskForm):
    page_order = ("current_password", "password", "confirm")
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your current password"), Length(max=MAX_LENGTH)],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())

    def __init__(self, *args, account_email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email
