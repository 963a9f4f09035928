"""The foundation's journeys in a real browser with JavaScript on, done with the keyboard alone
(Tab, Enter and typing), checking on the way that focus is always visible and goes somewhere
sensible after each htmx swap. CSRF protection is on, as in production.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select, update

from app.admin.demo import DEMO_PASSWORD
from app.auth.models import User, UserSession
from app.db_types import utcnow
from app.extensions import db
from tests.browser.support import (
    ACCOUNT_FOR_ROLE,
    assert_focus_inside,
    assert_focus_visible,
    assert_htmx_post_with_csrf_header,
    assert_no_page_load,
    check_page,
    csrf_token_of,
    follow_link,
    htmx_swap,
    mark_window,
    tab_to,
    type_into,
)
from tests.factories import reload

ADMIN = ACCOUNT_FOR_ROLE["admin"]
USERS_ON_THE_LIST = 23  # the demo partnership's active accounts


def sign_in_by_keyboard(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    type_into(page, page.get_by_label("Email address"), email)
    type_into(page, page.get_by_label("Password", exact=True), password)
    page.keyboard.press("Enter")


def open_users_list(portal, page: Page) -> None:
    page.goto(portal.url("/login"))
    sign_in_by_keyboard(page, ADMIN)
    expect(page.get_by_role("heading", name="Welcome, Margaret Ellis")).to_be_visible()
    follow_link(page, "Admin")
    follow_link(page, "Users")
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()


def user_id(email: str) -> int:
    return db.session.scalar(select(User.id).where(User.email == email))


def assert_row_replaced(page: Page, row: Locator) -> None:
    """The swap replaced the row itself: no row nested in it, none added or lost."""
    expect(row).to_have_count(1)
    expect(page.locator("#user-results tbody tr")).to_have_count(USERS_ON_THE_LIST)


def test_sign_in_and_sign_out(portal, page: Page):
    page.goto(portal.url("/"))
    expect(page).to_have_url(re.compile(r"/login$"))
    sign_in_by_keyboard(page, ACCOUNT_FOR_ROLE["partner"])
    expect(page.get_by_role("heading", name="Welcome, PC Tom Hargreaves")).to_be_visible()

    follow_link(page, "Sign out")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(portal.url("/people"))
    expect(page.get_by_role("heading", name="Sign in to the Partnership Portal")).to_be_visible()


def test_failed_sign_in_moves_focus_to_the_error_summary(portal, page: Page):
    page.goto(portal.url("/login"))
    sign_in_by_keyboard(page, ADMIN, "not the password")

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a correct email address and password")
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    assert_focus_visible(page)

    # The summary's link takes the keyboard user to the field, and they can try again.
    follow_link(page, "Enter a correct email address and password")
    expect(page.get_by_label("Email address")).to_be_focused()
    type_into(page, page.get_by_label("Password", exact=True), DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Welcome, Margaret Ellis")).to_be_visible()


def test_admin_invites_a_user_who_sets_a_password(portal, page: Page, new_context):
    open_users_list(portal, page)
    follow_link(page, "Invite a user")
    type_into(page, page.get_by_label("Full name"), "Rosa Quinn")
    type_into(page, page.get_by_label("Email address"), "rosa.quinn@example.test")
    tab_to(page, page.get_by_label("Agency", exact=True))
    page.keyboard.type("Notts Connect")
    tab_to(page, page.get_by_label("Role", exact=True))
    page.keyboard.type("Partner agency staff")
    follow_link(page, "Send invitation")
    expect(page.get_by_role("heading", name="Invitation ready")).to_be_visible()
    link = page.locator(".portal-invite-link").inner_text()

    invitee = new_context().new_page()
    invitee.goto(link)
    expect(invitee.get_by_text("You will sign in with rosa.quinn@example.test")).to_be_visible()
    type_into(invitee, invitee.get_by_label("New password", exact=True), "river stone lantern")
    type_into(invitee, invitee.get_by_label("Confirm new password"), "river stone lantern")
    invitee.keyboard.press("Enter")
    expect(invitee.get_by_role("heading", name="Welcome, Rosa Quinn")).to_be_visible()
    expect(invitee.get_by_text("Your password is set and you are signed in.")).to_be_visible()
    expect(invitee.get_by_text("Signed in as Rosa Quinn")).to_be_visible()


def test_edit_a_user_in_place(portal, page: Page):
    open_users_list(portal, page)
    mark_window(page)
    officer = user_id("police@demo.test")
    row = page.locator(f"#user-{officer}")

    with htmx_swap(page):
        tab_to(page, row.get_by_role("link", name="Edit PC Tom Hargreaves"))
        page.keyboard.press("Enter")
    expect(row.get_by_role("heading", name=re.compile(r"^Edit PC Tom Hargreaves"))).to_be_focused()
    assert_focus_visible(page)
    assert_row_replaced(page, row)
    # Each field in the row is labelled (no id clashes with the filters above the table).
    expect(row.get_by_label("Role", exact=True)).to_have_value("partner")

    # A mistake first: the row shows the error summary, and focus goes to it.
    type_into(page, row.get_by_label("Full name"), "")
    with htmx_swap(page), page.expect_response(re.compile(r"/edit$")) as posted:
        page.keyboard.press("Enter")
    assert posted.value.status == 422
    assert_htmx_post_with_csrf_header(page, posted.value)
    expect(row.locator(".govuk-error-summary")).to_be_focused()
    expect(row).to_contain_text("Enter the person's full name")
    assert_row_replaced(page, row)

    type_into(page, row.get_by_label("Full name"), "PC Thomas Hargreaves")
    with htmx_swap(page), page.expect_response(re.compile(r"/edit$")) as posted:
        page.keyboard.press("Enter")
    assert posted.value.status == 200
    assert_htmx_post_with_csrf_header(page, posted.value)
    expect(row.get_by_role("status")).to_have_text("PC Thomas Hargreaves has been saved.")
    assert_focus_inside(page, row)
    assert_row_replaced(page, row)

    assert_no_page_load(page)
    expect(page).to_have_url(portal.url("/admin/users"))
    assert reload(db.session.get(User, officer)).full_name == "PC Thomas Hargreaves"


def test_deactivate_and_reactivate_a_user_in_place(portal, page: Page):
    open_users_list(portal, page)
    mark_window(page)
    row = page.locator(f"#user-{user_id('steve.ward@demo.test')}")

    with htmx_swap(page), page.expect_response(re.compile(r"/deactivate$")) as posted:
        follow_link(page, "Deactivate Steve Ward")
    assert_htmx_post_with_csrf_header(page, posted.value)
    expect(row.get_by_role("status")).to_have_text("Steve Ward has been deactivated.")
    expect(row.get_by_role("status")).to_be_focused()
    expect(row).to_contain_text("Deactivated")
    assert_row_replaced(page, row)

    with htmx_swap(page), page.expect_response(re.compile(r"/reactivate$")) as posted:
        follow_link(page, "Reactivate Steve Ward")
    assert_htmx_post_with_csrf_header(page, posted.value)
    expect(row.get_by_role("status")).to_have_text("Steve Ward has been reactivated.")
    assert_no_page_load(page)


def test_the_csrf_header_alone_is_accepted(portal, page: Page):
    """What htmx sends for a request without a form (no csrf_token field) is enough, and needed."""
    open_users_list(portal, page)
    deactivate = portal.url(f"/admin/users/{user_id('steve.ward@demo.test')}/deactivate")
    htmx = {"HX-Request": "true"}
    refused = page.request.post(deactivate, headers=htmx)
    assert refused.status == 400
    accepted = page.request.post(deactivate, headers={**htmx, "X-CSRFToken": csrf_token_of(page)})
    assert accepted.status == 200
    assert "Steve Ward has been deactivated." in accepted.text()


def test_a_stale_page_shows_the_error_banner(portal, page: Page):
    """Signing in again in another tab changes the CSRF token: the first tab's next htmx request
    is refused, and the refusal appears in the page's error banner, with focus on it."""
    open_users_list(portal, page)
    other_tab = page.context.new_page()
    other_tab.goto(portal.url("/"))
    other_tab.get_by_role("button", name="Sign out").click()
    portal.sign_in(other_tab, ADMIN)
    other_tab.close()

    mark_window(page)
    with htmx_swap(page), page.expect_response(re.compile(r"/deactivate$")) as refused:
        follow_link(page, "Deactivate Steve Ward")
    assert refused.value.status == 400
    banner = page.locator("#htmx-error-banner")
    expect(banner.get_by_role("heading", name="Sorry, there is a problem with that request")).to_be_focused()
    expect(banner).to_contain_text("reload the page and try again")
    assert_focus_visible(page)
    assert_no_page_load(page)
    check_page(page, "admin/users-error-banner")
    assert reload(db.session.scalar(select(User).where(User.email == "steve.ward@demo.test"))).active


def test_search_as_you_type(portal, page: Page):
    open_users_list(portal, page)
    mark_window(page)
    search = page.get_by_label("Search by name or email")
    rows = page.locator("#user-results tbody tr")
    expect(rows).to_have_count(USERS_ON_THE_LIST)

    tab_to(page, search)
    with htmx_swap(page):
        page.keyboard.type("hargreaves")
    expect(page).to_have_url(re.compile(r"/admin/users\?q=hargreaves"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("PC Tom Hargreaves")
    expect(page.get_by_role("status")).to_have_text("Showing 1 to 1 of 1 accounts")
    expect(search).to_be_focused()  # typing goes on where it was

    tab_to(page, page.get_by_label("Role", exact=True))
    with htmx_swap(page):
        page.keyboard.type("Administrator")
    expect(page).to_have_url(re.compile(r"q=hargreaves.*role=admin"))
    expect(page.get_by_role("status")).to_have_text("No accounts match")
    assert_no_page_load(page)

    # The address bar now holds the search: opening it again shows the same results.
    page.reload()
    expect(page.get_by_label("Search by name or email")).to_have_value("hargreaves")
    expect(page.get_by_role("status")).to_have_text("No accounts match")


def test_session_expiry_during_an_htmx_request_lands_on_sign_in(portal, page: Page):
    open_users_list(portal, page)
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db.session.commit()

    with page.expect_response(re.compile(r"/edit$")) as answer:
        follow_link(page, "Edit PC Tom Hargreaves")
    # htmx asked for the row, the server said 401 with HX-Redirect, and htmx followed it.
    assert answer.value.request.header_value("hx-request") == "true"
    assert answer.value.status == 401
    expect(page.get_by_role("heading", name="Sign in to the Partnership Portal")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login\?next="))

    # Signing in again carries on where they were going: the user's full edit page.
    sign_in_by_keyboard(page, ADMIN)
    expect(page.get_by_role("heading", name="Edit PC Tom Hargreaves")).to_be_visible()
