"""Home-page panels: overdue actions, challenges waiting for an answer (and answers waiting to be
read), proposals to review or to change. Each link goes to exactly what it counts: the one action
when there is one, else the list filtered to them."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import case, func, select

from app.actions import permissions
from app.actions.models import Action, Challenge, Rag, Review
from app.auth.models import User
from app.dates import today
from app.extensions import db
from app.home.panels import Panel, PanelItem, register_panel
from app.report_cache import remember
from app.templating import local_date


def _count(*conditions) -> int:
    return db.session.scalar(select(func.count(Action.id)).where(*conditions))


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _challenge_url(action_id: int, challenge_id: int) -> str:
    return url_for("actions.show_action", action_id=action_id, _anchor=f"challenge-{challenge_id}")


@register_panel(kept=True)
def actions_panel(user: User) -> Panel | None:
    if permissions.PROPOSE.allows(user):
        return _agency_panel(user)
    if permissions.OVERSEE.allows(user):
        return _partnership_panel(user)
    return None


def _agency_panel(user: User) -> Panel:
    accepted = Action.review == Review.ACCEPTED
    mine = Action.owner_agency_id == user.agency_id
    items: list[PanelItem] = []
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
    items.extend(_waiting_challenges(user, mine))
    returned = _count(mine, Action.review == Review.RETURNED)
    if returned:
        items.append(
            PanelItem(
                _plural(returned, "proposed action was", "proposed actions were")
                + " returned by the programme manager: change it and send it again, or withdraw it",
                url_for("actions.list_actions", review="returned"),
                returned,
            )
        )
    return Panel("Your agency’s actions", items, "None of your agency’s actions are overdue or challenged.")


def _waiting_challenges(user: User, mine) -> list[PanelItem]:
    """Challenges on the agency's actions that wait for its answer, in one query."""
    waiting, late, challenge_id, action_id, due = db.session.execute(
        select(
            func.count(Challenge.id),
            func.sum(case((Challenge.is_overdue, 1), else_=0)),
            func.min(Challenge.id),
            func.min(Challenge.action_id),
            func.min(Challenge.response_due),
        )
        .join(Action, Action.id == Challenge.action_id)
        .where(mine, Challenge.is_awaiting_response)
    ).one()
    if not waiting:
        return []
    if waiting == 1:
        when = f"overdue since {local_date(due)}" if late else f"due by {local_date(due)}"
        return [
            PanelItem(
                f"1 challenge is waiting for your agency’s response ({when})",
                _challenge_url(action_id, challenge_id),
                1,
            )
        ]
    text = f"{waiting} challenges are waiting for your agency’s response"
    if late:
        text += f" ({late} overdue)"
    return [
        PanelItem(text, url_for("actions.list_actions", agency=user.agency_id, challenge="waiting"), waiting)
    ]


def _overdue_and_red() -> tuple[int, int]:
    """Across the partnership: accepted actions overdue, and open ones red. One query."""
    overdue, red = db.session.execute(
        select(
            func.sum(case((Action.is_overdue, 1), else_=0)),
            func.sum(case((~Action.is_finished & (Action.rag == Rag.RED), 1), else_=0)),
        ).where(Action.review == Review.ACCEPTED)
    ).one()
    return overdue or 0, red or 0


def _partnership_panel(user: User) -> Panel:
    items: list[PanelItem] = []
    # The same for every reader of the partnership's numbers, so counted once per change of data.
    overdue, red = remember("actions.overdue_and_red", today(), _overdue_and_red)
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
    items.extend(_challenges_to_follow(user))
    if permissions.MANAGE.allows(user):
        proposed = _count(Action.review == Review.PROPOSED)
        if proposed:
            items.append(
                PanelItem(
                    _plural(proposed, "proposed action is", "proposed actions are") + " waiting for review",
                    url_for("actions.list_actions", review="proposed"),
                    proposed,
                )
            )
    return Panel("Partnership actions", items, "No actions are overdue or red, and no challenge needs you.")


def _challenges_to_follow(user: User) -> list[PanelItem]:
    """Answers waiting for whoever raised the challenge to read them and close it, and responses
    that are late, in one query."""
    answered = Challenge.is_answered & permissions.challenges_to_close(user)
    to_close, challenge_id, action_id, late = db.session.execute(
        select(
            func.sum(case((answered, 1), else_=0)),
            func.min(case((answered, Challenge.id))),
            func.min(case((answered, Challenge.action_id))),
            func.sum(case((Challenge.is_overdue, 1), else_=0)),
        ).where(Challenge.closed_at.is_(None))
    ).one()
    items = []
    if to_close and permissions.CHALLENGE.allows(user):
        if to_close == 1:
            items.append(
                PanelItem(
                    "1 challenge has been answered: read the response and close it",
                    _challenge_url(action_id, challenge_id),
                    1,
                )
            )
        else:
            items.append(
                PanelItem(
                    f"{to_close} challenges have been answered: read the responses and close them",
                    url_for("actions.list_actions", challenge="answered"),
                    to_close,
                )
            )
    if late:
        items.append(
            PanelItem(
                f"{_plural(late, 'challenge is', 'challenges are')} past the date for a response",
                url_for("actions.list_actions", challenge="overdue"),
                late,
            )
        )
    return items
