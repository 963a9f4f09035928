"""The lean fields (app/lean_fields.py) give the same HTML as GOV.UK Frontend's macros for the
same WTForms field: label, hint, error message and aria-describedby, escaped the same way. The
return form's fifty fields use them."""

import re

import pytest
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from wtforms import StringField, TextAreaField

from app import lean_fields


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


# (macro, its arguments, what GOV.UK's macro is given for the same field)
INPUT = ("lean_input", {"classes": "govuk-input--width-5", "inputmode": "numeric"}, {"spellcheck": False})
TEXTAREA = ("lean_textarea", {"rows": 2}, {})
TAGS = "Both <script>late</script> & done"


@pytest.mark.parametrize(
    ("name", "kind", "typed", "escaped"),
    [
        ("plain", INPUT, '41 <b>"&', "&lt;b&gt;&#34;&amp;"),
        ("hinted", INPUT, '41 <b>"&', "&lt;b&gt;&#34;&amp;"),
        ("comment", TEXTAREA, TAGS, "&lt;script&gt;late&lt;/script&gt; &amp;"),
        ("explained", TEXTAREA, TAGS, "&lt;script&gt;late&lt;/script&gt; &amp;"),
    ],
)
@pytest.mark.parametrize("error", [None, "This cannot be more than the 5 answered above"])
def test_a_lean_field_is_the_govuk_field(app, name, kind, typed, escaped, error):
    macro, arguments, govuk_only = kind
    with app.test_request_context(method="POST", data={name: typed}):
        field = Sample()[name]
        if error:
            field.errors = [error]
        govuk = field(params={**arguments, **govuk_only})
        lean = getattr(lean_fields, macro)(field, **arguments)
    assert _same_shape(lean) == _same_shape(govuk)
    assert escaped in str(lean) and typed not in str(lean)
