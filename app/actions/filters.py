"""The action list's filters and sort order, read from the query string so a view can be shared."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import and_, exists, or_

from app.actions.models import RAG_LABELS, STATUS_LABELS, Action, Challenge, Review, action_contributors
from app.actions.permissions import challenges_to_close
from app.pagination import bounded_int, like_pattern

SORTS = {
    "due": "Due date, soonest first",
    "reference": "Reference",
    "rag": "RAG, red first",
    "updated": "Last updated, oldest first",
}
# Actions with an open challenge that is...
CHALLENGE_FILTERS = {
    "open": "Open challenges",
    "waiting": "Challenges waiting for a response",
    "overdue": "Challenges with an overdue response",
    "answered": "Answered challenges for you to close",
}


@dataclass
class ActionFilters:
    q: str = ""
    rag: str = ""
    status: str = ""
    agency: int | None = None
    project: int | None = None
    overdue: bool = False
    due_soon: bool = False
    challenge: str = ""
    review: str = Review.ACCEPTED
    sort: str = "due"

    @classmethod
    def from_args(cls, args) -> ActionFilters:
        return cls(
            q=args.get("q", "").strip()[:100],
            rag=args.get("rag", "") if args.get("rag") in RAG_LABELS else "",
            status=args.get("status", "") if args.get("status") in STATUS_LABELS else "",
            agency=bounded_int(args.get("agency")),
            project=bounded_int(args.get("project")),
            overdue=args.get("overdue") == "1",
            due_soon=args.get("due_soon") == "1",
            challenge=args.get("challenge", "") if args.get("challenge") in CHALLENGE_FILTERS else "",
            review=args.get("review")
            if args.get("review") in (Review.PROPOSED, Review.RETURNED, Review.WITHDRAWN)
            else Review.ACCEPTED,
            sort=args.get("sort") if args.get("sort") in SORTS else "due",
        )

    def to_args(self) -> dict:
        """Only the filters that are set, for links and the CSV export."""
        defaults = ActionFilters()
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value != getattr(defaults, f.name):
                out[f.name] = "1" if value is True else value
        return out

    @property
    def any_set(self) -> bool:
        return bool({k for k in self.to_args() if k != "sort"})

    def apply(self, stmt, user):
        stmt = stmt.where(Action.review == self.review)
        if self.q:
            pattern = like_pattern(self.q)
            stmt = stmt.where(
                or_(
                    Action.title.ilike(pattern, escape="\\"),
                    Action.reference.ilike(pattern, escape="\\"),
                    Action.owner_name.ilike(pattern, escape="\\"),
                )
            )
        if self.rag:
            stmt = stmt.where(Action.rag == self.rag)
        if self.status:
            stmt = stmt.where(Action.status == self.status)
        if self.agency:
            contributes = exists().where(
                action_contributors.c.action_id == Action.id, action_contributors.c.agency_id == self.agency
            )
            stmt = stmt.where(or_(Action.owner_agency_id == self.agency, contributes))
        if self.project:
            stmt = stmt.where(Action.project_id == self.project)
        if self.overdue:
            stmt = stmt.where(Action.is_overdue)
        if self.due_soon:
            stmt = stmt.where(Action.is_due_soon)
        if self.challenge:
            stmt = stmt.where(
                exists().where(Challenge.action_id == Action.id, self._challenge_condition(user))
            )
        return stmt.order_by(*self._order())

    def _challenge_condition(self, user):
        if self.challenge == "overdue":
            return Challenge.is_overdue
        if self.challenge == "answered":
            return and_(Challenge.is_answered, challenges_to_close(user))
        if self.challenge == "open":
            return Challenge.closed_at.is_(None)
        return Challenge.is_awaiting_response

    def _order(self):
        if self.sort == "reference":
            return (Action.reference, Action.id)
        if self.sort == "rag":
            return (Action.rag_severity.desc(), Action.due_date, Action.id)
        if self.sort == "updated":
            return (Action.last_update_at.is_(None).desc(), Action.last_update_at, Action.id)
        return (Action.due_date, Action.id)
