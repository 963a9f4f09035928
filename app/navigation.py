"""The header's navigation. Each feature lists its own entries in its package (`navigation = [...]`);
the core only orders them and decides which are shown and which is current."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for

from app.permissions import permission_named


@dataclass(frozen=True)
class NavItem:
    text: str
    endpoint: str
    order: int
    permission: str | None = None  # a permission's name; None: every signed-in user

    def visible_to(self, user) -> bool:
        return self.permission is None or permission_named(self.permission).allows(user)


def navigation_for(user) -> list[dict]:
    """The entries this user may follow; the current one is the longest that prefixes the path."""
    if not user.is_authenticated:
        return []
    items = [
        (item.text, url_for(item.endpoint))
        for item in current_app.extensions["portal_navigation"]
        if item.visible_to(user)
    ]
    path = request.path
    matches = [href for _, href in items if path == href or (href != "/" and path.startswith(href))]
    current = max(matches, key=len, default=None)
    return [{"text": text, "href": href, "active": href == current} for text, href in items]


def path_for(endpoint: str, **values) -> str:
    """A page's path (like url_for), also outside a request: for links kept in notifications."""
    return current_app.url_map.bind("localhost").build(endpoint, values)
