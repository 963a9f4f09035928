"""The Children's Trust review in a real browser: a Trust member filters the dashboard (htmx,
the address reflects the filter), drills down from a number to the list behind it, and downloads
the board report with their recommendations in it. axe-core on each state."""

from __future__ import annotations

import io
import re

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.support import ACCOUNT_FOR_ROLE, check_page, htmx_swap


def test_a_trust_member_filters_the_dashboard_by_kind_of_agency(portal, page: Page):
    portal.sign_in(page, ACCOUNT_FOR_ROLE["trust_member"])
    page.goto(portal.url("/progress/"))
    check_page(page, "progress/dashboard")
    expect(page.get_by_text("Show the whole partnership")).to_have_count(0)

    with htmx_swap(page):
        page.get_by_label("Kind of agency").select_option(label="Police")
    expect(page).to_have_url(re.compile(r"/progress/\?.*kind=police"))
    expect(page.locator("#dashboard").get_by_text("Showing Police")).to_be_visible()
    expect(page.get_by_role("link", name="Show the whole partnership")).to_be_visible()
    check_page(page, "progress/dashboard-police")

    # The filtered address is a page of its own: reloading it shows the same filter.
    page.reload()
    expect(page.get_by_label("Kind of agency")).to_have_value("police")
    expect(page.locator("#dashboard").get_by_text("Showing Police")).to_be_visible()


def test_a_number_on_the_dashboard_opens_the_list_behind_it(portal, page: Page):
    portal.sign_in(page, ACCOUNT_FOR_ROLE["trust_member"])
    page.goto(portal.url("/progress/"))
    overdue = page.locator(".portal-stats").get_by_role("link").first
    count = int(overdue.inner_text())
    assert count > 0, "the demo partnership has overdue actions"
    overdue.click()
    expect(page).to_have_url(re.compile(r"/actions/\?.*overdue=1"))
    rows = page.locator("#action-results tbody tr.govuk-table__row")
    # The demo's overdue actions fit on the list's first page: each is a row, and each says so.
    expect(rows).to_have_count(count)
    expect(rows.filter(has_text=re.compile("overdue", re.I))).to_have_count(count)


def test_a_trust_member_downloads_the_board_report_with_their_recommendations(portal, page: Page):
    portal.sign_in(page, ACCOUNT_FOR_ROLE["trust_member"])
    page.goto(portal.url("/progress/"))
    page.get_by_label("Recommendations").fill("The board is asked to note the progress made.")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download board report (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        data = pdf.read()
    assert data.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "The board is asked to note the progress made." in text
    for heading in ("Purpose of paper", "Summary", "Programme progress", "Exceptions", "Recommendations"):
        assert heading in text, f"the board report has no {heading} section"
