"""GOV.UK macros' HTML kept per process (app/templating.py): a field shown blank (the young
people's form is the same for everyone), the menu and a list's page links. What is kept must be
exactly what rendering gives, and a field holding someone's answer or an error is never kept."""

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
    listed = RadioField(
        "How many to list",
        choices=[SelectChoice("25", "25"), SelectChoice("50", "50"), SelectChoice("100", "100")],
        default="50",
        widget=GovRadioInput(),
    )
    ways = SelectMultipleField(
        "How can we reply?",
        choices=[SelectChoice("text", "Text"), SelectChoice("email", "Email")],
        widget=GovCheckboxesInput(),
    )


def _render(
    app, name: str, data: dict | None = None, error: str | None = None, saved: dict | None = None, **params
) -> str:
    with app.test_request_context(method="POST" if data else "GET", data=data or {}):
        field = Sample(data=saved)[name]
        if error:
            field.errors = [error]
        return str(field(params=params) if params else field())


def test_a_blank_field_is_kept_and_given_back_the_same(app):
    templating._kept_html.clear()
    first = _render(app, "words")
    assert len(templating._kept_html) == 1, "the blank field was kept"
    key = next(iter(templating._kept_html))
    templating._kept_html[key] = Markup("<p>kept</p>")
    assert _render(app, "words") == "<p>kept</p>", "the second showing is the kept HTML"
    templating._kept_html.clear()
    assert _render(app, "words") == first, "rendered again, it is the same HTML"
    assert "Say &lt;what&gt; &amp; why" in first


def test_fields_holding_an_answer_or_an_error_are_never_kept(app):
    templating._kept_html.clear()
    assert "Sam &lt;b&gt;" in _render(app, "name", {"name": "Sam <b>"})
    assert "I am scared at home" in _render(app, "words", {"words": "I am scared at home"})
    assert 'value="other" checked' in _render(app, "about", {"about": "other"})
    assert 'value="email" checked' in _render(app, "ways", {"ways": ["email"]})
    assert "Enter what should change" in _render(app, "words", error="Enter what should change")
    assert templating._kept_html == {}, "nobody's answers or errors stay in memory"


def test_a_field_showing_its_forms_default_is_kept_and_one_showing_an_answer_is_not(app):
    templating._kept_html.clear()
    # Posted without it (another field of the form sent, as a "find" button does): it shows the default.
    shown = _render(app, "listed", {"name": "Sam"})
    assert 'value="50" checked' in shown
    assert len(templating._kept_html) == 1, "the form's own default is nobody's answer"
    templating._kept_html.clear()
    assert 'value="100" checked' in _render(app, "listed", {"name": "Sam"}, saved={"listed": "100"})
    assert 'value="50" checked' in _render(app, "listed", {"listed": "50"})
    assert templating._kept_html == {}, "a saved answer, or one sent (even the default), is not kept"
    assert _render(app, "listed", {"name": "Sam"}) == shown


def test_params_that_render_differently_are_kept_apart(app):
    templating._kept_html.clear()
    as_text = _render(app, "name", hint={"text": "<b>first</b> name"})
    as_html = _render(app, "name", hint={"html": Markup("<b>first</b> name")})
    assert "&lt;b&gt;first&lt;/b&gt; name" in as_text
    assert "<b>first</b> name" in as_html
    assert _render(app, "name", hint={"text": "<b>first</b> name"}) == as_text
    assert len(templating._kept_html) == 2
    assert templating._frozen({"a": True}) != templating._frozen({"a": 1})
    assert templating._frozen(Markup("<b>")) != templating._frozen("<b>")


def test_the_young_peoples_form_is_the_same_from_memory(app, client):
    templating._kept_html.clear()
    first = client.get("/have-your-say").get_data(as_text=True)
    assert [key for key in templating._kept_html if key[1] == "field"], "its blank fields were kept"
    second = client.get("/have-your-say").get_data(as_text=True)
    assert 'name="what_should_change"' in first
    assert _without_tokens(second) == _without_tokens(first)


def _without_tokens(page: str) -> str:
    """The one-time submission token differs between showings, and the CSRF token (signed with the
    time) between seconds."""
    page = re.sub(r'"X-CSRFToken": "[^"]+"', "", page)
    return re.sub(r'value="[^"]{20,}"', "", page)


def _macro(app, name: str, macro: str, params: dict) -> str:
    template = app.jinja_env.get_template(f"govuk_frontend_jinja/components/{name}/macro.html")
    return str(getattr(template.module, macro)(params))


def test_a_component_is_govuks_macro_and_kept_for_the_same_params(app):
    templating._kept_html.clear()
    links = {
        "items": [{"number": 1, "href": "/actions/?rag=red&page=1", "current": True}, {"ellipsis": True}],
        "next": {"href": "/actions/?rag=red&page=2"},
        "landmarkLabel": "actions pages",
    }
    with app.test_request_context():
        kept = templating.govuk_component("pagination", links)
        assert str(kept) == _macro(app, "pagination", "govukPagination", links)
        assert "/actions/?rag=red&amp;page=2" in kept
        assert len(templating._kept_html) == 1
        key = next(iter(templating._kept_html))
        templating._kept_html[key] = Markup("<nav>kept</nav>")
        assert templating.govuk_component("pagination", links) == "<nav>kept</nav>", "given from memory"
        other = {**links, "next": {"href": "/actions/?rag=amber&page=2"}}
        assert "rag=amber" in templating.govuk_component("pagination", other), "other params, other HTML"
        templating._kept_html.clear()


def test_the_menu_shows_each_persons_own_entries_and_where_they_are(app, client, as_role):
    from tests.factories import PASSWORD, make_user

    templating._kept_html.clear()
    admin = app.test_client()
    admin.post("/login", data={"email": make_user(role="admin").email, "password": PASSWORD})
    admin_home = admin.get("/").get_data(as_text=True)
    as_role("partner")
    partner_home = client.get("/").get_data(as_text=True)
    partner_actions = client.get("/actions/").get_data(as_text=True)
    menu_link = 'govuk-service-navigation__link" href="/admin/"'
    assert menu_link in admin_home and menu_link not in partner_home
    active = '<a class="govuk-service-navigation__link" href="/actions/" aria-current="true">'
    assert active in partner_actions and active not in partner_home, "each page's menu marks where you are"
    navs = [key for key in templating._kept_html if key[1] == "service-navigation"]
    assert len(navs) == 3, "one kept menu for each set of entries and current page"


def test_a_public_form_shown_afresh_is_kept_whole_and_a_posted_one_is_not(app, client):
    templating._kept_html.clear()
    client.get("/have-your-say")
    fields = [key for key in templating._kept_html if key[1] == "field"]
    assert any("radios" in key[2] for key in fields), "its choices, the default ticked, were kept"
    assert any("button" in key[2] for key in fields), "and its button"
    templating._kept_html.clear()
    with app.test_request_context("/have-your-say?about=other", method="GET"):
        _render_in_request(app, "about", {"about": "other"})
    assert templating._kept_html == {}, "filled from the address: not kept"


def _render_in_request(app, name: str, data: dict) -> str:
    field = Sample(formdata=None, data=data)[name]
    return str(field())
