"""One URL, two answers: the whole page, or for htmx a named block of the same template."""

from __future__ import annotations

from flask import make_response, render_template, request
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    """True for htmx requests that swap part of a page (not boosted links or history restores)."""
    hx = request.htmx
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def render(template: str, block: str | None = None, *, status: int = 200, headers=None, **context):
    if block and wants_fragment():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def fragment_response(body: str, status: int = 200):
    """A response for a fragment-only template (a table row), which only htmx asks for."""
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
