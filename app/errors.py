"""Friendly error pages, and for htmx requests a banner the page shows instead of a swap."""

from __future__ import annotations

import logging

from flask import Flask, g, request
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db, login_manager
from app.htmx import render

log = logging.getLogger(__name__)

TITLES = {
    400: "Sorry, there is a problem with that request",
    401: "You need to sign in",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "Someone else changed this first",
    413: "That upload is too large",
    422: "Check your answers",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}

MESSAGES = {
    400: "The request could not be understood. If you were filling in a form, go back, "
    "reload the page and try again.",
    401: "Your session has ended. Sign in again to carry on.",
    403: "Your account does not have access to this. If you think it should, "
    "ask your agency lead or a portal administrator.",
    404: "If you typed the web address, check it is correct. "
    "If you followed a link, the page may have moved or been removed.",
    405: "Go back and try again from the page you were on.",
    409: "Reload the page to see the latest version, then make your change again.",
    413: "Choose a smaller file, or send fewer details at once.",
    422: "Some of the answers need correcting.",
    429: "Wait a few minutes and try again.",
    500: "Try again later. Nothing you entered has been saved.",
    503: "The portal cannot reach its database just now. Try again in a few minutes. "
    "Nothing you entered has been saved.",
}


def error_response(status: int, *, description: str | None = None, headers=None):
    # Fragments are retargeted to the page's error banner so a failed swap is never silent.
    hx_headers = {"HX-Retarget": "#htmx-error-banner", "HX-Reswap": "innerHTML"}
    if request.htmx and not request.htmx.boosted:
        headers = {**hx_headers, **(headers or {})}
    return render(
        "errors/error.html",
        block="banner",
        status=status,
        headers=headers,
        status_code=status,
        title=TITLES.get(status, "Sorry, there is a problem"),
        message=description or MESSAGES.get(status, MESSAGES[500]),
    )


def database_unavailable(error: Exception):
    log.error("Database unavailable: %s", error)
    db.session.rollback()
    # Render the page as if signed out: loading the user would need the database again.
    g._login_user = login_manager.anonymous_user()
    return error_response(503, headers={"Retry-After": "30"})


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        headers = dict(error.get_headers())
        headers.pop("Content-Type", None)
        description = None
        if error.code == 400 and "CSRF" in (error.description or ""):
            description = (
                "The form you sent had expired or was incomplete. Go back, reload the page and try again."
            )
        return error_response(error.code, description=description, headers=headers)

    @app.errorhandler(OperationalError)
    def handle_operational_error(error: OperationalError):
        return database_unavailable(error)

    @app.errorhandler(DBAPIError)
    def handle_dbapi_error(error: DBAPIError):
        if error.connection_invalidated:
            return database_unavailable(error)
        return handle_unexpected(error)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return handle_http_exception(error)
        log.exception("Unhandled error", exc_info=error)
        db.session.rollback()
        return error_response(InternalServerError.code)
