"""Home-page panel: your own inspection activities still to come (one query)."""

from __future__ import annotations

from flask import url_for

from app.auth.models import User
from app.dates import today
from app.home.panels import Panel, PanelItem, register_panel
from app.inspection import permissions
from app.inspection.schedule import schedule_of


@register_panel(kept=True)
def my_schedule_panel(user: User) -> Panel | None:
    if not permissions.VIEW.allows(user):
        return None
    upcoming = schedule_of(user, upcoming_from=today(), limit=5)
    if not upcoming:
        return None
    items = [
        PanelItem(
            f"{a.day:%a %-d %b} {a.slot}: {a.title}{', ' + a.location if a.location else ''}",
            url_for("inspection.show_my_schedule"),
        )
        for a in upcoming
    ]
    items.append(
        PanelItem(
            "All your activities, and a calendar file to download", url_for("inspection.show_my_schedule")
        )
    )
    return Panel("Your inspection schedule", items)
