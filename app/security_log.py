"""The security log: one JSON line per security event, for the operator's log collector.

Sign-in (success, failure, refused while paused), sign-out, password and role changes come from
the audit events of the same name (`app.audit.record` calls `from_audit`); access denied (403),
CSRF failures (400), rate limits (429) and exports (every CSV, PDF or ZIP answered) are seen on
the response. Each line has the UTC time, the event, the actor's id, the request id (also sent
back as `X-Request-ID`), the client address, the method and path. Never a password, token, email
address or what a young person wrote: the line holds only ids, the path and fixed words. Every
line is `json.dumps` of one object, so a newline or quote in a path cannot forge another line.

Lines go to the `portal.security` logger: to stderr by default (gunicorn's log), or appended to
the file named by SECURITY_LOG_PATH.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

from flask import Flask, current_app, g, has_request_context, request

log = logging.getLogger("portal.security")

FROM_AUDIT = {
    "auth.sign_in": "sign_in",
    "auth.sign_in_failed": "sign_in_failed",
    "auth.sign_in_refused": "sign_in_refused",
    "auth.sign_out": "sign_out",
    "auth.password_changed": "password_changed",
    "auth.invitation_accepted": "invitation_accepted",
    "user.role_change": "role_change",
    "user.deactivate": "account_deactivated",
}
EXPORT_TYPES = {"text/csv", "application/pdf", "application/zip", "text/calendar"}
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def security_event(event: str, *, actor_id: int | None = None, **details: int | str | None) -> None:
    line: dict[str, object] = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "event": event,
        "actor_id": actor_id,
    }
    if has_request_context():
        if actor_id is None:
            from flask_login import current_user

            line["actor_id"] = current_user.get_id() and int(current_user.get_id())
        line.update(
            request_id=request_id(),
            ip=request.remote_addr,
            method=request.method,
            path=request.path[:300],
        )
    line.update(details)
    log.info(json.dumps(line, ensure_ascii=True, separators=(",", ":")))


def from_audit(action: str, actor_id: int | None, object_type: str, object_id: str | None) -> None:
    event = FROM_AUDIT.get(action)
    if event is None:
        return
    details = {"object": object_type} if object_type else {}
    if object_type == "users" and object_id is not None:
        details["object_id"] = object_id
    security_event(event, actor_id=actor_id, **details)


def request_id() -> str:
    if "request_id" not in g:
        # Only a trusted proxy's id is kept: a client could otherwise muddle the log's threads.
        trusted = current_app.config.get("TRUSTED_PROXIES")
        incoming = request.headers.get("X-Request-ID", "") if trusted else ""
        g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
    return g.request_id


class _Stderr(logging.StreamHandler):
    """stderr as it is when a line is written (a test runner or server may replace it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def init_security_log(app: Flask) -> None:
    if not log.handlers:
        path = app.config.get("SECURITY_LOG_PATH")
        handler = logging.FileHandler(path) if path else _Stderr()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False

    @app.after_request
    def log_what_the_response_says(response):
        response.headers["X-Request-ID"] = request_id()
        status = response.status_code
        if status == 403:
            security_event("access_denied", status=status)
        elif status == 400 and g.get("csrf_failed"):
            security_event("csrf_failure", status=status)
        elif status == 429:
            security_event("rate_limited", status=status)
        elif status == 200 and response.mimetype in EXPORT_TYPES:
            security_event("export", content_type=response.mimetype)
        return response
