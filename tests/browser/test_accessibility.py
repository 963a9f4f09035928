"""axe-core (WCAG 2.2 AA tags) on every page each role can reach, the error pages, and the
states a form shows after a mistake. Any serious or critical violation fails the test.

The pages are found, not listed: every GET route without URL arguments that the role may use,
then every page those link to (one page per endpoint), so a new feature's pages are checked as
soon as they are linked. `make screenshots` photographs each page as it is checked.
"""

from __future__ import annotations

import re
from collections import deque

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from app.auth.models import Agency, Role, User
from app.extensions import db
from tests.browser.support import ACCOUNT_FOR_ROLE, check_page, htmx_swap

MAX_PAGES_PER_ROLE = 80
LINKS_ON_THIS_SITE = (
    "links => links.filter(a => a.origin === location.origin).map(a => a.pathname + a.search)"
)


def starting_pages(app, role: str) -> list[str]:
    """Each GET route without URL arguments that `role` may use."""
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in rule.methods or rule.arguments:
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, "access", None) == "public" or role in getattr(view, "allowed_roles", ()):
            paths.append(rule.rule)
    return sorted(paths)


def endpoint_of(app, path: str) -> str | None:
    try:
        endpoint, _ = app.url_map.bind("portal").match(path.split("?")[0], method="GET")
    except HTTPException:
        return None
    return endpoint


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _user_id(email: str) -> int:
    return db.session.scalar(select(User.id).where(User.email == email))


def _agency_id(name: str) -> int:
    return db.session.scalar(select(Agency.id).where(Agency.name == name))


@pytest.mark.parametrize("role", [str(role) for role in Role])
def test_every_page_a_role_can_reach(portal, page: Page, role: str):
    """Start from the role's pages without URL arguments and follow every link on them, checking
    one page per endpoint (a user's edit page, a threshold document...)."""
    portal.sign_in(page, ACCOUNT_FOR_ROLE[role])
    menu = page.get_by_role("navigation", name="Main menu").get_by_role("link")
    menu_paths = set(menu.evaluate_all("links => links.map(a => a.pathname)"))

    to_visit = deque(starting_pages(portal.app, role))
    checked_endpoints: set[str] = set()
    checked_paths: set[str] = set()
    while to_visit and len(checked_endpoints) < MAX_PAGES_PER_ROLE:
        path = to_visit.popleft()
        endpoint = endpoint_of(portal.app, path)
        if endpoint is None or endpoint in checked_endpoints:
            continue
        checked_endpoints.add(endpoint)
        answer = page.request.get(portal.url(path))  # with the page's cookies
        assert answer.status == 200, f"{role}: {path} answered {answer.status}"
        if "text/html" not in answer.headers.get("content-type", ""):
            continue  # /healthz answers JSON; exports are downloads
        page.goto(portal.url(path))
        landed = page.evaluate("() => location.pathname")
        if landed in checked_paths:
            continue  # /login sends a signed-in user home
        check_page(page, f"{role}/{slug(endpoint)}")
        checked_paths.add(landed)
        to_visit.extend(page.eval_on_selector_all("a[href]", LINKS_ON_THIS_SITE))

    assert menu_paths <= checked_paths, f"Menu links not checked for {role}: {menu_paths - checked_paths}"
    if role == "admin":
        assert {"admin.edit_user", "admin.edit_agency", "audit.list_events"} <= checked_endpoints


def test_signed_out_pages_and_error_pages(portal, page: Page, new_context):
    page.goto(portal.url("/"))
    expect(page.get_by_role("heading", name="Sign in to the Partnership Portal")).to_be_visible()
    check_page(page, "signed-out/sign-in")

    response = page.goto(portal.url("/no-such-page"))
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    check_page(page, "signed-out/404")

    response = page.goto(portal.url("/set-password/not-a-real-token"))
    assert response is not None and response.status == 404
    check_page(page, "signed-out/invitation-link-expired")

    partner = new_context().new_page()
    portal.sign_in(partner, ACCOUNT_FOR_ROLE["partner"])
    response = partner.goto(portal.url("/admin/users"))
    assert response is not None and response.status == 403
    expect(partner.get_by_role("heading", name="You do not have permission to see this page")).to_be_visible()
    check_page(partner, "partner/403")

    response = partner.goto(portal.url("/admin/no-such-page"))
    assert response is not None and response.status == 404
    check_page(partner, "partner/404")


def test_sign_in_with_wrong_password(portal, page: Page):
    page.goto(portal.url("/login"))
    page.get_by_label("Email address").fill("police@demo.test")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    check_page(page, "signed-out/sign-in-error")


def test_change_password_errors(portal, page: Page):
    portal.sign_in(page, ACCOUNT_FOR_ROLE["partner"])
    page.goto(portal.url("/account/password"))
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Enter your current password").first).to_be_visible()
    check_page(page, "partner/change-password-empty")

    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill("a brand new passphrase")
    page.get_by_label("Confirm new password").fill("a different passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("The passwords do not match").first).to_be_visible()
    check_page(page, "partner/change-password-errors")


def test_admin_forms_with_mistakes(portal, page: Page):
    portal.sign_in(page, ACCOUNT_FOR_ROLE["admin"])

    page.goto(portal.url("/admin/users/new"))
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Enter the person's full name").first).to_be_visible()
    check_page(page, "admin/invite-user-empty")

    page.goto(portal.url("/admin/agencies/new"))
    page.get_by_role("button", name="Save agency").click()
    expect(page.get_by_text("Enter the agency's name").first).to_be_visible()
    check_page(page, "admin/add-agency-empty")

    page.goto(portal.url(f"/admin/agencies/{_agency_id('Notts Connect')}/edit"))
    page.get_by_label("Agency name").fill("Nottinghamshire Police")
    page.get_by_role("button", name="Save agency").click()
    expect(page.get_by_text("An agency with this name already exists").first).to_be_visible()
    check_page(page, "admin/edit-agency-error")

    page.goto(portal.url(f"/admin/users/{_user_id('police@demo.test')}/edit"))
    page.get_by_label("Full name").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Enter the person's full name").first).to_be_visible()
    check_page(page, "admin/edit-user-error")


def test_rows_edited_in_place(portal, page: Page):
    portal.sign_in(page, ACCOUNT_FOR_ROLE["admin"])
    page.goto(portal.url("/admin/users"))
    row = page.locator(f"#user-{_user_id('police@demo.test')}")
    with htmx_swap(page):
        row.get_by_role("link", name="Edit PC Tom Hargreaves").click()
    check_page(page, "admin/users-editing-a-row")

    row.get_by_label("Full name").fill("")
    with htmx_swap(page):
        row.get_by_role("button", name="Save changes").click()
    expect(row.get_by_text("Enter the person's full name").first).to_be_visible()
    check_page(page, "admin/users-editing-a-row-error")

    page.goto(portal.url("/admin/agencies"))
    row = page.locator(f"#agency-{_agency_id('Notts Connect')}")
    with htmx_swap(page):
        row.get_by_role("link", name="Edit Notts Connect").click()
    # Seen twice under CI load: the cleared box showed the old name again, as if a second copy of
    # the edit form was swapped in after the clearing (cause not found). Type only once nothing
    # is on its way (the page's own notification count loads by htmx too).
    page.wait_for_load_state("networkidle")
    name = row.get_by_label("Agency name")
    expect(name).to_have_value("Notts Connect")
    name.fill("")
    expect(name).to_have_value("")
    with htmx_swap(page):
        row.get_by_role("button", name="Save agency").click()
    expect(row.get_by_text("Enter the agency's name").first).to_be_visible()
    check_page(page, "admin/agencies-editing-a-row-error")


def test_invitation_and_set_password_pages(portal, page: Page, new_context):
    portal.sign_in(page, ACCOUNT_FOR_ROLE["admin"])
    page.goto(portal.url("/admin/users/new"))
    page.get_by_label("Full name").fill("Rosa Quinn")
    page.get_by_label("Email address").fill("rosa.quinn@example.test")
    page.get_by_label("Agency").select_option(label="Notts Connect")
    page.get_by_label("Role").select_option(label="Partner agency staff")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("heading", name="Invitation ready")).to_be_visible()
    check_page(page, "admin/invitation-ready")
    link = page.locator(".portal-invite-link").inner_text()

    invitee = new_context().new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name="Set your password")).to_be_visible()
    check_page(invitee, "signed-out/set-password")
    invitee.get_by_label("New password", exact=True).fill("short")
    invitee.get_by_role("button", name="Set password").click()
    expect(invitee.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    check_page(invitee, "signed-out/set-password-errors")
