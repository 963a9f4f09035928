"""Writing to the audit trail. Call record() in the same transaction as the change it describes."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from app import security_log
from app.audit.chain import keep_for_commit
from app.audit.models import AuditEvent
from app.db_types import utcnow
from app.extensions import db


def _json_safe(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {
        k: v if isinstance(v, str | int | float | bool | type(None)) else str(v) for k, v in values.items()
    }


def record(
    action: str,
    obj: Any = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    summary: str = "",
    actor: Any = None,
    actor_label: str | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    keep_address: bool = True,
) -> AuditEvent:
    """Add an audit event to the current session; the caller's commit saves it with the change.
    keep_address=False for what young people send: their address is never stored, here either."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    if obj is not None:
        if getattr(obj, "id", None) is None:
            db.session.flush()
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        actor_label=actor_label or (actor.email if actor is not None else "anonymous"),
        action=action,
        object_type=object_type or "",
        object_id=str(object_id) if object_id is not None else None,
        summary=summary[:300],
        before=_json_safe(before),
        after=_json_safe(after),
        ip_address=request.remote_addr if keep_address and has_request_context() else None,
    )
    db.session.add(event)
    # Linked onto the audit trail's hash chain when the transaction commits (app/audit/chain.py).
    keep_for_commit(db.session(), event)
    security_log.from_audit(action, event.actor_id, event.object_type, event.object_id)
    return event
