""" "What needs my attention": each feature contributes panels to the signed-in home page.

A feature registers a function taking the user and returning a Panel, or None when it has
nothing for that user. Keep each function to a fixed number of queries.

A panel whose words depend only on shared data and on today's date registers with `kept=True`:
each worker process keeps it per person and day until the next audit event (app/report_cache.py),
so a home page asks again only after something changed. A panel that shows the time (minutes
waited) or expires by the clock (a pause after failed sign-ins) stays live.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.auth.models import User
from app.dates import today
from app.report_cache import remember


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
_providers: list[tuple[PanelProvider, bool]] = []


def register_panel(provider: PanelProvider | None = None, *, kept: bool = False):
    """`@register_panel` for a live panel, `@register_panel(kept=True)` for one kept until data
    changes (see above)."""

    def register(function: PanelProvider) -> PanelProvider:
        _providers.append((function, kept))
        return function

    return register(provider) if provider is not None else register


def _panel(provider: PanelProvider, kept: bool, user: User) -> Panel | None:
    if not kept:
        return provider(user)
    name = f"home.{provider.__module__}.{provider.__qualname__}"
    return remember(name, (user.id, today()), lambda: provider(user))


def panels_for(user: User) -> list[Panel]:
    return [panel for provider, kept in _providers if (panel := _panel(provider, kept, user)) is not None]
