"""Home-page panel: briefings for you that you have not read yet (one query)."""

from __future__ import annotations

from flask import url_for

from app.auth.models import User
from app.briefings import permissions
from app.briefings.services import unread_briefings
from app.home.panels import Panel, PanelItem, register_panel


@register_panel(kept=True)
def briefings_panel(user: User) -> Panel | None:
    if not permissions.READ.allows(user):
        return None
    unread = unread_briefings(user)
    if not unread:
        return None
    return Panel(
        "Briefings to read",
        [PanelItem(b.title, url_for("briefings.show_briefing", briefing_id=b.id)) for b in unread],
    )
