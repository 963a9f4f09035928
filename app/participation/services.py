"""What happens to young people's feedback. Each function checks who may do it and audits; the
caller commits. Nothing here writes a young person's words to a log or to the audit trail."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from flask import current_app, has_request_context, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import bindparam, delete, func, select, union_all
from sqlalchemy.orm import joinedload

from app.audit import record
from app.auth.models import User
from app.dates import LOCAL_ZONE, local_month, today
from app.db_types import utcnow
from app.errors import RuleBroken
from app.extensions import db
from app.locking import claim
from app.navigation import path_for
from app.notifications.kinds import Kind
from app.notifications.services import notify
from app.participation import permissions
from app.participation.disclosure import disclosure_topics
from app.participation.models import (
    ActionTaken,
    Consultation,
    Feedback,
    Response,
    Theme,
    Triage,
)
from app.report_cache import remember

log = logging.getLogger(__name__)

TICKED = "ticked \u201cI don\u2019t feel safe\u201d"


# --- Receiving feedback ------------------------------------------------------------------------


@dataclass
class FeedbackDetails:
    consultation_id: int | None
    what_is_good: str
    what_should_change: str
    age_band: str | None
    service: str
    wants_contact: bool
    contact_details: str


@dataclass(frozen=True)
class OpenConsultation:
    id: int
    question: str


def open_consultations() -> tuple[OpenConsultation, ...]:
    """The consultations open today, soonest to close first: the choices on the young people's
    form, the same for everyone. Kept until the next audit event (every change to a consultation
    writes one) and for the day (they open and close by date)."""
    day = today()

    def read() -> tuple[OpenConsultation, ...]:
        rows = db.session.execute(
            select(Consultation.id, Consultation.question)
            .where(Consultation.opens_on <= day, Consultation.closes_on >= day)
            .order_by(Consultation.closes_on)
        )
        return tuple(OpenConsultation(id_, question) for id_, question in rows)

    if has_request_context() and request.method == "POST":
        return read()  # a message sent is an audit event: what a POST kept would go at once
    return remember("participation.open_consultations", day, read)


def receive_feedback(details: FeedbackDetails) -> Feedback:
    """Store what a young person sent. If they ticked "I don't feel safe", or their words look
    like a disclosure of harm, flag it and write an alert to every participation lead in the same
    transaction: the alert is never lost, even if email is down."""
    if not (details.what_is_good.strip() or details.what_should_change.strip() or details.wants_contact):
        raise RuleBroken("Tell us something: what is good, or what should change", field="what_is_good")
    consultation_id = details.consultation_id
    if consultation_id is not None and consultation_id not in {c.id for c in open_consultations()}:
        consultation_id = None  # a consultation that closed while they wrote: keep the words anyway
    reasons = ([TICKED] if details.wants_contact else []) + [
        f"words about {topic}"
        for topic in disclosure_topics(details.what_is_good, details.what_should_change)
    ]
    feedback = Feedback(
        consultation_id=consultation_id,
        what_is_good=details.what_is_good.strip(),
        what_should_change=details.what_should_change.strip(),
        age_band=details.age_band or None,
        service=details.service.strip(),
        wants_contact=details.wants_contact,
        contact_details=details.contact_details.strip() if details.wants_contact else "",
        flagged=bool(reasons),
        flag_reasons="; ".join(reasons)[:300],
    )
    db.session.add(feedback)
    db.session.flush()
    if feedback.flagged:
        _write_alerts(feedback)
    record(
        "feedback.receive",
        feedback,
        actor_label="a young person",
        after={"flagged": feedback.flagged, "consultation_id": consultation_id},
        summary="A young person gave feedback" + (" that needs urgent review" if feedback.flagged else ""),
        keep_address=False,
    )
    return feedback


SAFEGUARDING_ALERT = Kind(
    "safeguarding_alert",
    "A young person's message may show they are at risk",
    email_by_default=True,
    required=True,
)


def alert_recipients() -> list[User]:
    roles = [str(role) for role in permissions.RECEIVE_ALERTS.roles]
    return db.session.scalars(select(User).where(User.role.in_(roles), User.active.is_(True))).all()


def _write_alerts(feedback: Feedback) -> None:
    """An alert to every participation lead, in the portal and by email, in this transaction."""
    recipients = alert_recipients()
    if not recipients:
        log.error("A flagged message (feedback %s) has no participation lead to alert", feedback.id)
    notify(
        SAFEGUARDING_ALERT,
        recipients,
        title="Urgent: a young person's message may show they are at risk",
        body="They asked for someone to talk to them, or their words may describe harm. Read it and "
        "record what you did. (This notification never holds the message itself.)",
        link=path_for("participation.show_feedback", feedback_id=feedback.id),
    )


# --- Triage ----------------------------------------------------------------------------------


def mark_reviewed(feedback: Feedback, *, user: User) -> None:
    permissions.READ_FEEDBACK.require(user)
    if feedback.awaits_action:
        raise RuleBroken("Record what was done about this message before marking it reviewed.")
    if feedback.triage == Triage.REVIEWED:
        return
    feedback.triage, feedback.reviewed_by_id = Triage.REVIEWED, user.id
    record("feedback.review", feedback, after={"triage": Triage.REVIEWED}, summary="Marked feedback reviewed")


def record_action(feedback: Feedback, *, user: User, action_taken: str, note: str) -> None:
    """A named participation lead records what was done about a flagged message. Once."""
    permissions.ACT_ON_FLAGGED.require(user)
    if not feedback.flagged:
        raise RuleBroken("Only a flagged message needs an action recorded.", field="action_taken")
    if feedback.actioned_at is not None:
        raise RuleBroken(
            f"{feedback.actioned_by.full_name} has already recorded what was done.", field="action_taken"
        )
    if action_taken not in set(ActionTaken):
        raise RuleBroken("Choose what was done", field="action_taken")
    if action_taken != ActionTaken.NO_CONCERN and not note.strip():
        raise RuleBroken("Say who it was referred to, or how the young person was contacted", field="note")
    now = utcnow()
    feedback.action_taken, feedback.action_note = action_taken, note.strip()
    feedback.actioned_by_id, feedback.actioned_at = user.id, now
    feedback.triage, feedback.reviewed_by_id = Triage.REVIEWED, user.id
    record(
        "feedback.action",
        feedback,
        after={"action_taken": action_taken},
        summary=f"Recorded the action on a flagged message: {feedback.action_label}",
    )


def tag_themes(feedback: Feedback, *, user: User, names: list[str]) -> None:
    permissions.READ_FEEDBACK.require(user)
    wanted = sorted({n.strip()[:80] for n in names if n.strip()}, key=str.lower)
    existing = {t.name.lower(): t for t in db.session.scalars(select(Theme))}
    themes = []
    for name in wanted:
        theme = existing.get(name.lower())
        if theme is None:
            theme = Theme(name=name)
            db.session.add(theme)
            existing[name.lower()] = theme
        themes.append(theme)
    before = [t.name for t in feedback.themes]
    feedback.themes = themes
    if before != [t.name for t in themes]:
        record(
            "feedback.themes",
            feedback,
            before={"themes": ", ".join(before)},
            after={"themes": ", ".join(t.name for t in themes)},
            summary="Tagged the themes of a message",
        )


def awaiting_action():
    """Flagged messages nobody has acted on yet, oldest first (a select)."""
    return select(Feedback).where(Feedback.awaits_action).order_by(Feedback.received_at)


# The triage queue's parts, in order; within each, the newest first.
def _queue_parts() -> tuple:
    not_waiting = Feedback.flagged.is_(False) | Feedback.actioned_at.is_not(None)
    return (
        Feedback.awaits_action,
        not_waiting & (Feedback.triage == Triage.NEW),
        not_waiting & (Feedback.triage != Triage.NEW),
    )


def _queue_part(item: Feedback) -> int:
    """Which of _queue_parts() the message is in: 0, 1 or 2."""
    if item.awaits_action:
        return 0
    return 1 if item.triage == Triage.NEW else 2


class TriagePage(Pagination):
    """One page of the triage queue: flagged and waiting first, then new, then the rest (reviewed,
    or flagged and acted on); the newest first within each.

    A single ORDER BY on those conditions would sort every message on every request (100,000 at
    county scale). Instead each part is read in the order of the received_at index, and only the
    parts the page overlaps: two small counts, the total (kept), and the page's rows from one to
    three parts in one statement (four queries at most)."""

    def _query_items(self) -> list[Feedback]:
        def count_parts() -> tuple[int, int, int]:
            total = db.session.scalar(select(func.count(Feedback.id))) or 0
            waiting, new, _ = _queue_parts()
            first = [db.session.scalar(select(func.count(Feedback.id)).where(p)) or 0 for p in (waiting, new)]
            return total, first[0], first[1]

        # Counting 100,000 messages takes longer than the rest of the page: the sizes are kept
        # until an audit event says a message came in or was triaged (app/report_cache.py).
        total, *first = remember("participation.queue_sizes", None, count_parts)
        self._total = total
        sizes = [*first, max(total - sum(first), 0)]
        start = (self.page - 1) * self.per_page
        end = start + self.per_page
        parts, bounds = [], {}  # the parts the page overlaps, and its share of each
        part_start = 0
        for part, size in enumerate(sizes):
            low, high = max(start, part_start), min(end, part_start + size)
            if low < high:
                parts.append(part)
                bounds[f"offset_{part}"], bounds[f"limit_{part}"] = low - part_start, high - low
            part_start += size
        if not parts:
            return []
        items = db.session.scalars(_page_statement(tuple(parts)), bounds).all()
        newest_first = sorted(items, key=lambda item: (item.received_at, item.id), reverse=True)
        return sorted(newest_first, key=_queue_part)

    def _query_count(self) -> int:
        return self._total


@lru_cache(maxsize=8)
def _page_statement(parts: tuple[int, ...]):
    """A page's messages from `parts` (indexes into _queue_parts()), each part's offset and limit
    bound as parameters: built once for each set of parts, as building it took longer than running
    it. The newest first within each part, in the order of the received_at index."""
    conditions = _queue_parts()
    slices = []
    for part in parts:
        ids = (
            select(Feedback.id)
            .where(conditions[part])
            .order_by(Feedback.received_at.desc(), Feedback.id.desc())
            .offset(bindparam(f"offset_{part}"))
            .limit(bindparam(f"limit_{part}"))
        )
        slices.append(select(ids.subquery().c.id))
    on_page = slices[0] if len(slices) == 1 else union_all(*slices)
    return select(Feedback).where(Feedback.id.in_(on_page)).options(joinedload(Feedback.consultation))


def triage_page(page: int, per_page: int) -> TriagePage:
    return TriagePage(page=page, per_page=per_page, max_per_page=100, error_out=False)


# --- Counts for the Trust (never the words) ------------------------------------------------------


@dataclass
class FeedbackSummary:
    total: int
    flagged_open: int
    by_theme: list[tuple[str, int]]
    by_consultation: list[tuple[str, int]]
    by_age_band: list[tuple[str | None, int]]
    by_month: list[tuple[str, int]]
    published_responses: int


def feedback_summary(since: date | None = None) -> FeedbackSummary:
    """Counts only, in a fixed number of queries whatever the number of messages."""
    from app.participation.models import AGE_BANDS, feedback_themes

    # From the start of that day in the partnership's time zone.
    where = (
        [Feedback.received_at >= datetime(since.year, since.month, since.day, tzinfo=LOCAL_ZONE)]
        if since
        else []
    )
    total = db.session.scalar(select(func.count(Feedback.id)).where(*where))
    flagged_open = db.session.scalar(select(func.count(Feedback.id)).where(Feedback.awaits_action))
    by_theme = db.session.execute(
        select(Theme.name, func.count(feedback_themes.c.feedback_id))
        .join(feedback_themes, feedback_themes.c.theme_id == Theme.id)
        .join(Feedback, Feedback.id == feedback_themes.c.feedback_id)
        .where(*where)
        .group_by(Theme.name)
        .order_by(func.count(feedback_themes.c.feedback_id).desc(), Theme.name)
    ).all()
    by_consultation = db.session.execute(
        select(func.coalesce(Consultation.title, "Something else"), func.count(Feedback.id))
        .select_from(Feedback)
        .outerjoin(Consultation, Consultation.id == Feedback.consultation_id)
        .where(*where)
        .group_by(Consultation.title)
        .order_by(func.count(Feedback.id).desc())
    ).all()
    ages = dict(
        db.session.execute(
            select(Feedback.age_band, func.count()).where(*where).group_by(Feedback.age_band)
        ).all()
    )
    by_age_band = [(label, ages.get(key, 0)) for key, label in AGE_BANDS.items()] + [
        ("Not given", ages.get(None, 0))
    ]
    month = local_month(Feedback.received_at)
    months = db.session.execute(
        select(month, func.count(Feedback.id)).where(*where).group_by(month).order_by(month)
    ).all()
    by_month = [(date.fromisoformat(f"{key}-01").strftime("%B %Y"), number) for key, number in months]
    published = db.session.scalar(select(func.count(Response.id)).where(Response.published_at.is_not(None)))
    return FeedbackSummary(total, flagged_open, by_theme, by_consultation, by_age_band, by_month, published)


# --- Consultations and "you said, we did" --------------------------------------------------------


@dataclass
class ConsultationDetails:
    title: str
    question: str
    description: str
    audience: str
    opens_on: date
    closes_on: date


def save_consultation(
    consultation: Consultation | None,
    details: ConsultationDetails,
    *,
    user: User,
    loaded_version: int | None = None,
) -> Consultation:
    permissions.MANAGE.require(user)
    if details.closes_on < details.opens_on:
        raise RuleBroken("The closing date must be on or after the opening date", field="closes_on")
    created = consultation is None
    if consultation is None:
        consultation = Consultation()
        db.session.add(consultation)
    else:
        claim(consultation, loaded_version)
    before = None if created else consultation.audit_view()
    for key, value in details.__dict__.items():
        setattr(consultation, key, value)
    db.session.flush()
    record(
        "consultation.create" if created else "consultation.edit",
        consultation,
        before=before,
        after=consultation.audit_view(),
        summary=f"{'Started' if created else 'Edited'} the consultation {consultation.title}",
    )
    return consultation


def save_response(
    response: Response | None,
    *,
    you_said: str,
    we_did: str,
    action_reference: str,
    user: User,
    loaded_version: int | None = None,
) -> Response:
    permissions.MANAGE.require(user)
    action_id = None
    if action_reference.strip():
        from app.actions.models import Action, Review

        action_id = db.session.scalar(
            select(Action.id).where(
                func.upper(Action.reference) == action_reference.strip().upper(),
                Action.review == Review.ACCEPTED,
            )
        )
        if action_id is None:
            raise RuleBroken("There is no partnership action with that reference", field="action_reference")
    created = response is None
    if response is None:
        response = Response(created_by_id=user.id)
        db.session.add(response)
    else:
        claim(response, loaded_version)
    before = None if created else response.audit_view()
    response.you_said, response.we_did, response.action_id = you_said, we_did, action_id
    db.session.flush()
    record(
        "response.create" if created else "response.edit",
        response,
        before=before,
        after=response.audit_view(),
        summary=f"{'Wrote' if created else 'Edited'} a \u201cyou said, we did\u201d",
    )
    return response


def publish_response(response: Response, *, user: User, loaded_version: int | None) -> None:
    permissions.MANAGE.require(user)
    if response.published_at is not None:
        raise RuleBroken("This is already published.")
    claim(response, loaded_version)
    response.published_at = utcnow()
    record(
        "response.publish",
        response,
        before={"published": False},
        after={"published": True},
        summary="Published a \u201cyou said, we did\u201d",
    )


# --- Retention -----------------------------------------------------------------------------


def purge_old_feedback() -> tuple[int, int]:
    """Delete feedback past its retention: unflagged after FEEDBACK_RETENTION_DAYS, flagged (once
    acted on) after FLAGGED_FEEDBACK_RETENTION_DAYS; a flagged message nobody has acted on is kept.
    Returns (unflagged, flagged) deleted; the purge itself is audited, with counts only."""
    config = current_app.config
    now = utcnow()
    ordinary_before = now - timedelta(days=config["FEEDBACK_RETENTION_DAYS"])
    flagged_before = now - timedelta(days=config["FLAGGED_FEEDBACK_RETENTION_DAYS"])
    ordinary = _delete_feedback(Feedback.flagged.is_(False), Feedback.received_at < ordinary_before)
    flagged = _delete_feedback(
        Feedback.flagged.is_(True), Feedback.actioned_at.is_not(None), Feedback.received_at < flagged_before
    )
    record(
        "feedback.purge",
        object_type="feedback",
        actor_label="retention schedule",
        after={"deleted": ordinary, "deleted_flagged": flagged},
        summary=f"Deleted {ordinary} messages past retention and {flagged} flagged ones",
    )
    return ordinary, flagged


def _delete_feedback(*where) -> int:
    """Delete the matching messages with their theme tags and alerts (explicitly: SQLite does not
    cascade unless told to)."""
    from app.participation.models import feedback_themes

    doomed = select(Feedback.id).where(*where).scalar_subquery()
    db.session.execute(delete(feedback_themes).where(feedback_themes.c.feedback_id.in_(doomed)))
    return db.session.execute(delete(Feedback).where(Feedback.id.in_(doomed))).rowcount
