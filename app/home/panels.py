""" "What needs my attention": each feature contributes panels to the signed-in home page.

A feature registers a function taking the user and returning a Panel, or None when it has
nothing for that user. Keep each function to a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.auth.models import Role, SignInThrottle, User
from app.db_types import utcnow
from app.extensions import db


@dataclass
class PanelItem:
    text: str
    href: str | None = None
    count: int | None = None


@dataclass
class Panel:
    title: str
    items: list[PanelItem] = field(default_factory=list)
    empty_text: str = "Nothing needs your attention here."


PanelProvider = Callable[[User], Panel | None]
_providers: list[PanelProvider] = []


def register_panel(provider: PanelProvider) -> PanelProvider:
    _providers.append(provider)
    return provider


def panels_for(user: User) -> list[Panel]:
    return [panel for provider in _providers if (panel := provider(user)) is not None]


@register_panel
def administration_panel(user: User) -> Panel | None:
    if user.role != Role.ADMIN:
        return None
    from flask import url_for

    invited = db.session.scalar(
        select(func.count(User.id)).where(User.password_hash.is_(None), User.active.is_(True))
    )
    throttled = db.session.scalar(
        select(func.count(SignInThrottle.email)).where(SignInThrottle.locked_until > utcnow())
    )
    items = []
    if invited:
        items.append(
            PanelItem(
                f"{invited} invited {'person has' if invited == 1 else 'people have'} not yet set a password",
                url_for("admin.list_users", status="active"),
                invited,
            )
        )
    if throttled:
        items.append(
            PanelItem(
                f"{throttled} {'account is' if throttled == 1 else 'accounts are'} paused after "
                "repeated failed sign-ins",
                url_for("audit.list_events", action="auth.sign_in_failed"),
                throttled,
            )
        )
    return Panel("Administration", items, "No invitations are waiting and no accounts are paused.")
