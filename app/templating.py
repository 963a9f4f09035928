"""Jinja filters and globals used by every template."""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, request, url_for
from flask_login import current_user
from govuk_frontend_wtf.gov_form_base import GovFormBase
from jinja2 import StrictUndefined, Undefined
from markupsafe import Markup

from app.auth.options import agency_option_tags
from app.dates import LOCAL_ZONE
from app.lean_fields import lean_input, lean_radios, lean_select, lean_textarea
from app.navigation import navigation_for
from app.permissions import can
from app.report_cache import once_per_request
from app.sanitize import clean_stored_html


def _rendering_our_template(undefined) -> bool:
    """Whether the innermost template being rendered is one of ours (not a GOV.UK macro). Forms
    have no csrf_token field when a test turns CSRF protection off, so that one is let pass."""
    if undefined._undefined_name == "csrf_token":
        return False
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.endswith(".html"):
            return "govuk_frontend" not in filename
        frame = frame.f_back
    return True


class OurTemplatesStrictUndefined(StrictUndefined):
    """In tests a missing variable in our own templates is an error, as StrictUndefined makes it;
    the GOV.UK Frontend macros rely on missing attributes being empty, so there it is lenient."""

    def __str__(self) -> str:
        return super().__str__() if _rendering_our_template(self) else ""

    def __iter__(self):
        return super().__iter__() if _rendering_our_template(self) else iter(())

    def __bool__(self) -> bool:
        return super().__bool__() if _rendering_our_template(self) else False

    def __len__(self) -> int:
        return super().__len__() if _rendering_our_template(self) else 0

    def __eq__(self, other) -> bool:
        return super().__eq__(other) if _rendering_our_template(self) else Undefined.__eq__(self, other)

    def __ne__(self, other) -> bool:
        return super().__ne__(other) if _rendering_our_template(self) else Undefined.__ne__(self, other)

    __hash__ = StrictUndefined.__hash__


def local_datetime(value: datetime | None, fmt: str = "%-d %b %Y, %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(LOCAL_ZONE).strftime(fmt)


def machine_datetime(value: datetime | None) -> str:
    """For <time datetime="...">: a valid global date and time, in UTC, to the second
    (`isoformat()` would add microseconds, which HTML does not allow beyond three digits)."""
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_date(value, fmt: str = "%-d %B %Y") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_ZONE)
    return value.strftime(fmt)


def rich_text(html: str | None) -> Markup:
    """Rich text was sanitised on save, and is cleaned again on output (cached per text).
    Render it only as element content, inside an element with data-hx-disable."""
    return Markup(clean_stored_html(html or ""))  # noqa: S704 - the portal's bleach allow-list


def page_url(page: int, filters: Mapping[str, Any] | None = None) -> str:
    """This list with another page number, keeping the filters the list passes in (its own known
    query parameters). Never request.args: url_for reads names like `endpoint`, `_external` or
    `_scheme` as its own options, so a stray `?_method=x` would be a 500 or a link elsewhere."""
    args = {
        name: value
        for name, value in (filters or {}).items()
        if value is not None and value != "" and name != "endpoint" and not name.startswith("_")
    }
    return url_for(request.endpoint, **{**args, **(request.view_args or {}), "page": page})


def register_template_helpers(app: Flask) -> None:
    if app.config.get("STRICT_TEMPLATES"):
        app.jinja_env.undefined = OurTemplatesStrictUndefined
    app.add_template_filter(local_datetime)
    app.add_template_filter(local_date)
    app.add_template_filter(machine_datetime)
    app.add_template_filter(rich_text)
    app.add_template_global(page_url)
    app.add_template_global(can)
    app.add_template_global(govuk_component)
    app.add_template_global(lean_input)
    app.add_template_global(lean_textarea)
    app.add_template_global(lean_radios)
    app.add_template_global(lean_select)
    app.add_template_global(agency_option_tags)

    @app.context_processor
    def portal_context():
        return {
            "partnership_name": app.config["PARTNERSHIP_NAME"],
            # Called by the page's header only: an htmx fragment never works it out.
            "navigation": _navigation,
        }

    # GOV.UK field widgets render their macro with Flask's render_template, which runs every
    # context processor (the navigation included) and sends two signals for each field; a return
    # form has sixty. Their templates need only their params, so they render straight from Jinja.
    GovFormBase.render = _render_field_macro
    GovFormBase.__call__ = _render_field


def _navigation() -> list[dict]:
    """The header's entries, worked out once per request however many templates are rendered."""
    return once_per_request("navigation", lambda: navigation_for(current_user))


_KEPT_HTML_ENTRIES = 512
_kept_html: OrderedDict[tuple, Markup] = OrderedDict()
_kept_html_lock = threading.Lock()


class _NotKeyable(Exception):
    pass


def _frozen(value) -> object:
    """A hashable stand-in for a macro's params that tells apart everything the macro could render
    differently: Markup from str (escaped or not), True from 1, dict order (attribute order)."""
    if isinstance(value, Markup):
        return ("markup", str(value))
    if type(value) is str:
        return value
    if value is None or type(value) in (bool, int, float):
        return (type(value).__name__, value)
    if isinstance(value, Mapping):
        return ("dict", tuple((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return ("list", tuple(_frozen(item) for item in value))
    raise _NotKeyable


def kept_html(key: tuple | None, render: Callable[[], Markup]) -> Markup:
    """render()'s HTML, kept in this process under `key` (None: never kept). Only for output that
    is a function of the key alone: a GOV.UK macro's HTML depends on its params and nothing else, a
    published threshold version's body on the version and the filters."""
    if key is None:
        return render()
    with _kept_html_lock:
        kept = _kept_html.get(key)
        if kept is not None:
            _kept_html.move_to_end(key)
            return kept
    html = render()
    with _kept_html_lock:
        _kept_html[key] = html
        while len(_kept_html) > _KEPT_HTML_ENTRIES:
            _kept_html.popitem(last=False)
    return html


def govuk_component(name: str, params: dict) -> Markup:
    """GOV.UK Frontend's macro for a component (`service-navigation` gives govukServiceNavigation),
    rendered once per process for the same params: the menu, the page links of a list."""
    macro_name = "govuk" + "".join(part.title() for part in name.split("-"))

    def render() -> Markup:
        template = current_app.jinja_env.get_template(f"govuk_frontend_jinja/components/{name}/macro.html")
        return Markup(getattr(template.module, macro_name)(params))  # noqa: S704 - an autoescaped macro

    try:
        key = (id(current_app), name, _frozen(params))
    except _NotKeyable:
        key = None
    return kept_html(key, render)


def _blank_field_key(widget, params: dict, shows_its_default: bool = False) -> tuple | None:
    """The key of a field that holds nobody's answer, or None: only such fields are kept, so
    nobody's answers stay in memory after their request."""
    if not _holds_nobodys_answer(widget, params, shows_its_default):
        return None
    try:
        return (id(current_app), "field", widget.template, _frozen(params))
    except _NotKeyable:
        return None


def _holds_nobodys_answer(widget, params: dict, shows_its_default: bool = False) -> bool:
    """A field shown empty and without an error; a button (its value is the form's own); a field
    showing its form's own default (nothing was sent for it); or any field of a public form shown
    afresh (a GET by nobody signed in, with nothing in its address to fill it from: its choices and
    defaults are the form's, the same for everyone)."""
    if params.get("errorMessage"):
        return False
    if widget.template == "govuk_frontend_wtf/button.html" or shows_its_default:
        return True
    if request.method == "GET" and not request.args and not request.view_args:
        if not current_user.is_authenticated:
            return True
    if params.get("value"):
        return False
    return not any(item.get("checked") or item.get("selected") for item in params.get("items") or ())


def _render_field_macro(widget, params: dict, shows_its_default: bool = False) -> Markup:
    """The GOV.UK macro's HTML for these params. A blank field (a form's first showing, as a young
    person's form is for everyone) is rendered once per process and kept."""
    template = current_app.jinja_env.get_template(widget.template)
    key = _blank_field_key(widget, params, shows_its_default)
    # The library wraps the same autoescaped output in Markup; nothing here is unescaped input.
    return kept_html(key, lambda: Markup(template.render(params=params)))  # noqa: S704


def _render_field(widget, field, **kwargs) -> Markup:
    """GOV.UK's widget call (GovFormBase.__call__), told whether the field shows its default."""
    return _render_field_macro(widget, widget.map_gov_params(field, **kwargs), _shows_its_default(field))


def _shows_its_default(field) -> bool:
    """Nothing was sent for the field and it shows its form's default (a fixed value, not one
    worked out), without an error: what it shows is the form's, not anybody's answer. (A saved
    answer that happens to be the default shows just the same.)"""
    default = getattr(field, "default", None)
    return (
        not field.raw_data
        and not field.errors
        and default is not None
        and not callable(default)
        and field.data == default
    )
