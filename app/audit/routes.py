"""The audit trail, newest first, in plain words. Sign-ins and sign-outs are there but hidden
unless asked for: they would swamp the changes people come here to find."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import partial

from flask import request
from markupsafe import Markup
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app.audit import bp
from app.audit.models import AuditEvent
from app.audit.permissions import READ_AUDIT_TRAIL
from app.audit.words import EventLine, event_label, record_kind_label, routine_events, words_for
from app.auth.models import User
from app.extensions import db
from app.htmx import render
from app.pagination import bounded_date, distinct_values, like_pattern, page_arg, paginate, rarely_true
from app.permissions import requires
from app.report_cache import remember, remember_html

# The trail grows with every sign-in: a page counts the events that match only this far, then says
# "more than" (the filters narrow them down).
COUNTED_AT_MOST = 10_000


def _kinds() -> tuple[list[str], list[str]]:
    actions = distinct_values(AuditEvent.action)
    return actions, distinct_values(AuditEvent.object_type, AuditEvent.object_type != "")


@bp.get("/")
@requires(READ_AUDIT_TRAIL)
def list_events():
    args = request.args
    date_from = bounded_date(args.get("from"))
    date_to = bounded_date(args.get("to"))
    filters = {
        "actor": args.get("actor", "").strip()[:100],
        "action": args.get("action", ""),
        "object_type": args.get("object_type", ""),
        "routine": "1" if args.get("routine") == "1" else "",
        "from": args.get("from", "") if date_from else "",
        "to": args.get("to", "") if date_to else "",
    }
    bad_dates = bool((args.get("from") and not date_from) or (args.get("to") and not date_to))
    # The last event committed. Its place on the hash chain, not its id: events take their place on
    # the chain as they commit, one at a time (app/audit/chain.py), where an id is taken when the
    # event is first written, so a later id may commit first.
    newest = db.session.scalar(_NEWEST_ON_THE_CHAIN)
    # The kinds of event and of record there are (the filters, and the kinds shown by default), kept
    # until any event is committed: a sign-in too may be the first of its kind.
    actions, object_types = remember("audit.kinds", newest, _kinds)
    return render(
        "audit/list_events.html",
        block="results",
        results_html=partial(_results_html, filters, bad_dates, newest, actions),
        actions=sorted(((code, event_label(code)) for code in actions), key=lambda pair: pair[1]),
        object_types=sorted(((t, record_kind_label(t)) for t in object_types), key=lambda pair: pair[1]),
        action=filters["action"],
        object_type=filters["object_type"],
        actor=filters["actor"],
        routine=bool(filters["routine"]),
        date_from=filters["from"],
        date_to=filters["to"],
    )


_NEWEST_ON_THE_CHAIN = select(func.max(AuditEvent.chain_seq))


def _results_html(filters: dict, bad_dates: bool, newest: int | None, actions: list[str]) -> Markup:
    """A page of events as HTML. Events never change, and every reader sees all of them, so the
    filters, the page and the last event committed are the key: a new event (a sign-in too) is a new
    key. The records' names in the words change only by audited changes, which are new events."""

    def context() -> dict:
        page = _page_of_events(filters, actions)
        # Putting 25 events into words is most of the work; kept by the events' ids, as other
        # pages that show the same events (another filter) use them too.
        ids = tuple(event.id for event in page.items)
        words = remember("audit.words", ids, lambda: words_for(page.items))
        return {
            "page": page,
            "lines": [EventLine(event, *said) for event, said in zip(page.items, words, strict=True)],
            "filters": filters,
            "action": filters["action"],
            "routine": bool(filters["routine"]),
            "bad_dates": bad_dates,
        }

    key = (tuple(sorted(filters.items())), bad_dates, page_arg(), newest)
    return remember_html("audit.results", key, "audit/_results.html", context)


def _page_of_events(filters: dict, actions: list[str]):
    """The page of events the filters ask for, newest first, and how many there are (up to
    COUNTED_AT_MOST)."""
    action, object_type, actor = filters["action"], filters["object_type"], filters["actor"]
    stmt = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    shown = None
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    elif not filters["routine"]:
        # The kinds of event there are, less the routine ones, so the events are found from the
        # index on action however many sign-ins there are to step over.
        hidden = set(routine_events())
        shown = AuditEvent.action.in_([code for code in actions if code not in hidden])
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if actor:
        pattern = like_pattern(actor)
        named = select(User.id).where(User.full_name.ilike(pattern, escape="\\"))
        stmt = stmt.where(
            or_(AuditEvent.actor_label.ilike(pattern, escape="\\"), AuditEvent.actor_id.in_(named))
        )
    if date_from := bounded_date(filters["from"]):
        stmt = stmt.where(AuditEvent.occurred_at >= datetime.combine(date_from, time.min, UTC))
    if date_to := bounded_date(filters["to"]):
        stmt = stmt.where(
            AuditEvent.occurred_at < datetime.combine(date_to + timedelta(days=1), time.min, UTC)
        )
    # The page's rows newest first, from the index on time while the kinds shown are common; the
    # count from the index on action, even where they are rare.
    counted = stmt.where(rarely_true(shown)) if shown is not None else stmt
    stmt = stmt.where(shown) if shown is not None else stmt
    return paginate(stmt, count_at_most=COUNTED_AT_MOST, counted=counted)
