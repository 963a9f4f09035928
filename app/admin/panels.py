"""Home-page panel for admins: invitations not yet taken up, accounts paused after failed sign-ins."""

from __future__ import annotations

from functools import lru_cache

from flask import url_for
from sqlalchemy import bindparam, func, select

from app.admin.permissions import MANAGE_USERS
from app.auth.models import SignInThrottle, User, awaiting_password
from app.db_types import utcnow
from app.extensions import db
from app.home.panels import Panel, PanelItem, register_panel


@register_panel
def administration_panel(user: User) -> Panel | None:
    if not MANAGE_USERS.allows(user):
        return None
    # Both counts in one statement: the panel stays live (pauses end by the clock).
    invited, throttled = db.session.execute(_counts_statement(), {"now": utcnow()}).one()
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


@lru_cache(maxsize=1)
def _counts_statement():
    """Built once: building it cost more than running it, on every administrator's home page."""
    return select(
        select(func.count(User.id)).where(awaiting_password()).scalar_subquery(),
        select(func.count(SignInThrottle.key))
        .where(SignInThrottle.locked_until > bindparam("now"))
        .scalar_subquery(),
    )
