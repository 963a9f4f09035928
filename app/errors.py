"""What happens when something goes wrong, in one place.

Services raise one of four errors; they never pick status codes, and views never catch them:

- RuleBroken (422): the change breaks a rule of the domain ("give a reason for changing the RAG");
- StaleEdit (409): someone else changed the record after this form was loaded;
- NotAllowed (403) and NotFound (404).

The handler rolls the transaction back and, when the view said how with `on_failure(...)`, renders
the view's own page or fragment again with the user's input kept and the message on a field;
otherwise it answers the friendly error page (or, to htmx, the page's error banner).

Races end here too: a unique-constraint clash from a parallel request re-runs the view once the
other request has committed (`dispatch_with_retry`), so it gets the same answer as if the two had
come one after the other; a stale ORM write (`StaleDataError`) is a StaleEdit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, flash, g, request
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db, login_manager
from app.htmx import render

log = logging.getLogger(__name__)


class PortalError(Exception):
    status = 500
    default_message = ""

    def __init__(self, message: str = "", *, field: str | None = None):
        self.message = message or self.default_message
        self.field = field
        super().__init__(self.message)


class RuleBroken(PortalError):
    """The change breaks a rule of the domain; the message says which, in the user's words."""

    status = 422


class StaleEdit(PortalError):
    """Someone else changed the record after the form was loaded: nothing was overwritten."""

    status = 409
    default_message = (
        "Someone else changed this after you opened it. Check the latest version, then try again."
    )


class NotAllowed(PortalError):
    status = 403


class NotFound(PortalError):
    status = 404


@dataclass
class Failure:
    render: Callable[..., object]
    form: object | None
    field: str | None


def on_failure(render: Callable[..., object], form=None, field: str | None = None) -> None:
    """If what follows raises RuleBroken or StaleEdit, answer with `render(status=..., conflict=...)`:
    the view's own page or fragment, the user's input kept, the message on `field` of `form` (or,
    for a page without a form, in its message banner)."""
    g.portal_failure = Failure(render, form, field)


def _attach_message(failure: Failure, error: PortalError) -> None:
    """On the form's field when there is one, else in the page's message banner."""
    if not error.message:
        return
    name = error.field or failure.field
    if failure.form is not None and name and name in failure.form:
        field = failure.form[name]
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def handle_portal_error(error: PortalError):
    db.session.rollback()
    failure: Failure | None = g.pop("portal_failure", None)
    if failure is None or error.status not in (409, 422):
        return error_response(error.status, description=error.message or None)
    if error.status == 422 or failure.form is None:
        _attach_message(failure, error)
    return failure.render(status=error.status, conflict=error.status == 409)


CLASH_ATTEMPTS = 3


def dispatch_with_retry(dispatch: Callable[[], object]):
    """Run the view; when a parallel request got in first (a unique constraint), roll back and run
    it again, now seeing what that request committed. After CLASH_ATTEMPTS, answer 409."""
    for attempt in range(1, CLASH_ATTEMPTS + 1):
        try:
            return dispatch()
        except IntegrityError:
            if attempt == CLASH_ATTEMPTS:
                log.warning("A unique constraint still clashed after %s attempts", attempt, exc_info=True)
                raise StaleEdit("Someone else made the same change at the same moment.") from None
            db.session.rollback()
            g.pop("portal_failure", None)
    raise AssertionError("unreachable")


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


@dataclass(frozen=True)
class KeptField:
    name: str
    value: str

    @property
    def label(self) -> str:
        return self.name.rsplit("-", 1)[-1].replace("_", " ").capitalize()

    @property
    def rows(self) -> int:
        """Enough rows to show the words without scrolling, up to a screenful: a line per
        paragraph, and a line per 40 characters, which a phone's box holds."""
        lines = sum(len(line) // 40 + 1 for line in self.value.splitlines() or [""])
        return min(12, max(3, lines))


# The pages young people use without an account: an error there still says where to get help now.
YOUNG_PEOPLES_PAGES = "/have-your-say"

# Never written back into a page: what the user typed to prove who they are.
SECRET_NAME_PARTS = ("password", "code", "secret")
# Carried back as they came, unseen: what lets the form be sent again safely (at most once).
CARRIED_NAMES = ("submission_token", "lock_version", "next")


def words_to_keep() -> tuple[list[KeptField], list[KeptField]]:
    """What a form sent without JavaScript, for the 503 page to give back when the database could
    not be reached: the words typed (shown, to send again or copy), and the form's own fields
    (carried unseen). Passwords and codes are dropped; the CSRF token is made afresh. An htmx
    form is still on the page behind the error banner, so it needs none of this."""
    if request.method != "POST" or request.htmx:
        return [], []
    typed: list[KeptField] = []
    carried: list[KeptField] = []
    for name, value in request.form.items(multi=True):
        lowered = name.lower()
        if name == "csrf_token" or any(part in lowered for part in SECRET_NAME_PARTS):
            continue
        if name in CARRIED_NAMES or lowered.endswith("_version"):
            carried.append(KeptField(name, value))
        elif value.strip():
            typed.append(KeptField(name, value))
    return typed, carried


def error_response(status: int, *, description: str | None = None, headers=None, kept=([], [])):
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
        kept_typed=kept[0],
        kept_carried=kept[1],
        help_now=request.path.startswith(YOUNG_PEOPLES_PAGES),
    )


def database_unavailable(error: Exception):
    log.error("Database unavailable: %s", error)
    db.session.rollback()
    # Render the page as if signed out: loading the user would need the database again.
    g._login_user = login_manager.anonymous_user()
    return error_response(503, headers={"Retry-After": "30"}, kept=words_to_keep())


def handle_stale_write(error: StaleDataError):
    return handle_portal_error(StaleEdit())


def keeps_words(render: Callable[[str], object]):
    """For a public form whose writers must never lose their words (young people's feedback): if
    its CSRF token expired, or they sent too many too fast, answer with render("expired") or
    render("too_many") — the form again with their words in it — instead of an error page."""

    def decorator(view):
        view.keeps_words = render
        return view

    return decorator


def _words_kept(reason: str):
    view = current_app.view_functions.get(request.endpoint or "")
    render = getattr(view, "keeps_words", None)
    return render(reason) if render is not None and request.method == "POST" else None


def handle_http_exception(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.code in (400, 429):
        expired = error.code == 400 and "CSRF" in (error.description or "")
        g.csrf_failed = expired  # for the security log
        answer = _words_kept("expired") if expired else _words_kept("too_many") if error.code == 429 else None
        if answer is not None:
            return answer
    headers = dict(error.get_headers())
    headers.pop("Content-Type", None)
    description = None
    if error.code == 400 and "CSRF" in (error.description or ""):
        description = (
            "The form you sent had expired or was incomplete. Go back, reload the page and try again."
        )
    elif error.code == 400 and error.description != type(error).description:
        description = error.description  # our own words, given to abort(400, description=...)
    if error.code == 429:
        headers.setdefault("Retry-After", "60")
    return error_response(error.code, description=description, headers=headers)


def handle_dbapi_error(error: DBAPIError):
    # 25006: PostgreSQL is read-only (a replica, or a fail-over in progress): writes must wait.
    if error.connection_invalidated or getattr(error.orig, "sqlstate", None) == "25006":
        return database_unavailable(error)
    return handle_unexpected(error)


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("Unhandled error", exc_info=error)
    db.session.rollback()
    return error_response(InternalServerError.code)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(PortalError, handle_portal_error)
    app.register_error_handler(StaleDataError, handle_stale_write)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(DBAPIError, handle_dbapi_error)
    app.register_error_handler(Exception, handle_unexpected)
