""" "What needs my attention": each feature contributes panels to the signed-in home page.

A feature registers a function taking the user and returning a Panel, or None when it has
nothing for that user. Keep each function to a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.auth.models import User


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
    banner: bool = False  # shown above the others, as an "Important" banner, only when it has items


PanelProvider = Callable[[User], Panel | None]
_providers: list[PanelProvider] = []


def register_panel(provider: PanelProvider) -> PanelProvider:
    _providers.append(provider)
    return provider


def panels_for(user: User) -> list[Panel]:
    return [panel for provider in _providers if (panel := provider(user)) is not None]
