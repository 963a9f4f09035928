"""Jinja filters and globals used by every template."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, request, url_for
from flask_login import current_user
from markupsafe import Markup

from app.auth.models import Role
from app.sanitize import clean_html

LOCAL_ZONE = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class NavItem:
    text: str
    endpoint: str
    roles: frozenset[str] | None = None  # None: every signed-in user
    also: tuple[str, ...] = ()  # other endpoints of the same section, which highlight this item

    def visible_to(self, user) -> bool:
        return self.roles is None or user.role in self.roles


# Features add their entries here as they arrive.
NAVIGATION = [
    NavItem("Home", "home.index"),
    NavItem(
        "Thresholds",
        "thresholds.list_documents",
        None,
        (
            "thresholds.show_document",
            "thresholds.show_version",
            "thresholds.compare",
            "thresholds.edit_draft",
            "thresholds.create_document_page",
            "thresholds.list_acknowledgements",
        ),
    ),
    NavItem(
        "Actions",
        "actions.list_actions",
        None,
        (
            "actions.show_action",
            "actions.post_update_page",
            "actions.create_action_page",
            "actions.edit_action_page",
        ),
    ),
    NavItem(
        "Programme",
        "programme.show_programme",
        None,
        ("programme.show_project", "programme.create_project_page", "programme.edit_project_page"),
    ),
    NavItem("People", "home.list_people"),
    NavItem(
        "Agencies",
        "admin.list_agencies",
        frozenset({Role.ADMIN}),
        ("admin.create_agency_page", "admin.edit_agency"),
    ),
    NavItem(
        "Users",
        "admin.list_users",
        frozenset({Role.ADMIN}),
        ("admin.invite_user_page", "admin.edit_user", "admin.resend_invitation_page"),
    ),
    NavItem("Audit trail", "audit.list_events", frozenset({Role.ADMIN})),
]


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


def navigation_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    current = request.endpoint or ""
    items = []
    for item in NAVIGATION:
        if item.visible_to(user):
            active = current == item.endpoint or current in item.also
            items.append({"text": item.text, "href": url_for(item.endpoint), "active": active})
    return items


def rich_text(html: str | None) -> Markup:
    """Rich text was sanitised on save; cleaning it again on output keeps a tampered row harmless.
    Render it only as element content, inside an element with hx-disable."""
    return Markup(clean_html(html))  # noqa: S704 - clean_html is the portal's bleach allow-list


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
    app.add_template_filter(local_datetime)
    app.add_template_filter(local_date)
    app.add_template_filter(rich_text)
    app.add_template_global(page_url)

    @app.context_processor
    def portal_context():
        return {
            "partnership_name": app.config["PARTNERSHIP_NAME"],
            "navigation": navigation_for(current_user),
        }
