"""Home-page panels: overdue actions, challenges waiting for an answer, proposals to review."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from app.actions import permissions
from app.actions.models import Action, Challenge, Rag, Review
from app.auth.models import User
from app.extensions import db
from app.home.panels import Panel, PanelItem, register_panel


def _count(*conditions) -> int:
    return db.session.scalar(select(func.count(Action.id)).where(*conditions))


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@register_panel
def actions_panel(user: User) -> Panel | None:
    accepted = Action.review == Review.ACCEPTED
    items: list[PanelItem] = []
    if permissions.PROPOSE.allows(user):
        mine = Action.owner_agency_id == user.agency_id
        overdue = _count(accepted, mine, Action.is_overdue)
        if overdue:
            items.append(
                PanelItem(
                    _plural(
                        overdue, "of your agency’s actions is overdue", "of your agency’s actions are overdue"
                    ),
                    url_for("actions.list_actions", agency=user.agency_id, overdue=1),
                    overdue,
                )
            )
        challenges = db.session.scalar(
            select(func.count(Challenge.id))
            .join(Action, Action.id == Challenge.action_id)
            .where(mine, Challenge.closed_at.is_(None), Challenge.responded_at.is_(None))
        )
        if challenges:
            items.append(
                PanelItem(
                    _plural(challenges, "challenge is", "challenges are")
                    + " waiting for your agency’s response",
                    url_for("actions.list_actions", agency=user.agency_id),
                    challenges,
                )
            )
        returned = _count(mine, Action.review == Review.RETURNED)
        if returned:
            items.append(
                PanelItem(
                    _plural(returned, "proposed action was", "proposed actions were")
                    + " returned by the programme manager",
                    url_for("actions.list_actions", review="returned"),
                    returned,
                )
            )
        return Panel(
            "Your agency’s actions", items, "None of your agency’s actions are overdue or challenged."
        )
    if permissions.OVERSEE.allows(user):
        overdue = _count(accepted, Action.is_overdue)
        red = _count(accepted, ~Action.is_finished, Action.rag == Rag.RED)
        if overdue:
            items.append(
                PanelItem(
                    f"{_plural(overdue, 'action is', 'actions are')} overdue across the partnership",
                    url_for("actions.list_actions", overdue=1),
                    overdue,
                )
            )
        if red:
            items.append(
                PanelItem(
                    f"{_plural(red, 'action is', 'actions are')} red and need escalation",
                    url_for("actions.list_actions", rag="red"),
                    red,
                )
            )
        if permissions.MANAGE.allows(user):
            proposed = _count(Action.review == Review.PROPOSED)
            if proposed:
                items.append(
                    PanelItem(
                        _plural(proposed, "proposed action is", "proposed actions are")
                        + " waiting for review",
                        url_for("actions.list_actions", review="proposed"),
                        proposed,
                    )
                )
        return Panel("Partnership actions", items, "No actions are overdue or red.")
    return None
