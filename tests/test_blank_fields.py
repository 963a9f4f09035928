"""A GOV.UK field shown blank is rendered once per process and kept (app/templating.py): the young
people's form is the same for everyone. What is kept must be exactly what rendering gives, and a
field holding someone's answer or an error is never kept."""

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovTextArea, GovTextInput
from markupsafe import Markup
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from app import templating


class Sample(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Your first name (optional)", widget=GovTextInput())
    words = TextAreaField("What should change?", description="Say <what> & why", widget=GovTextArea())
    about = RadioField(
        "What is it about?",
        choices=[SelectChoice("school", "School"), SelectChoice("other", "Something else")],
        widget=GovRadioInput(),
    )
    ways = SelectMultipleField(
        "How can we reply?",
        choices=[SelectChoice("text", "Text"), SelectChoice("email", "Email")],
        widget=GovCheckboxesInput(),
    )


def _render(app, name: str, data: dict | None = None, error: str | None = None, **params) -> str:
    with app.test_request_context(method="POST" if data else "GET", data=data or {}):
        field = Sample()[name]
        if error:
            field.errors = [error]
        return str(field(params=params) if params else field())


def test_a_blank_field_is_kept_and_given_back_the_same(app):
    templating._blank_fields.clear()
    first = _render(app, "words")
    assert len(templating._blank_fields) == 1, "the blank field was kept"
    key = next(iter(templating._blank_fields))
    templating._blank_fields[key] = Markup("<p>kept</p>")
    assert _render(app, "words") == "<p>kept</p>", "the second showing is the kept HTML"
    templating._blank_fields.clear()
    assert _render(app, "words") == first, "rendered again, it is the same HTML"
    assert "Say &lt;what&gt; &amp; why" in first


def test_fields_holding_an_answer_or_an_error_are_never_kept(app):
    templating._blank_fields.clear()
    assert "Sam &lt;b&gt;" in _render(app, "name", {"name": "Sam <b>"})
    assert "I am scared at home" in _render(app, "words", {"words": "I am scared at home"})
    assert 'value="other" checked' in _render(app, "about", {"about": "other"})
    assert 'value="email" checked' in _render(app, "ways", {"ways": ["email"]})
    assert "Enter what should change" in _render(app, "words", error="Enter what should change")
    assert templating._blank_fields == {}, "nobody's answers or errors stay in memory"


def test_params_that_render_differently_are_kept_apart(app):
    templating._blank_fields.clear()
    as_text = _render(app, "name", hint={"text": "<b>first</b> name"})
    as_html = _render(app, "name", hint={"html": Markup("<b>first</b> name")})
    assert "&lt;b&gt;first&lt;/b&gt; name" in as_text
    assert "<b>first</b> name" in as_html
    assert _render(app, "name", hint={"text": "<b>first</b> name"}) == as_text
    assert len(templating._blank_fields) == 2
    assert templating._frozen({"a": True}) != templating._frozen({"a": 1})
    assert templating._frozen(Markup("<b>")) != templating._frozen("<b>")


def test_the_young_peoples_form_is_the_same_from_memory(app, client):
    templating._blank_fields.clear()
    first = client.get("/have-your-say").get_data(as_text=True)
    assert templating._blank_fields, "its blank fields were kept"
    second = client.get("/have-your-say").get_data(as_text=True)
    assert 'name="what_should_change"' in first
    assert _without_tokens(second) == _without_tokens(first)


def _without_tokens(page: str) -> str:
    """The one-time submission token differs between showings."""
    return re.sub(r'value="[^"]{20,}"', "", page)
