"""What people do with partnership actions. Each function checks who may do it, audits, and
leaves the commit to the caller. A broken rule is RuleBroken (422), a stale form StaleEdit (409)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update

from app.actions import permissions
from app.actions.models import (
    Action,
    ActionStatus,
    Challenge,
    ProgressUpdate,
    Project,
    Rag,
    Review,
)
from app.audit import record
from app.auth.models import Agency, User
from app.db_types import utcnow
from app.errors import RuleBroken
from app.extensions import db
from app.locking import claim

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
    permissions.PROPOSE.require(user)
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
    permissions.MANAGE.require(user)
    action = Action(review=Review.ACCEPTED, submitted_by_id=user.id, project_id=project.id)
    _apply(action, details)
    action.reference = next_reference(project)
    db.session.add(action)
    db.session.flush()
    record("action.create", action, after=action.audit_view(), summary=f"Created action {action.reference}")
    return action


def edit_action(
    action: Action, details: ActionDetails, *, project: Project | None, user: User, loaded_version: int | None
) -> None:
    permissions.MANAGE.require(user)
    claim(action, loaded_version)
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
    """P12-03: the project's code and the next number in it, taken in one UPDATE so that parallel
    requests each get their own (the row stays locked until the transaction ends)."""
    number = db.session.execute(
        update(Project)
        .where(Project.id == project.id)
        .values(last_action_number=Project.last_action_number + 1)
        .returning(Project.last_action_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return f"{project.code}-{number:02d}"


def accept_action(action: Action, *, project: Project, user: User, loaded_version: int | None) -> None:
    permissions.MANAGE.require(user)
    if action.review == Review.ACCEPTED:
        raise RuleBroken("This action has already been accepted.")
    claim(action, loaded_version)
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


def return_action(action: Action, *, reason: str, user: User, loaded_version: int | None) -> None:
    permissions.MANAGE.require(user)
    if action.review == Review.ACCEPTED:
        raise RuleBroken("An accepted action cannot be returned. Close it instead.")
    claim(action, loaded_version)
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


def close_action(action: Action, *, reason: str, user: User, loaded_version: int | None) -> ProgressUpdate:
    """Closing is a progress update too, so the history says who closed it and why."""
    permissions.MANAGE.require(user)
    return post_update(
        action,
        user=user,
        note=f"Action closed. {reason}",
        rag=action.rag,
        rag_reason="",
        percent=action.percent_complete,
        status=ActionStatus.CLOSED,
        loaded_version=loaded_version,
    )


# --- Progress updates ------------------------------------------------------------------------


def post_update(
    action: Action,
    *,
    user: User,
    note: str,
    rag: str,
    rag_reason: str,
    percent: int,
    status: str,
    loaded_version: int | None,
) -> ProgressUpdate:
    permissions.UPDATE.require(user, action)
    if not action.accepts_updates:
        raise RuleBroken(
            "This action is closed."
            if action.review == Review.ACCEPTED
            else "This action has not been accepted into the programme yet."
        )
    if rag != action.rag and not rag_reason.strip():
        raise RuleBroken("Give a reason for changing the RAG status", field="rag_reason")
    if status == ActionStatus.COMPLETE and percent != 100:
        raise RuleBroken("An action can only be complete at 100%", field="status")
    claim(action, loaded_version)
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
    return progress


# --- Challenges ------------------------------------------------------------------------------


def raise_challenge(action: Action, *, user: User, text: str) -> Challenge:
    permissions.CHALLENGE.require(user)
    if not action.accepts_updates:
        raise RuleBroken("Only open actions in the programme can be challenged.", field="text")
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
    permissions.RESPOND.require(user, challenge.action)
    if not challenge.is_open:
        raise RuleBroken("This challenge is closed.", field="text")
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
    permissions.CLOSE_CHALLENGE.require(user, challenge)
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
