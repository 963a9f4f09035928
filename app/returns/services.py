"""What people do with safer-recruitment returns. Each function checks who may do it and the
rules, audits, and leaves the commit to the caller. A broken rule is RuleBroken (422), a stale
form StaleEdit (409), someone without the permission NotAllowed (403).

The agency id and status of a return are never taken from a form: they come from the record the
route loaded (scoped to what the user may see) and from these transitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from app.audit import record
from app.auth.models import Agency, User
from app.db_types import utcnow
from app.errors import RuleBroken
from app.extensions import db
from app.locking import claim
from app.returns import notices, permissions
from app.returns.models import (
    RATING_LABELS,
    Return,
    ReturnPeriod,
    ReturnStatus,
    ReturnTransition,
    compliance_percent,
)
from app.returns.questions import COUNT, CURRENT_VERSION, DATE, TEXT, YES_NO, Question, questions_for

# No agency appoints a million people a quarter: a bigger number is a typing mistake.
LARGEST_COUNT = 1_000_000
TEXT_LIMIT = 4000
COMMENT_LIMIT = 1000


# --- The rules about answers ------------------------------------------------------------------


def count_problem(value: Any) -> str | None:
    """Why this is not a count (a whole number, 0 or more), or None if it is one (or unanswered)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return "Enter a whole number, like 12"
    if value < 0:
        return "Enter 0 or more"
    if value > LARGEST_COUNT:
        return "Enter a number under 1,000,000"
    return None


def _value_problem(question: Question, value: Any) -> str | None:
    if question.kind == COUNT:
        return count_problem(value)
    if value is None:
        return None
    if question.kind == YES_NO and value not in ("yes", "no"):
        return "Choose yes or no"
    if question.kind == DATE and not isinstance(value, date):
        return "Enter a real date"
    if question.kind == TEXT and (not isinstance(value, str) or len(value) > TEXT_LIMIT):
        return f"Keep it to {TEXT_LIMIT:,} characters"
    return None


def answer_problems(questions, answers: dict[str, Any]) -> dict[str, str]:
    """Every problem with these answers, by question key: not a count, or an "of those" count
    larger than its total (and the allegations' outcomes together more than the referrals)."""
    problems: dict[str, str] = {}
    by_key = {q.key: q for q in questions}
    for question in questions:
        problem = _value_problem(question, answers.get(question.key))
        if problem:
            problems[question.key] = problem
    for question in questions:
        total_question = by_key.get(question.of or "")
        value = answers.get(question.key)
        if question.key in problems or total_question is None or total_question.key in problems:
            continue
        total = answers.get(total_question.key)
        if isinstance(value, int) and isinstance(total, int) and value > total:
            problems[question.key] = f"This cannot be more than the {total} answered above"
    problems.update(_outcome_problems(questions, answers, problems))
    return problems


def _outcome_problems(questions, answers, problems) -> dict[str, str]:
    parts = [q for q in questions if q.part_of_whole]
    if not parts or any(q.key in problems for q in parts):
        return {}
    total = answers.get(parts[0].of or "")
    added = sum(answers.get(q.key) or 0 for q in parts)
    if isinstance(total, int) and added > total:
        return {parts[0].key: f"The outcomes add up to {added}, more than the {total} referrals"}
    return {}


def check_answers(questions, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers to these questions only (anything else sent is dropped), or RuleBroken on the
    first problem's field."""
    problems = answer_problems(questions, answers)
    if problems:
        key, message = next(iter(problems.items()))
        raise RuleBroken(message, field=key)
    kept = {}
    for question in questions:
        value = answers.get(question.key)
        if value is None or value == "":
            continue
        kept[question.key] = value.isoformat() if question.kind == DATE else value
    return kept


def stored_answers(ret: Return) -> dict[str, Any]:
    """The return's answers as Python values (dates back from their ISO text)."""
    return ret.answer_values


def check_editable(ret: Return) -> None:
    if not ret.is_editable:
        raise RuleBroken(
            "This return has been submitted and cannot be changed. "
            "It can be changed again only if a reviewer returns it for amendment."
        )


def check_complete(ret: Return) -> None:
    """A return is submitted with every count answered, a self-assessed rating and the named
    senior manager. (An allegation outcome left blank is none of that outcome.)"""
    for question in ret.questions:
        if question.kind == COUNT and not question.part_of_whole and ret.answers.get(question.key) is None:
            raise RuleBroken("Answer this before you submit: enter 0 if there were none", field=question.key)
    if not (ret.answers.get("senior_manager") or "").strip():
        raise RuleBroken("Name your agency's senior manager for allegations", field="senior_manager")
    if ret.self_rating not in RATING_LABELS:
        raise RuleBroken("Choose your self-assessed rating before you submit", field="self_rating")


def check_rating(rating: str, field: str) -> None:
    if rating and rating not in RATING_LABELS:
        raise RuleBroken("Choose a rating from the list", field=field)


# --- Starting and saving ----------------------------------------------------------------------


def last_accepted(agency_id: int) -> Return | None:
    return db.session.scalar(
        select(Return)
        .join(ReturnPeriod, ReturnPeriod.id == Return.period_id)
        .where(Return.agency_id == agency_id, Return.status == ReturnStatus.ACCEPTED)
        .order_by(ReturnPeriod.due_on.desc())
        .limit(1)
    )


def carried_forward(agency_id: int, version: int) -> dict[str, Any]:
    """From the agency's last accepted return, the answers that stay true from one period to the
    next (the named senior manager, the SCR's last audit): never a count."""
    previous = last_accepted(agency_id)
    if previous is None:
        return {}
    keys = {q.key for q in questions_for(version) if q.carried_forward and q.kind != COUNT}
    return {key: value for key, value in previous.answers.items() if key in keys}


def start_return(period: ReturnPeriod, agency: Agency, *, user: User) -> Return:
    """The agency's return for the period: started now (pre-filled) unless it exists already."""
    ret = Return(agency_id=agency.id, period_id=period.id, template_version=CURRENT_VERSION)
    permissions.PREPARE.require(user, ret)
    existing = db.session.scalar(
        select(Return).where(Return.agency_id == agency.id, Return.period_id == period.id)
    )
    if existing is not None:
        return existing
    if not period.applies_to(agency):
        raise RuleBroken(
            f"{period.name} does not ask for a return from {agency.kind_label.lower()} agencies."
        )
    if not period.is_open:
        raise RuleBroken(f"{period.name} is not open for returns.")
    ret.answers = carried_forward(agency.id, CURRENT_VERSION)
    ret.comments = {}
    ret.status = ReturnStatus.DRAFT
    ret.started_by_id = user.id
    db.session.add(ret)
    db.session.flush()
    record(
        "return.start",
        ret,
        after=ret.audit_view(),
        summary=f"Started the {period.name} return for {agency.name}",
    )
    return ret


def _clean_comments(questions, comments: dict[str, str]) -> dict[str, str]:
    keys = {q.key for q in questions}
    kept = {k: v.strip() for k, v in comments.items() if k in keys and isinstance(v, str) and v.strip()}
    for key, value in kept.items():
        if len(value) > COMMENT_LIMIT:
            raise RuleBroken(f"Keep the comment to {COMMENT_LIMIT:,} characters", field=f"{key}_comment")
    return kept


def save_answers(
    ret: Return,
    answers: dict[str, Any],
    *,
    comments: dict[str, str],
    self_rating: str,
    user: User,
    loaded_version: int | None,
) -> bool:
    """Save the draft's answers (autosave and the Save button). False when nothing changed."""
    permissions.PREPARE.require(user, ret)
    check_editable(ret)
    questions = ret.questions
    cleaned = check_answers(questions, answers)
    kept_comments = _clean_comments(questions, comments)
    check_rating(self_rating, "self_rating")
    claim(ret, loaded_version)
    if (cleaned, kept_comments, self_rating) == (ret.answers, ret.comments, ret.self_rating):
        ret.lock_version = loaded_version  # nothing to write: the version stays where it was
        return False
    before = ret.audit_view()
    ret.answers, ret.comments, ret.self_rating = cleaned, kept_comments, self_rating
    ret.compliance = compliance_percent(cleaned)
    ret.updated_at = utcnow()
    record(
        "return.save",
        ret,
        before=before,
        after=ret.audit_view(),
        summary=f"Saved the draft {ret.period.name} return for {ret.agency.name}",
    )
    return True


def apply_scr_counts(ret: Return, counts: dict[str, int], *, user: User, loaded_version: int | None) -> None:
    """Write the counts worked out from the agency's SCR export into the draft: only those counts,
    every other answer kept."""
    from app.returns.scr import COUNTED_KEYS

    permissions.PREPARE.require(user, ret)
    check_editable(ret)
    counts = {key: value for key, value in counts.items() if key in COUNTED_KEYS}
    merged = {**stored_answers(ret), **counts}
    cleaned = check_answers(ret.questions, merged)
    claim(ret, loaded_version)
    before = ret.audit_view()
    ret.answers = cleaned
    ret.compliance = compliance_percent(cleaned)
    ret.updated_at = utcnow()
    record(
        "return.scr_counts",
        ret,
        before=before,
        after=ret.audit_view(),
        summary=f"Filled the {ret.period.name} return's counts from the single central record",
    )


# --- Submitting and review --------------------------------------------------------------------


def _move(ret: Return, to: ReturnStatus, user: User, *, reason: str = "", event: str, summary: str) -> None:
    before = ret.audit_view()
    db.session.add(
        ReturnTransition(
            return_id=ret.id, from_status=ret.status, to_status=to, reason=reason, actor_id=user.id
        )
    )
    ret.status = to
    after = ret.audit_view()
    if reason:
        after["return_reason"] = reason
    record(event, ret, before=before, after=after, summary=summary)


def submit_return(ret: Return, *, user: User, loaded_version: int | None) -> None:
    """The agency lead sends a draft (or an amended, returned one) to the partnership."""
    permissions.SUBMIT.require(user, ret)
    if ret.status not in (ReturnStatus.DRAFT, ReturnStatus.RETURNED):
        raise RuleBroken("This return has already been submitted.")
    check_complete(ret)
    claim(ret, loaded_version)
    again = ret.status == ReturnStatus.RETURNED
    verb = "Resubmitted" if again else "Submitted"
    ret.submitted_at = utcnow()
    _move(
        ret,
        ReturnStatus.SUBMITTED,
        user,
        event="return.resubmit" if again else "return.submit",
        summary=f"{verb} the {ret.period.name} return for {ret.agency.name}",
    )


def _check_reviewable(ret: Return, user: User) -> None:
    permissions.REVIEW.require(user, ret)
    if ret.status != ReturnStatus.SUBMITTED:
        raise RuleBroken("Only a submitted return can be accepted or returned.")


def accept_return(ret: Return, *, moderated_rating: str, user: User, loaded_version: int | None) -> None:
    _check_reviewable(ret, user)
    check_rating(moderated_rating, "moderated_rating")
    claim(ret, loaded_version)
    ret.moderated_rating = moderated_rating or ret.self_rating
    ret.return_reason = ""
    _move(
        ret,
        ReturnStatus.ACCEPTED,
        user,
        event="return.accept",
        summary=f"Accepted the {ret.period.name} return from {ret.agency.name}",
    )


def return_for_amendment(
    ret: Return, *, reason: str, moderated_rating: str, user: User, loaded_version: int | None
) -> None:
    """A reviewer sends a submitted return back to its agency, saying why; the agency's leads are
    told, with the reason."""
    _check_reviewable(ret, user)
    reason = (reason or "").strip()
    if not reason:
        raise RuleBroken("Say what the agency needs to change", field="reason")
    check_rating(moderated_rating, "moderated_rating")
    claim(ret, loaded_version)
    ret.moderated_rating = moderated_rating
    ret.return_reason = reason
    _move(
        ret,
        ReturnStatus.RETURNED,
        user,
        reason=reason,
        event="return.return",
        summary=f"Returned the {ret.period.name} return to {ret.agency.name} for amendment",
    )
    notices.return_returned(ret)


# --- Periods --------------------------------------------------------------------------------


@dataclass
class PeriodDetails:
    name: str
    covers_from: date
    covers_to: date
    opens_on: date
    due_on: date
    agency_kinds: list[str]
    closed: bool = False


def _check_period(details: PeriodDetails, period: ReturnPeriod | None) -> None:
    if details.covers_to < details.covers_from:
        raise RuleBroken("The period must end on or after the day it starts", field="covers_to")
    if details.due_on < details.opens_on:
        raise RuleBroken("The due date must be on or after the day returns open", field="due_on")
    same_name = db.session.scalar(select(ReturnPeriod.id).where(ReturnPeriod.name == details.name))
    if same_name is not None and (period is None or same_name != period.id):
        raise RuleBroken("There is already a period with this name", field="name")


def save_period(
    period: ReturnPeriod | None, details: PeriodDetails, *, user: User, loaded_version: int | None = None
) -> ReturnPeriod:
    permissions.MANAGE_PERIODS.require(user)
    _check_period(details, period)
    creating = period is None
    if period is None:
        period = ReturnPeriod()
        db.session.add(period)
    else:
        claim(period, loaded_version)
    before = None if creating else period.audit_view()
    period.name = details.name
    period.covers_from, period.covers_to = details.covers_from, details.covers_to
    period.opens_on, period.due_on = details.opens_on, details.due_on
    period.agency_kinds = ",".join(details.agency_kinds)
    period.closed = details.closed
    db.session.flush()
    record(
        "return_period.create" if creating else "return_period.edit",
        period,
        before=before,
        after=period.audit_view(),
        summary=f"{'Created' if creating else 'Edited'} the return period {period.name}",
    )
    return period
