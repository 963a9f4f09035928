from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import request
from sqlalchemy import select

from app.audit import bp
from app.audit.models import AuditEvent
from app.audit.permissions import READ_AUDIT_TRAIL
from app.extensions import db
from app.htmx import render
from app.pagination import bounded_date, like_pattern, paginate
from app.permissions import requires


@bp.get("/")
@requires(READ_AUDIT_TRAIL)
def list_events():
    args = request.args
    action = args.get("action", "")
    object_type = args.get("object_type", "")
    actor = args.get("actor", "").strip()[:100]
    date_from = bounded_date(args.get("from"))
    date_to = bounded_date(args.get("to"))

    stmt = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if actor:
        stmt = stmt.where(AuditEvent.actor_label.ilike(like_pattern(actor), escape="\\"))
    if date_from:
        stmt = stmt.where(AuditEvent.occurred_at >= datetime.combine(date_from, time.min, UTC))
    if date_to:
        stmt = stmt.where(
            AuditEvent.occurred_at < datetime.combine(date_to + timedelta(days=1), time.min, UTC)
        )
    page = paginate(stmt)

    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    object_types = db.session.scalars(
        select(AuditEvent.object_type)
        .distinct()
        .where(AuditEvent.object_type != "")
        .order_by(AuditEvent.object_type)
    ).all()
    return render(
        "audit/list_events.html",
        block="results",
        page=page,
        actions=actions,
        object_types=object_types,
        action=action,
        object_type=object_type,
        actor=actor,
        date_from=args.get("from", "") if date_from else "",
        date_to=args.get("to", "") if date_to else "",
        bad_dates=(args.get("from") and not date_from) or (args.get("to") and not date_to),
    )
