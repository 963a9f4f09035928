"""A safer-recruitment return in a real browser, on a 375 px phone: the school's lead fills it in
(saved as they go by htmx), submits it; the programme manager returns it with a reason; the lead
sees the reason, resubmits; the programme manager accepts it. axe-core on every page; nothing
scrolls sideways."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.auth.models import Agency
from app.extensions import db
from app.returns.models import Return, ReturnPeriod
from tests.browser.support import ACCOUNT_FOR_ROLE, check_page, expect_success_banner, htmx_swap

PHONE = {"width": 375, "height": 740}
SCHOOL_LEAD = "school@demo.test"  # Gareth Lloyd, Sherwood Vale Academy: its Q3 return is a draft
COUNTS = {
    "appointments": "12",
    "fully_checked": "10",
    "dbs_before_start": "11",
    "identity_verified": "12",
    "references_verified": "11",
    "qualifications_checked": "12",
    "right_to_work_checked": "12",
    "overseas_needed": "1",
    "overseas_done": "1",
    "barred_list_checked": "12",
    "supply_staff": "3",
    "supply_confirmed": "3",
    "panels": "5",
    "panels_with_trained_member": "5",
    "staff_trained": "4",
    "lado_referrals": "1",
    "outcome_substantiated": "0",
    "outcome_unsubstantiated": "1",
    "outcome_unfounded": "0",
    "outcome_false": "0",
    "outcome_malicious": "0",
}
REASON = "Two appointments had references after the start date: say which posts and what HR has changed."


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


def _the_return() -> Return:
    db.session.expire_all()
    return db.session.scalar(
        select(Return)
        .join(Agency, Agency.id == Return.agency_id)
        .join(ReturnPeriod, ReturnPeriod.id == Return.period_id)
        .where(Agency.name == "Sherwood Vale Academy", ReturnPeriod.name == "2009/10 Q3")
    )


def _wait_for_saves(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def test_a_return_is_filled_submitted_returned_resubmitted_and_accepted(portal, page: Page, new_context):
    page.set_viewport_size(PHONE)
    portal.sign_in(page, SCHOOL_LEAD)
    expect(page.locator("main")).to_contain_text("2009/10 Q3 safer-recruitment return (draft)")
    page.goto(portal.url("/returns/"))
    check_page(page, "returns/own-returns")
    assert_fits_the_phone(page)
    page.get_by_role("link", name="2009/10 Q3 return").click()
    expect(page.get_by_role("heading", name="Safer-recruitment return: 2009/10 Q3")).to_be_visible()
    check_page(page, "returns/return-form")
    assert_fits_the_phone(page)

    # Autosave: a changed answer is saved when the field is left, without a page load.
    with htmx_swap(page):
        page.locator("#appointments").fill("40")
        page.locator("#appointments").press("Tab")
    expect(page.locator("#save-status")).to_contain_text("Saved at")
    assert _the_return().answers["appointments"] == 40

    # A number that breaks a rule is shown where it is typed, and nothing is saved.
    with htmx_swap(page):
        page.locator("#fully_checked").fill("41")
        page.locator("#fully_checked").press("Tab")
    expect(page.locator("#save-status")).to_contain_text("cannot be more than the 40")
    assert _the_return().answers.get("fully_checked") != 41

    for key, value in COUNTS.items():
        page.locator(f"#{key}").fill(value)
    page.locator("#senior_manager").fill("Simon Taylor, Headteacher")
    page.get_by_role("radio", name="Compliant", exact=True).check()
    page.locator("#gaps_and_actions").press("Tab")
    _wait_for_saves(page)
    # The Save button too is sent by htmx, after any save still on its way.
    with htmx_swap(page):
        page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#save-status")).to_contain_text(" at ")
    saved = _the_return()
    assert saved.answers["fully_checked"] == 10 and saved.answers["staff_trained"] == 4
    assert saved.self_rating == "compliant" and saved.compliance == 83

    page.get_by_role("button", name="Submit the return").click()
    expect_success_banner(page, "Your return has been submitted")
    check_page(page, "returns/submitted-return")
    assert_fits_the_phone(page)
    assert _the_return().status == "submitted"

    reviewer = new_context().new_page()
    reviewer.set_viewport_size(PHONE)
    portal.sign_in(reviewer, ACCOUNT_FOR_ROLE["programme_manager"])
    reviewer.goto(portal.url("/returns/?status=submitted"))
    check_page(reviewer, "returns/partnership-view")
    assert_fits_the_phone(reviewer)
    reviewer.get_by_role("link", name="Sherwood Vale Academy").click()
    expect(reviewer).to_have_url(re.compile(r"/returns/\d+$"))  # the click only starts the load
    check_page(reviewer, "returns/review")
    assert_fits_the_phone(reviewer)
    reviewer.get_by_label("What the agency needs to change").fill(REASON)
    reviewer.get_by_role("button", name="Return it for amendment").click()
    expect_success_banner(reviewer, "sent back to Sherwood Vale Academy")
    assert _the_return().status == "returned"

    page.reload()
    expect(page.locator("#return-reason")).to_have_text(REASON)
    check_page(page, "returns/returned-return")
    page.locator("#gaps_and_actions").fill(
        "Both late references were supply cover; HR now holds start dates."
    )
    # Submit at once, while the change waits for its autosave: the submit goes after the save,
    # so it is neither refused as stale nor sent without the last answer.
    page.get_by_role("button", name="Submit the amended return").click()
    expect_success_banner(page, "Your return has been submitted")
    resubmitted = _the_return()
    assert resubmitted.status == "submitted"
    assert resubmitted.answers["gaps_and_actions"].startswith("Both late references were supply cover")

    reviewer.reload()
    reviewer.get_by_role("button", name="Accept the return").click()
    expect_success_banner(reviewer, "is accepted")
    accepted = _the_return()
    assert (accepted.status, accepted.moderated_rating) == ("accepted", "compliant")
    reviewer.goto(portal.url(f"/returns/{accepted.id}/print"))
    check_page(reviewer, "returns/print")
    assert_fits_the_phone(reviewer)


def test_counting_from_the_scr_page_is_accessible_on_a_phone(portal, page: Page):
    page.set_viewport_size(PHONE)
    portal.sign_in(page, SCHOOL_LEAD)
    page.goto(portal.url(f"/returns/{_the_return().id}/scr-import"))
    expect(page.get_by_role("heading", name="Count from our SCR export")).to_be_visible()
    check_page(page, "returns/scr-import")
    assert_fits_the_phone(page)
    page.get_by_role("button", name="Count from this file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose your SCR export")
    check_page(page, "returns/scr-import-error")
