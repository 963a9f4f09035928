"""The lean field macros (app/templates/_macros/forms.html) give the same HTML as GOV.UK
Frontend's macros for the same WTForms field: label, hint, error message and aria-describedby,
escaped the same way. The return form's fifty fields use them."""

import re

import pytest
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from wtforms import StringField, TextAreaField


class Sample(FlaskForm):
    class Meta:
        csrf = False

    plain = StringField("Appointments made", widget=GovTextInput())
    hinted = StringField(
        "Of those, fully checked", description="The figure it's measured on", widget=GovTextInput()
    )
    comment = TextAreaField("Comment on this answer (optional)", widget=GovTextArea())
    explained = TextAreaField("What you will do", description="Say <who> & when", widget=GovTextArea())


def _same_shape(html: str) -> str:
    """Whitespace between and inside tags does not change what a browser shows."""
    html = re.sub(r">\s+", ">", str(html))
    html = re.sub(r"\s+<", "<", html)
    return re.sub(r"\s+", " ", html).strip()


@pytest.mark.parametrize("name", ["plain", "hinted"])
@pytest.mark.parametrize("error", [None, "This cannot be more than the 5 answered above"])
def test_lean_input_is_govuk_input(app, name, error):
    with app.test_request_context(method="POST", data={name: '41 <b>"&'}):
        form = Sample()
        field = form[name]
        if error:
            field.errors = [error]
        govuk = field(params={"classes": "govuk-input--width-5", "inputmode": "numeric", "spellcheck": False})
        macros = app.jinja_env.get_template("_macros/forms.html").module
        lean = macros.lean_input(field, classes="govuk-input--width-5", inputmode="numeric")
    assert _same_shape(lean) == _same_shape(govuk)
    assert "&lt;b&gt;&#34;&amp;" in str(lean) or "&lt;b&gt;&quot;&amp;" in str(lean)


@pytest.mark.parametrize("name", ["comment", "explained"])
@pytest.mark.parametrize("error", [None, "Keep the comment to 1,000 characters"])
def test_lean_textarea_is_govuk_textarea(app, name, error):
    with app.test_request_context(method="POST", data={name: "Both <script>late</script> & done"}):
        form = Sample()
        field = form[name]
        if error:
            field.errors = [error]
        govuk = field(params={"rows": 2})
        macros = app.jinja_env.get_template("_macros/forms.html").module
        lean = macros.lean_textarea(field, rows=2)
    assert _same_shape(lean) == _same_shape(govuk)
    assert "&lt;script&gt;" in str(lean) and "<script>" not in str(lean)
