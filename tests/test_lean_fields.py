"""The lean fields (app/lean_fields.py) give the same HTML as GOV.UK Frontend's macros for the
same WTForms field: label, hint, error message and aria-describedby, escaped the same way. The
return form's fifty fields use them."""

import re

import pytest
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextArea, GovTextInput
from markupsafe import Markup, escape
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from app import lean_fields
from app.lean_fields import LeanSelect


class Sample(FlaskForm):
    class Meta:
        csrf = False

    plain = StringField("Appointments made", widget=GovTextInput())
    hinted = StringField(
        "Of those, fully checked", description="The figure it's measured on", widget=GovTextInput()
    )
    comment = TextAreaField("Comment on this answer (optional)", widget=GovTextArea())
    explained = TextAreaField("What you will do", description="Say <who> & when", widget=GovTextArea())
    checked = RadioField(
        "Were all <checks> done?",
        description="From the single central record",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No & <not> yet")],
        widget=GovRadioInput(),
    )
    rating = RadioField(
        "Your self-assessed rating",
        description="How well <your> agency did",
        choices=[SelectChoice("1", "Compliant"), SelectChoice("2", "Partly"), SelectChoice("3", "Not")],
        widget=GovRadioInput(),
    )
    owner = SelectField(
        "Owner <agency>",
        description="Who answers for it",
        choices=[
            SelectChoice("", "Choose an agency"),
            SelectChoice("7", "Bassetlaw"),
            SelectChoice("9", "Bolsover & <Co>"),
        ],
        widget=GovSelect(),
    )


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


@pytest.mark.parametrize(
    ("name", "arguments", "posted"),
    [
        ("checked", {"classes": "govuk-radios--inline"}, None),
        ("checked", {"classes": "govuk-radios--inline"}, "no"),
        ("rating", {}, "2"),
        ("rating", {"legend": "Moderated <rating>"}, None),
    ],
)
@pytest.mark.parametrize("error", [None, "Choose <one>"])
def test_lean_radios_are_the_govuk_radios(app, name, arguments, posted, error):
    with app.test_request_context(method="POST", data={name: posted} if posted else {}):
        field = Sample()[name]
        if error:
            field.errors = [error]
        legend = arguments.get("legend", field.label.text)
        params = {"fieldset": {"legend": {"text": legend, "classes": "govuk-fieldset__legend--s"}}}
        if "classes" in arguments:
            params["classes"] = arguments["classes"]
        govuk = field(params=params)
        lean = lean_fields.lean_radios(field, **arguments)
    assert _same_shape(lean) == _same_shape(govuk)
    assert "&lt;" in str(lean) and "<not>" not in str(lean) and "<checks>" not in str(lean)
    assert ('" checked>' in str(lean)) == bool(posted)


def test_lean_radios_without_a_hint_show_none(app):
    """GOV.UK's macro shows an empty hint (or the word None) for a field without a description;
    ours shows none, and describes the fieldset only by its error."""
    with app.test_request_context(method="POST", data={}):
        field = Sample()["checked"]
        field.description = None
        field.errors = ["Choose one"]
        lean = str(lean_fields.lean_radios(field))
    assert "govuk-hint" not in lean and "None" not in lean
    assert 'aria-describedby="checked-error"' in lean


@pytest.mark.parametrize("made_elsewhere", [True, False])
@pytest.mark.parametrize("posted", [None, "9"])
@pytest.mark.parametrize("error", [None, "Choose the <owner> agency"])
def test_a_lean_select_is_the_govuk_select(app, posted, error, made_elsewhere):
    """Its options made from the field's choices, or elsewhere (kept for 500 agencies) with the
    blank option first: the HTML is GOV.UK's, escaped the same way."""
    with app.test_request_context(method="POST", data={"owner": posted} if posted else {}):
        field = Sample()["owner"]
        if error:
            field.errors = [error]
        govuk = field()
        if made_elsewhere:
            tags = "".join(
                f'<option value="{value}"{" selected" if value == posted else ""}>{escape(label)}</option>'
                for value, label in [("7", "Bassetlaw"), ("9", "Bolsover & <Co>")]
            )
            lean = lean_fields.lean_select(field, Markup(tags), blank="Choose an agency")  # noqa: S704 - escaped
        else:
            lean = lean_fields.LeanSelect()(field)
    assert _same_shape(lean) == _same_shape(govuk)
    assert "<agency>" not in str(lean) and "<Co>" not in str(lean) and "<owner>" not in str(lean)
    assert ('value="9" selected' in str(lean)) == bool(posted)


def test_a_lean_select_of_numbers_chooses_the_number(app):
    """coerce=int, as the inspection's agency fields: the chosen one is selected, and 0 (none
    chosen) is a value like the others."""

    class Numbers(FlaskForm):
        class Meta:
            csrf = False

        agency_id = SelectField(
            "Agency",
            widget=LeanSelect(),
            coerce=int,
            choices=[SelectChoice(0, "None"), SelectChoice(5, "Police")],
        )

    with app.test_request_context(method="POST", data={"agency_id": "5"}):
        field = Numbers().agency_id
        lean = str(field())
        field.widget = GovSelect()
        govuk = str(field())
    assert _same_shape(lean) == _same_shape(govuk)
    assert '<option value="5" selected>Police</option>' in lean and '<option value="0">None</option>' in lean
