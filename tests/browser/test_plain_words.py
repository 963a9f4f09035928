"""Words as people read them: the audit trail says who did what to which record, RAG and status
say different things, and no page promises a part of the portal that does not exist yet."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.support import ACCOUNT_FOR_ROLE, check_page, htmx_swap, tab_to, type_into


def test_the_audit_trail_reads_as_plain_words(portal, page: Page):
    portal.sign_in(page, ACCOUNT_FOR_ROLE["admin"])
    page.goto(portal.url("/admin/agencies"))
    row = page.locator("#agency-results tr", has_text="Notts Connect")
    with htmx_swap(page):
        row.get_by_role("link", name="Edit Notts Connect").click()
    type_into(page, row.get_by_label("District or area"), "Mansfield and Ashfield")
    with htmx_swap(page):
        row.get_by_role("button", name="Save agency").click()

    page.goto(portal.url("/admin/audit/"))
    first = page.locator("#audit-results tbody tr").first
    expect(first).to_contain_text("Margaret Ellis edited agency Notts Connect")
    expect(first.get_by_role("link", name="Notts Connect")).to_have_attribute(
        "href", re.compile(r"^/admin/agencies/\d+/edit$")
    )
    expect(first).to_contain_text("District or area")
    results = page.locator("#audit-results")
    for code in ("auth.sign_in", "agency.update", "users ", "agencies "):
        expect(results).not_to_contain_text(code)
    expect(results).not_to_contain_text("signed in")  # sign-ins are hidden until asked for
    expect(page.get_by_label("What")).to_contain_text("Edited an agency")
    expect(page.get_by_label("Kind of record")).to_contain_text("Agencies")

    # One line for each time; sign-ins on request.
    when = first.locator("td").first
    line_height = when.evaluate("cell => parseFloat(getComputedStyle(cell).lineHeight)")
    assert when.locator("time").bounding_box()["height"] < 1.5 * line_height
    tab_to(page, page.get_by_label("Show sign-ins and sign-outs"))
    with htmx_swap(page):
        page.keyboard.press("Space")
    expect(results).to_contain_text("Margaret Ellis signed in")
    check_page(page, "admin/audit-with-sign-ins")


def test_rag_says_how_it_is_going_and_status_where_it_is(portal, page: Page):
    portal.sign_in(page, ACCOUNT_FOR_ROLE["trust_member"])
    page.goto(portal.url("/actions/?rag=red"))
    results = page.locator("#action-results")
    expect(results.locator(".portal-rag")).to_have_text(["Red"] * 4)
    for old_word in ("Off track", "At risk", "On track"):
        expect(results).not_to_contain_text(old_word)
    expect(results).to_contain_text("In progress")
    expect(page.get_by_label("Status", exact=True).locator("option")).to_have_text(
        ["Any", "Not started", "In progress", "Complete", "Closed"]
    )


def test_no_page_promises_what_is_not_there(portal, page: Page, new_context):
    portal.sign_in(page, ACCOUNT_FOR_ROLE["participation_lead"])
    main = page.locator("main")
    # Have your say has landed: the participation lead's home speaks of it, and of nothing else new.
    expect(main).to_contain_text("Young people's feedback")
    expect(main).not_to_contain_text("Nothing needs your attention")
    footer = page.locator("footer")
    expect(footer).to_contain_text("safer-recruitment returns")
    expect(footer).to_contain_text("thresholds of need")
    expect(footer).to_contain_text("young people's views")

    partner = new_context().new_page()
    portal.sign_in(partner, ACCOUNT_FOR_ROLE["partner"])
    expect(partner.locator("main")).to_contain_text("safer-recruitment return")
