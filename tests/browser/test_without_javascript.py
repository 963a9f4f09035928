"""The same journeys with JavaScript switched off: every form still works, and editing a row
falls back to the user's own edit page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from app.actions.models import Action
from app.auth.models import User, UserSession
from app.db_types import utcnow
from app.extensions import db
from tests.browser.support import ACCOUNT_FOR_ROLE
from tests.browser.test_actions import add_primary_schools
from tests.factories import reload

ADMIN = ACCOUNT_FOR_ROLE["admin"]


@pytest.fixture
def page(new_context) -> Page:
    """A page in a browser context with JavaScript disabled."""
    return new_context(java_script_enabled=False).new_page()


def user_id(email: str) -> int:
    return db.session.scalar(select(User.id).where(User.email == email))


def test_no_script_runs(portal, page: Page):
    page.goto(portal.url("/login"))
    assert page.locator("body.js-enabled").count() == 0


def test_sign_in_fails_then_succeeds_then_signs_out(portal, page: Page):
    page.goto(portal.url("/login"))
    page.get_by_label("Email address").fill(ADMIN)
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct email address and password")

    page.get_by_label("Password", exact=True).fill("safeguarding-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Margaret Ellis")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def test_admin_invites_a_user_who_sets_a_password(portal, page: Page, new_context):
    portal.sign_in(page, ADMIN)
    page.goto(portal.url("/admin/users"))
    page.get_by_role("link", name="Invite a user").click()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the person's full name")

    page.get_by_label("Full name").fill("Rosa Quinn")
    page.get_by_label("Email address").fill("rosa.quinn@example.test")
    page.get_by_label("Agency", exact=True).select_option(label="Notts Connect")
    page.get_by_label("Role", exact=True).select_option(label="Partner agency staff")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("heading", name="Invitation ready")).to_be_visible()
    link = page.locator(".portal-invite-link").inner_text()

    invitee = new_context(java_script_enabled=False).new_page()
    invitee.goto(link)
    invitee.get_by_label("New password", exact=True).fill("river stone lantern")
    invitee.get_by_label("Confirm new password").fill("river stone lantern")
    invitee.get_by_role("button", name="Set password and sign in").click()
    expect(invitee.get_by_role("heading", name="Welcome, Rosa Quinn")).to_be_visible()
    expect(invitee.get_by_text("Your password is set and you are signed in.")).to_be_visible()


def test_editing_a_row_falls_back_to_the_edit_page(portal, page: Page):
    officer = user_id("police@demo.test")
    portal.sign_in(page, ADMIN)
    page.goto(portal.url("/admin/users"))
    page.get_by_role("link", name="Edit PC Tom Hargreaves").click()
    expect(page).to_have_url(portal.url(f"/admin/users/{officer}/edit"))
    expect(page.get_by_role("heading", name="Edit PC Tom Hargreaves")).to_be_visible()

    page.get_by_label("Full name").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the person's full name")

    page.get_by_label("Full name").fill("PC Thomas Hargreaves")
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_url(portal.url("/admin/users"))
    expect(page.get_by_text("PC Thomas Hargreaves has been saved.")).to_be_visible()
    assert reload(db.session.get(User, officer)).full_name == "PC Thomas Hargreaves"


def test_row_buttons_post_and_come_back_to_the_list(portal, page: Page):
    portal.sign_in(page, ADMIN)
    page.goto(portal.url("/admin/users"))
    page.get_by_role("button", name="Deactivate Steve Ward").click()
    expect(page).to_have_url(portal.url("/admin/users"))
    expect(page.get_by_text("Steve Ward has been deactivated.")).to_be_visible()


def test_search_with_the_button(portal, page: Page):
    portal.sign_in(page, ADMIN)
    page.goto(portal.url("/admin/users"))
    page.get_by_label("Search by name or email").fill("hargreaves")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/admin/users\?q=hargreaves"))
    expect(page.locator("#user-results tbody tr")).to_have_count(1)
    expect(page.get_by_role("status")).to_have_text("Showing 1 to 1 of 1 accounts")


def test_an_expired_session_lands_on_sign_in(portal, page: Page):
    portal.sign_in(page, ADMIN)
    page.goto(portal.url("/admin/users"))
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db.session.commit()

    page.get_by_role("link", name="Edit PC Tom Hargreaves").click()
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_text("Sign in to continue.")).to_be_visible()


def test_contributing_agencies_are_found_with_the_button(portal, page: Page):
    """Without JavaScript "Find agencies" sends the form: it comes back as typed, nothing saved,
    with the agencies found to tick."""
    add_primary_schools()
    portal.sign_in(page, ACCOUNT_FOR_ROLE["programme_manager"])
    page.goto(portal.url("/actions/new"))
    page.get_by_label("Action", exact=True).fill("Designated safeguarding leads at the spring training day")
    page.get_by_label("Find a contributing agency by name").fill("Hucknall")
    page.get_by_role("button", name="Find agencies").click()
    expect(page).to_have_url(re.compile(r"/actions/new#contributor-finder$"))
    expect(page.get_by_label("Action", exact=True)).to_have_value(
        "Designated safeguarding leads at the spring training day"
    )
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator("#contributor-status")).to_have_text("1 agency found whose name contains “Hucknall”.")
    page.get_by_label("Hucknall Primary School").check()
    page.get_by_label("Find a contributing agency by name").fill("Misterton")
    page.get_by_role("button", name="Find agencies").click()
    expect(page.get_by_label("Hucknall Primary School")).to_be_checked()
    expect(page.get_by_label("Misterton Primary School")).not_to_be_checked()
    assert db.session.scalar(select(Action).where(Action.title.like("Designated safeguarding%"))) is None
