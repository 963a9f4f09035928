"""Stored XSS, replayed in Chromium: the payloads of tests/test_every_form.py go into every
free-text field of every form, as every role; then every page each role can open is loaded in
the browser. No dialog may fire, no request may leave for another origin or name a payload, and
(through the browser fixtures) no script error or CSP violation may be reported."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest

from app.auth.models import User
from app.extensions import db
from tests.factories import PASSWORD, one_of_everything
from tests.forms_found import get_pages
from tests.test_every_form import ROLES, store_every_payload

# What a live payload would ask for: another origin, a payload's own name, or one of the portal's
# actions named in the hx-* payloads (nothing on a page legitimately loads these by itself).
PAYLOAD_REQUEST = re.compile(r"xss\d\d|evil\.example|/logout|/deactivate")


@pytest.fixture
def empty_database(app):
    """The schema without the demo partnership (the factories make their own records), made
    before the live server is started, so the two processes never share a connection."""
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return app


def test_no_stored_payload_runs_in_the_browser(empty_database, portal, new_context):
    started = time.perf_counter()
    ids = one_of_everything()
    # The writing is done here, in this process, by test clients (the live server, started
    # already, keeps CSRF protection on for the browser).
    portal.app.config["WTF_CSRF_ENABLED"] = False
    writers = store_every_payload(portal.app, ids)
    db.session.commit()

    print(f"stored in {time.perf_counter() - started:.0f} s")
    context = new_context()
    page = context.new_page()
    fired: list[str] = []
    stray: list[str] = []
    page.on("dialog", lambda dialog: (fired.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
    our_origin = urlsplit(portal.base_url).netloc

    watching = []

    def watch(request):
        url = urlsplit(request.url)
        if not watching:  # signing in
            return
        if url.scheme in ("data", "blob"):
            return
        if url.netloc != our_origin or request.method != "GET" or PAYLOAD_REQUEST.search(request.url):
            stray.append(f"{page.url} asked for {request.method} {request.url}")

    context.on("request", watch)
    shown: set[str] = set()
    visited = 0
    for role in ROLES:
        user = db.session.get(User, writers[role].id)
        reader = portal.app.test_client()
        reader.post("/login", data={"email": user.email, "password": PASSWORD})
        context.clear_cookies()
        watching.clear()
        portal.sign_in(page, user.email, PASSWORD)
        watching.append(role)
        for path in get_pages(portal.app, ids):
            answer = reader.get(path)  # pages only: downloads and redirects are not loaded
            if answer.status_code != 200 or answer.mimetype != "text/html" or path == "/logout":
                continue
            # A live payload acts while the page loads (handlers, hx-trigger="load"): what it asks
            # for is seen when it is asked, even if the next page cuts it short.
            page.goto(portal.url(path))
            shown |= set(re.findall(r"xss\d\d", page.inner_text("body")))
            visited += 1
    assert fired == [], "a payload ran"
    assert stray == [], "a payload asked for something"
    # Not vacuous: the pages were opened, and most payloads were shown back, as text.
    assert visited >= 100
    assert len(shown) >= 25, sorted(shown)
