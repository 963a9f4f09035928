"""A fresh sign-in before sensitive actions: changing someone's role or account, publishing a
threshold document, exporting data. If this browser last proved who it is more than
FRESH_SIGN_IN_WINDOW ago (15 minutes), the user confirms their password (and two-factor code)
first, and comes back to the page they were on."""

from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for

from app.auth.services import SIGNED_IN_AT


def is_fresh() -> bool:
    window = current_app.config["FRESH_SIGN_IN_WINDOW"].total_seconds()
    return time.time() - session.get(SIGNED_IN_AT, 0) <= window


def mark_fresh() -> None:
    session[SIGNED_IN_AT] = int(time.time())


def _page_to_return_to() -> str:
    """Where the user was: this page for a GET; for a form sent (or an htmx request), the page it
    was sent from, on this site only."""
    if request.method == "GET" and not request.htmx:
        return request.full_path.rstrip("?")
    source = request.headers.get("HX-Current-URL") or request.referrer or ""
    parts = urlsplit(source)
    if parts.netloc and parts.netloc != request.host:
        return url_for("home.index")
    path = parts.path or url_for("home.index")
    return path + (f"?{parts.query}" if parts.query else "")


def fresh_sign_in(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        if is_fresh():
            return view(*args, **kwargs)
        target = url_for("auth.confirm_sign_in", next=_page_to_return_to())
        if request.htmx:
            response = current_app.response_class("", status=401)
            response.headers["HX-Redirect"] = target
            return response
        if request.method != "GET":
            flash("Nothing was changed. Confirm it is you, then send the form again.", "info")
        return redirect(target, 303 if request.method != "GET" else 302)

    guarded.needs_fresh_sign_in = True
    return guarded
