"""What people do with partnership actions. Each function checks who may do it, audits, and
leaves the commit to the caller. A broken rule is RuleBroken (422), a stale form StaleEdit (409)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select, update

from app.actions import notices, permissions
from app.actions.models import (
    CHALLENGE_RESPONSE_WORKING_DAYS,
    OPEN_PROPOSALS,
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
from app.dates import add_working_days, today
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
    # Loading the contributors must not flush the half-made change: it is saved in one UPDATE.
    with db.session.no_autoflush:
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


# Titles at least this alike (difflib's ratio, 0 to 1, case and spacing ignored) are pointed out.
LIKELY_DUPLICATE_RATIO = 0.75


def _comparable(title: str) -> str:
    return " ".join(title.lower().split())


def likely_duplicates(
    title: str, *, owner_agency_id: int, project_id: int | None = None, limit: int = 5
) -> list[Action]:
    """Actions the partnership already has (accepted or still proposed) in the same project or for
    the same agency, with a very similar title: pointed out before adding another, never refused.

    One query, for the titles of one agency's and one project's actions."""
    same_place = Action.owner_agency_id == owner_agency_id
    if project_id is not None:
        same_place = or_(same_place, Action.project_id == project_id)
    candidates = db.session.execute(
        select(Action.id, Action.title).where(
            same_place, Action.review.in_([Review.ACCEPTED, Review.PROPOSED, Review.RETURNED])
        )
    ).all()
    wanted = _comparable(title)
    scored = sorted(
        (
            (difflib.SequenceMatcher(None, wanted, _comparable(other)).ratio(), action_id)
            for action_id, other in candidates
        ),
        reverse=True,
    )
    ids = [action_id for ratio, action_id in scored[:limit] if ratio >= LIKELY_DUPLICATE_RATIO]
    if not ids:
        return []
    found = {a.id: a for a in db.session.scalars(select(Action).where(Action.id.in_(ids)))}
    return [found[i] for i in ids]


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
    if action.review == Review.WITHDRAWN:
        raise RuleBroken("The agency has withdrawn this proposal.")
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
    if action.review == Review.WITHDRAWN:
        raise RuleBroken("The agency has withdrawn this proposal.")
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
    notices.proposal_returned(action)


def _require_open_proposal(action: Action, doing: str) -> None:
    if action.review not in OPEN_PROPOSALS:
        raise RuleBroken(f"Only a proposed action can be {doing}: this one has been {action.review} already.")


def revise_proposal(
    action: Action, details: ActionDetails, *, user: User, loaded_version: int | None
) -> None:
    """The agency edits its own proposal. A returned one goes back to the programme manager."""
    permissions.REVISE_PROPOSAL.require(user, action)
    _require_open_proposal(action, "edited")
    claim(action, loaded_version)
    before = {**action.audit_view(), "return_reason": action.return_reason}
    details.owner_agency_id = action.owner_agency_id  # an agency speaks only for itself
    _apply(action, details)
    resubmitted = action.review == Review.RETURNED
    action.review = Review.PROPOSED
    action.return_reason = ""
    action.updated_at = utcnow()
    record(
        "action.resubmit" if resubmitted else "action.revise",
        action,
        before=before,
        after={**action.audit_view(), "return_reason": ""},
        summary=f"{'Edited and sent again' if resubmitted else 'Edited'} proposed action {action.title}",
    )


def resubmit_proposal(action: Action, *, user: User, loaded_version: int | None) -> None:
    """A returned proposal sent to the programme manager again, as it is."""
    permissions.REVISE_PROPOSAL.require(user, action)
    if action.review != Review.RETURNED:
        raise RuleBroken("Only a returned proposal can be sent again.")
    claim(action, loaded_version)
    before = {"review": action.review, "return_reason": action.return_reason}
    action.review = Review.PROPOSED
    action.return_reason = ""
    action.updated_at = utcnow()
    record(
        "action.resubmit",
        action,
        before=before,
        after={"review": action.review, "return_reason": ""},
        summary=f"Sent proposed action {action.title} again",
    )


def withdraw_proposal(action: Action, *, user: User, loaded_version: int | None) -> None:
    """The agency takes its proposal back. It stays on record (and in the audit trail), withdrawn."""
    permissions.WITHDRAW_PROPOSAL.require(user, action)
    _require_open_proposal(action, "withdrawn")
    claim(action, loaded_version)
    before = {"review": action.review}
    action.review = Review.WITHDRAWN
    action.updated_at = utcnow()
    record(
        "action.withdraw",
        action,
        before=before,
        after={"review": action.review},
        summary=f"Withdrew proposed action {action.title}",
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
    """A question for the owner agency, to be answered within CHALLENGE_RESPONSE_WORKING_DAYS."""
    permissions.CHALLENGE.require(user)
    if not action.accepts_updates:
        raise RuleBroken("Only open actions in the programme can be challenged.", field="text")
    challenge = Challenge(
        action_id=action.id,
        text=text,
        raised_by_id=user.id,
        response_due=add_working_days(today(), CHALLENGE_RESPONSE_WORKING_DAYS),
    )
    db.session.add(challenge)
    db.session.flush()
    record(
        "challenge.raise",
        challenge,
        after={"action": action.reference, "text": text, "response_due": challenge.response_due.isoformat()},
        summary=f"Challenged {action.reference}",
    )
    notices.challenge_raised(challenge)
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
    notices.challenge_answered(challenge)


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


@dataclass(frozen=True)
class OpenChallenges:
    """An action's open challenges, and how many of them are past their response date."""

    count: int = 0
    overdue: int = 0


def open_challenge_counts(action_ids: list[int]) -> dict[int, OpenChallenges]:
    """Open challenges of each of these actions, in one query."""
    if not action_ids:
        return {}
    rows = db.session.execute(
        select(
            Challenge.action_id,
            func.count(Challenge.id),
            func.sum(case((Challenge.is_overdue, 1), else_=0)),
        )
        .where(Challenge.action_id.in_(action_ids), Challenge.closed_at.is_(None))
        .group_by(Challenge.action_id)
    )
    return {action_id: OpenChallenges(count, overdue or 0) for action_id, count, overdue in rows}
