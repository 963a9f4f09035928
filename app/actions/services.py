"""What people do with partnership actions. Each function audits; callers commit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select, update

from app.actions.models import (
    Action,
    ActionStatus,
    Challenge,
    ProgressUpdate,
    Rag,
    Review,
)
from app.audit import record
from app.auth.models import Agency, Role, User
from app.db_types import utcnow
from app.extensions import db
from app.programme.models import Project

UPDATERS_ACROSS_AGENCIES = frozenset({Role.PROGRAMME_MANAGER, Role.ADMIN})
AGENCY_UPDATERS = frozenset({Role.PARTNER, Role.AGENCY_LEAD})
CHALLENGERS = frozenset({Role.TRUST_MEMBER, Role.PROGRAMME_MANAGER})


class ActionRuleBroken(Exception):
    """A change the rules of the programme do not allow; the message says why."""


class ActionConflict(Exception):
    """Someone else changed the action after this form was loaded."""


# --- Who may do what ---------------------------------------------------------------------------


def can_update(user: User, action: Action) -> bool:
    """The owner agency's staff, the programme manager and admins post updates."""
    if user.role in UPDATERS_ACROSS_AGENCIES:
        return True
    return user.role in AGENCY_UPDATERS and user.agency_id == action.owner_agency_id


def can_challenge(user: User) -> bool:
    return user.role in CHALLENGERS


def can_manage(user: User) -> bool:
    return user.role in UPDATERS_ACROSS_AGENCIES


def visible_actions(user: User):
    """Accepted actions are the partnership's shared plan; proposals and returned ones are seen
    only by their own agency and by those who run the programme."""
    stmt = select(Action)
    if user.role in (Role.PARTNER, Role.AGENCY_LEAD):
        stmt = stmt.where(or_(Action.review == Review.ACCEPTED, Action.owner_agency_id == user.agency_id))
    elif user.role not in UPDATERS_ACROSS_AGENCIES:
        stmt = stmt.where(Action.review == Review.ACCEPTED)
    return stmt


# --- Creating and reviewing ------------------------------------------------------------------


@dataclass
class ActionDetails:
    title: str
    description: str
    owner_agency_id: int
    owner_name: str
    start_date: date | None
    due_date: date
    source: str
    contributor_ids: list[int]
    weight: int = 1
    evidence: str = ""


def _apply(action: Action, details: ActionDetails) -> None:
    action.title = details.title
    action.description = details.description
    action.owner_agency_id = details.owner_agency_id
    action.owner_name = details.owner_name
    action.start_date = details.start_date
    action.due_date = details.due_date
    action.source = details.source
    action.weight = details.weight
    action.evidence = details.evidence
    action.contributors = (
        db.session.scalars(select(Agency).where(Agency.id.in_(details.contributor_ids))).all()
        if details.contributor_ids
        else []
    )


def propose_action(details: ActionDetails, *, user: User) -> Action:
    """Partner staff propose an action for their own agency; the programme manager reviews it."""
    details.owner_agency_id = user.agency_id
    action = Action(
        review=Review.PROPOSED, submitted_by_id=user.id, rag=Rag.GREEN, status=ActionStatus.NOT_STARTED
    )
    _apply(action, details)
    db.session.add(action)
    db.session.flush()
    record("action.propose", action, after=action.audit_view(), summary=f"Proposed action: {action.title}")
    return action


def create_action(details: ActionDetails, *, project: Project, user: User) -> Action:
    action = Action(review=Review.ACCEPTED, submitted_by_id=user.id, project_id=project.id)
    _apply(action, details)
    action.reference = next_reference(project)
    db.session.add(action)
    db.session.flush()
    record("action.create", action, after=action.audit_view(), summary=f"Created action {action.reference}")
    return action


def edit_action(
    action: Action, details: ActionDetails, *, project: Project | None, loaded_lock_version: int
) -> None:
    _claim(action, loaded_lock_version)
    before = action.audit_view()
    _apply(action, details)
    if project is not None and action.review == Review.ACCEPTED and project.id != action.project_id:
        action.project_id = project.id
        action.reference = next_reference(project)
    action.updated_at = utcnow()
    record(
        "action.edit",
        action,
        before=before,
        after=action.audit_view(),
        summary=f"Edited action {action.reference or action.title}",
    )


def next_reference(project: Project) -> str:
    """P12-03: the project's code and the next number in it."""
    references = db.session.scalars(select(Action.reference).where(Action.project_id == project.id)).all()
    numbers = [int(m.group(1)) for r in references if r and (m := re.search(r"-(\d+)$", r))]
    return f"{project.code}-{max(numbers, default=0) + 1:02d}"


def accept_action(action: Action, *, project: Project, loaded_lock_version: int) -> None:
    if action.review == Review.ACCEPTED:
        raise ActionRuleBroken("This action has already been accepted.")
    _claim(action, loaded_lock_version)
    before = action.audit_view()
    action.review = Review.ACCEPTED
    action.project_id = project.id
    action.reference = next_reference(project)
    action.return_reason = ""
    record(
        "action.accept",
        action,
        before=before,
        after=action.audit_view(),
        summary=f"Accepted {action.title} as {action.reference}",
    )


def return_action(action: Action, *, reason: str, loaded_lock_version: int) -> None:
    if action.review == Review.ACCEPTED:
        raise ActionRuleBroken("An accepted action cannot be returned. Close it instead.")
    _claim(action, loaded_lock_version)
    before = action.audit_view()
    action.review = Review.RETURNED
    action.return_reason = reason
    record(
        "action.return",
        action,
        before=before,
        after={**action.audit_view(), "return_reason": reason},
        summary=f"Returned proposed action {action.title}",
    )


def close_action(
    action: Action, *, reason: str, user: User, loaded_lock_version: int, token: str
) -> ProgressUpdate:
    """Closing is a progress update too, so the history says who closed it and why."""
    return post_update(
        action,
        user=user,
        note=f"Action closed. {reason}",
        rag=action.rag,
        rag_reason="",
        percent=action.percent_complete,
        status=ActionStatus.CLOSED,
        token=token,
        loaded_lock_version=loaded_lock_version,
    )


# --- Progress updates ------------------------------------------------------------------------


@dataclass
class UpdateResult:
    update: ProgressUpdate
    duplicate: bool


def post_update(
    action: Action,
    *,
    user: User,
    note: str,
    rag: str,
    rag_reason: str,
    percent: int,
    status: str,
    token: str,
    loaded_lock_version: int,
) -> UpdateResult:
    if len(token.strip()) < 16:
        raise ActionRuleBroken("This form is out of date. Reload the page and post your update again.")
    existing = db.session.scalar(select(ProgressUpdate).where(ProgressUpdate.submission_token == token))
    if existing is not None:
        if existing.action_id != action.id:
            raise ActionRuleBroken("This form has already been used for another action. Reload the page.")
        return UpdateResult(existing, duplicate=True)
    if not can_update(user, action):
        raise PermissionError("Only the owner agency and the programme manager update this action.")
    if action.review != Review.ACCEPTED:
        raise ActionRuleBroken("This action has not been accepted into the programme yet.")
    if action.status == ActionStatus.CLOSED:
        raise ActionRuleBroken("This action is closed.")
    if rag != action.rag and not rag_reason.strip():
        raise ActionRuleBroken("Give a reason for changing the RAG status")
    if status == ActionStatus.COMPLETE and percent != 100:
        raise ActionRuleBroken("An action can only be complete at 100%")
    _claim(action, loaded_lock_version)
    now = utcnow()
    progress = ProgressUpdate(
        action_id=action.id,
        note=note,
        rag_before=action.rag,
        rag_after=rag,
        rag_reason=rag_reason.strip() if rag != action.rag else "",
        percent_before=action.percent_complete,
        percent_after=percent,
        status_after=status,
        created_by_id=user.id,
        created_at=now,
        submission_token=token,
    )
    before = {"rag": action.rag, "percent_complete": action.percent_complete, "status": action.status}
    action.rag, action.percent_complete, action.status = rag, percent, status
    action.updated_at = action.last_update_at = now
    db.session.add(progress)
    db.session.flush()
    after = {"rag": rag, "percent_complete": percent, "status": status}
    if progress.rag_changed:
        after["rag_reason"] = progress.rag_reason
    record(
        "action.progress_update",
        action,
        before=before,
        after=after,
        summary=f"Progress update on {action.reference}"
        + (f": RAG {before['rag']} to {rag}" if progress.rag_changed else ""),
    )
    return UpdateResult(progress, duplicate=False)


def _claim(action: Action, loaded_lock_version: int) -> None:
    """Compare-and-set on the lock version, so two people never silently overwrite each other."""
    claimed = db.session.execute(
        update(Action)
        .where(Action.id == action.id, Action.lock_version == loaded_lock_version)
        .values(lock_version=loaded_lock_version + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise ActionConflict()
    action.lock_version = loaded_lock_version + 1
    db.session.flush()


# --- Challenges ------------------------------------------------------------------------------


def raise_challenge(action: Action, *, user: User, text: str) -> Challenge:
    if not can_challenge(user):
        raise PermissionError("Only Trust members and the programme manager raise challenges.")
    if action.review != Review.ACCEPTED or action.status == ActionStatus.CLOSED:
        raise ActionRuleBroken("Only open actions in the programme can be challenged.")
    challenge = Challenge(action_id=action.id, text=text, raised_by_id=user.id)
    db.session.add(challenge)
    db.session.flush()
    record(
        "challenge.raise",
        challenge,
        after={"action": action.reference, "text": text},
        summary=f"Challenged {action.reference}",
    )
    return challenge


def respond_to_challenge(challenge: Challenge, *, user: User, text: str) -> None:
    if not can_update(user, challenge.action):
        raise PermissionError("Only the owner agency and the programme manager respond.")
    if not challenge.is_open:
        raise ActionRuleBroken("This challenge is closed.")
    before = {"response": challenge.response}
    challenge.response = text
    challenge.responded_by_id = user.id
    challenge.responded_at = utcnow()
    record(
        "challenge.respond",
        challenge,
        before=before,
        after={"response": text},
        summary=f"Responded to a challenge on {challenge.action.reference}",
    )


def close_challenge(challenge: Challenge, *, user: User) -> None:
    if user.id != challenge.raised_by_id and user.role not in UPDATERS_ACROSS_AGENCIES:
        raise PermissionError("Only the person who raised it or the programme manager closes a challenge.")
    if not challenge.is_open:
        return
    challenge.closed_at = utcnow()
    record(
        "challenge.close",
        challenge,
        before={"open": True},
        after={"open": False},
        summary=f"Closed a challenge on {challenge.action.reference}",
    )


def open_challenge_counts(action_ids: list[int]) -> dict[int, int]:
    if not action_ids:
        return {}
    rows = db.session.execute(
        select(Challenge.action_id, func.count(Challenge.id))
        .where(Challenge.action_id.in_(action_ids), Challenge.closed_at.is_(None))
        .group_by(Challenge.action_id)
    )
    return dict(rows.all())
