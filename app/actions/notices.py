"""What the partnership actions tell people: when someone must act (a challenge raised or
answered, a proposal returned), and reminders of actions due soon or overdue.

Events call these from the services, in the event's transaction. `reminders()` is run daily by
`flask reminders send`; each reminder goes once per action and stage (and again only if the due
date moves).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.actions.models import Action, Challenge, Review
from app.actions.permissions import TOLD_ABOUT_OWN_ACTIONS
from app.auth.models import User
from app.dates import today
from app.extensions import db
from app.navigation import path_for
from app.notifications.kinds import Kind
from app.notifications.services import notify

CHALLENGE_RAISED = Kind("challenge_raised", "A challenge is raised on your agency's action")
CHALLENGE_ANSWERED = Kind("challenge_answered", "A challenge you raised is answered")
PROPOSAL_RETURNED = Kind("proposal_returned", "An action you proposed is returned to you")
ACTION_DUE = Kind("action_due", "Your agency's action is due within 7 days, or overdue")
REMINDER_DAYS = 7


def _staff_who_respond_for(agency_ids: set[int]) -> dict[int, list[User]]:
    """Each agency's active staff who are told of its actions' challenges and reminded of them."""
    roles = [str(role) for role in TOLD_ABOUT_OWN_ACTIONS.roles]
    users = db.session.scalars(
        select(User)
        .where(User.agency_id.in_(agency_ids), User.active.is_(True), User.role.in_(roles))
        .order_by(User.full_name)
    ).all()
    by_agency: dict[int, list[User]] = {}
    for user in users:
        by_agency.setdefault(user.agency_id, []).append(user)
    return by_agency


def challenge_raised(challenge: Challenge) -> None:
    action = challenge.action
    recipients = _staff_who_respond_for({action.owner_agency_id}).get(action.owner_agency_id, [])
    notify(
        CHALLENGE_RAISED,
        recipients,
        title=f"{action.reference} is challenged: a response is due by {challenge.response_due:%-d %B}",
        link=path_for("actions.show_action", action_id=action.id) + f"#challenge-{challenge.id}",
    )


def challenge_answered(challenge: Challenge) -> None:
    action = challenge.action
    notify(
        CHALLENGE_ANSWERED,
        [challenge.raised_by],
        title=f"Your challenge on {action.reference} is answered",
        link=path_for("actions.show_action", action_id=action.id) + f"#challenge-{challenge.id}",
    )


def proposal_returned(action: Action) -> None:
    proposer = db.session.get(User, action.submitted_by_id) if action.submitted_by_id else None
    if proposer is not None:
        notify(
            PROPOSAL_RETURNED,
            [proposer],
            title=f"Your proposed action is returned: {action.title}"[:200],
            body=f"The programme manager's reason: {action.return_reason}",
            link=path_for("actions.show_action", action_id=action.id),
        )


def reminders() -> int:
    """Open accepted actions due within REMINDER_DAYS or overdue: each owner agency's staff who
    respond for it are reminded once per stage. Returns how many notifications were written."""
    day = today()
    due = db.session.scalars(
        select(Action)
        .where(
            Action.review == Review.ACCEPTED,
            ~Action.is_finished,
            Action.due_date <= day + timedelta(days=REMINDER_DAYS),
        )
        .options(joinedload(Action.owner_agency))
        .order_by(Action.due_date)
    ).all()
    staff = _staff_who_respond_for({a.owner_agency_id for a in due})
    written = 0
    for action in due:
        overdue = action.due_date < day
        stage = "overdue" if overdue else "due-soon"
        title = (
            f"{action.reference} is overdue: it was due on {action.due_date:%-d %B}"
            if overdue
            else f"{action.reference} is due on {action.due_date:%-d %B}"
        )
        written += len(
            notify(
                ACTION_DUE,
                staff.get(action.owner_agency_id, []),
                title=title,
                body=action.title,
                link=path_for("actions.show_action", action_id=action.id),
                once_key=f"action:{action.id}:{action.due_date:%Y%m%d}:{stage}",
            )
        )
    return written
