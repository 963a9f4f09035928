"""Jinja filters and globals used by every template."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app.dates import LOCAL_ZONE
from app.navigation import navigation_for
from app.permissions import can
from app.sanitize import clean_html


def local_datetime(value: datetime | None, fmt: str = "%-d %b %Y, %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(LOCAL_ZONE).strftime(fmt)


def local_date(value, fmt: str = "%-d %B %Y") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_ZONE)
    return value.strftime(fmt)


def rich_text(html: str | None) -> Markup:
    """Rich text was sanitised on save; cleaning it again on output keeps a tampered row harmless.
    Render it only as element content, inside an element with hx-disable."""
    return Markup(clean_html(html))  # noqa: S704 - clean_html is the portal's bleach allow-list


def page_url(page: int) -> str:
    """The current URL with another page number, keeping every filter."""
    args = request.args.to_dict()
    args["page"] = page
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def register_template_helpers(app: Flask) -> None:
    app.add_template_filter(local_datetime)
    app.add_template_filter(local_date)
    app.add_template_filter(rich_text)
    app.add_template_global(page_url)
    app.add_template_global(can)

    @app.context_processor
    def portal_context():
        return {
            "partnership_name": app.config["PARTNERSHIP_NAME"],
            "navigation": navigation_for(current_user),
        }
