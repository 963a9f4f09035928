"""Threshold documents in a real browser: search as you type (and without JavaScript), an admin
publishing the draft, an agency lead acknowledging the current version, comparing versions, and
axe-core on the pages and forms (with their errors) that the feature adds.

The demo's "Pathway to Provision" has version 1 published (acknowledged by the police and
Sherwood Vale Academy) and version 2 a draft.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.browser.support import (
    ACCOUNT_FOR_ROLE,
    assert_focus_visible,
    assert_no_page_load,
    check_page,
    expect_success_banner,
    follow_link,
    htmx_swap,
    mark_window,
    tab_to,
    type_into,
)

ADMIN = ACCOUNT_FOR_ROLE["admin"]
POLICE_LEAD = ACCOUNT_FOR_ROLE["agency_lead"]
SCHOOL_LEAD = "school@demo.test"
TRUST = ACCOUNT_FOR_ROLE["trust_member"]
SLUG = "pathway-to-provision"
DOCUMENT = f"/thresholds/{SLUG}"
OUTSTANDING = "Confirm your agency has been briefed on Pathway to Provision"
# The editor holds every section, level and pathway: a long way to Tab.
TABS_THROUGH_THE_EDITOR = 400


def publish_version_two(portal, page: Page) -> None:
    """As the admin: open the draft editor and publish the demo's version 2 draft."""
    portal.sign_in(page, ADMIN)
    page.goto(portal.url(f"{DOCUMENT}/edit"))
    expect(page.get_by_text("Draft version 2")).to_be_visible()
    page.get_by_role("button", name="Publish this version").click()
    expect(page.get_by_text("Version 2 · Current")).to_be_visible()


def search_results(page: Page):
    return page.locator("#threshold-results .portal-search-results > li")


# --- Search ------------------------------------------------------------------------------------


def test_search_as_you_type_finds_what_is_current(portal, page: Page):
    page.goto(portal.url("/thresholds/"))
    expect(page.get_by_role("heading", name="Documents")).to_be_visible()
    mark_window(page)

    search = page.get_by_label("Search levels, indicators and pathways")
    tab_to(page, search)
    with htmx_swap(page):
        page.keyboard.type("missing")
    expect(page.get_by_role("heading", name=re.compile(r"^\d+ results? for “missing”$"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"/thresholds/\?q=missing$"))
    expect(search).to_be_focused()  # typing goes on where it was
    assert_focus_visible(page)
    assert_no_page_load(page)

    results = search_results(page)
    texts = results.all_inner_texts()
    assert any("Missing from home on one or more occasions" in t for t in texts), texts
    assert any("A child who runs away or goes missing from home" in t for t in texts), texts
    # Version 2 is still a draft: its new indicator must not be found.
    assert not any("Going missing from school during the day" in t for t in texts), texts

    # Every result links to a place in the current version that exists.
    hrefs = results.get_by_role("link").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs and all(href.startswith(f"{DOCUMENT}#") for href in hrefs), hrefs
    anchors = {urlsplit(href).fragment for href in hrefs}
    page.goto(portal.url(DOCUMENT))
    missing = [a for a in anchors if page.locator(f"[id='{a}']").count() != 1]
    assert missing == [], f"Search results link to anchors the document page does not have: {missing}"

    # Following a result by keyboard lands on that part of the document.
    page.go_back()
    expect(page.get_by_label("Search levels, indicators and pathways")).to_have_value("missing")
    pathway = search_results(page).get_by_role("link", name="Child missing from home, level 3")
    href = pathway.get_attribute("href")
    tab_to(page, pathway)
    page.keyboard.press("Enter")
    expect(page).to_have_url(portal.url(href))
    target = page.locator(f"[id='{urlsplit(href).fragment}']")
    expect(target).to_have_text("A child who runs away or goes missing from home")
    expect(target).to_be_in_viewport()


def test_search_without_javascript(portal, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(portal.url("/thresholds/"))
    page.get_by_label("Search levels, indicators and pathways").fill("missing")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/thresholds/\?q=missing$"))
    expect(page.get_by_role("heading", name=re.compile(r"^\d+ results? for “missing”$"))).to_be_visible()
    link = search_results(page).get_by_role("link", name="Child missing from home, level 3")
    expect(link).to_have_attribute("href", re.compile(rf"^{DOCUMENT}#pathway-\d+$"))


# --- Publishing and acknowledging ----------------------------------------------------------------


def test_admin_publishes_the_draft(portal, page: Page, new_context):
    portal.sign_in(page, ADMIN)
    page.goto(portal.url(f"{DOCUMENT}/edit"))
    expect(page.get_by_role("heading", name="Edit Pathway to Provision")).to_be_visible()
    expect(page.get_by_text("Draft version 2")).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Publish this version"), max_presses=TABS_THROUGH_THE_EDITOR)
    page.keyboard.press("Enter")

    expect(page).to_have_url(portal.url(DOCUMENT))
    expect_success_banner(page, "Version 2 of Pathway to Provision is published.")
    expect(page.get_by_text("Version 2 · Current")).to_be_visible()
    new_pathway = re.compile(r"^A child living with someone who is not a close relative")
    expect(page.get_by_role("heading", name=new_pathway)).to_be_visible()
    check_page(page, "admin/thresholds-document-just-published")
    versions = page.get_by_role("table", name="Versions of Pathway to Provision")
    expect(versions.get_by_role("row", name=re.compile(r"^Version 2 Current"))).to_be_visible()
    expect(versions.get_by_role("row", name=re.compile(r"^Version 1 Superseded"))).to_be_visible()

    follow_link(page, "Version 1")
    expect(page).to_have_url(portal.url(f"{DOCUMENT}/versions/1"))
    expect(page.get_by_text("This is version 1, which has been replaced.")).to_be_visible()
    expect(page.get_by_text("Version 1 · Superseded")).to_be_visible()

    # With nothing in draft, the editor offers to start the next version.
    page.goto(portal.url(f"{DOCUMENT}/edit"))
    expect(page.get_by_role("button", name="Start a new version")).to_be_visible()
    check_page(page, "admin/thresholds-no-draft")

    lead = new_context().new_page()
    portal.sign_in(lead, POLICE_LEAD)
    lead.goto(portal.url(DOCUMENT))
    expect(lead.get_by_text("Version 2 · Current")).to_be_visible()
    acknowledgement = lead.get_by_role("region", name="Acknowledgement")
    expect(acknowledgement).to_contain_text("Not yet acknowledged")
    expect(acknowledgement.get_by_role("button", name="Confirm for Nottinghamshire Police")).to_be_visible()


def test_agency_lead_acknowledges_the_current_version(portal, page: Page, new_context):
    publish_version_two(portal, new_context().new_page())

    school = new_context().new_page()
    portal.sign_in(school, SCHOOL_LEAD)
    expect(school.get_by_role("link", name=re.compile(f"^{OUTSTANDING}"))).to_be_visible()

    portal.sign_in(page, POLICE_LEAD)
    reminder = page.get_by_role("link", name=f"{OUTSTANDING} (version 2)")
    expect(reminder).to_be_visible()
    follow_link(page, f"{OUTSTANDING} (version 2)")
    expect(page).to_have_url(portal.url(f"{DOCUMENT}/versions/2#acknowledgement"))
    acknowledgement = page.get_by_role("region", name="Acknowledgement")
    expect(acknowledgement).to_contain_text("Not yet acknowledged")

    follow_link(page, "Confirm for Nottinghamshire Police")
    expect_success_banner(page, "Thank you. Your agency's acknowledgement has been recorded.")
    expect(acknowledgement).to_contain_text("Acknowledged")
    expect(acknowledgement).to_contain_text("Nottinghamshire Police confirmed its staff were briefed on")
    expect(acknowledgement.get_by_role("button", name="Confirm for Nottinghamshire Police")).to_have_count(0)

    page.goto(portal.url("/"))
    expect(page.get_by_role("heading", name="Welcome, DI Sarah Bennett")).to_be_visible()
    expect(page.get_by_text(OUTSTANDING)).to_have_count(0)
    expect(page.get_by_text("Your agency has acknowledged every current threshold document.")).to_be_visible()
    # Another agency's reminder is its own.
    school.reload()
    expect(school.get_by_role("link", name=re.compile(f"^{OUTSTANDING}"))).to_be_visible()


# --- Comparing versions ------------------------------------------------------------------------


def test_compare_versions_as_you_choose_them(portal, page: Page):
    portal.sign_in(page, ADMIN)
    page.goto(portal.url(f"{DOCUMENT}/compare"))
    comparison = page.locator("#comparison")
    expect(comparison.get_by_role("heading", name="Version 1 to version 2")).to_be_visible()
    expect(comparison.locator("ins").first).to_be_visible()
    expect(comparison.locator("del").first).to_be_visible()
    expect(comparison.locator("ins", has_text="MASH").first).to_be_visible()
    check_page(page, "admin/thresholds-compare")
    mark_window(page)

    tab_to(page, page.get_by_label("From version"))
    with htmx_swap(page):
        page.keyboard.type("Version 2")
    expect(page).to_have_url(re.compile(rf"{DOCUMENT}/compare\?from=2&to=2$"))
    expect(comparison.get_by_role("heading", name="Version 2 to version 2")).to_be_visible()
    expect(comparison).to_contain_text("These two versions are the same.")
    expect(page.get_by_label("From version")).to_be_focused()
    assert_focus_visible(page)

    tab_to(page, page.get_by_label("To version"))
    with htmx_swap(page):
        page.keyboard.type("Version 1")
    expect(page).to_have_url(re.compile(rf"{DOCUMENT}/compare\?from=2&to=1$"))
    expect(comparison.get_by_role("heading", name="Version 2 to version 1")).to_be_visible()
    # Backwards, version 2's new pathway is removed and its new words struck through.
    expect(comparison.locator("del", has_text="MASH").first).to_be_visible()
    expect(comparison.get_by_role("heading", name=re.compile(r"Private fostering.*Removed"))).to_be_visible()
    expect(page.get_by_label("To version")).to_be_focused()
    assert_no_page_load(page)

    # The address is the comparison: opening it again shows the same.
    page.reload()
    expect(page.get_by_label("From version")).to_have_value("2")
    expect(page.get_by_label("To version")).to_have_value("1")
    expect(comparison.get_by_role("heading", name="Version 2 to version 1")).to_be_visible()


# --- Accessibility of the feature's pages and form errors ----------------------------------------


def test_draft_editor_and_its_errors(portal, page: Page):
    portal.sign_in(page, ADMIN)
    page.goto(portal.url(f"{DOCUMENT}/edit"))
    expect(page.get_by_role("heading", name="Edit Pathway to Provision")).to_be_visible()
    check_page(page, "admin/thresholds-draft-editor")

    first_section_title = page.get_by_label("Section title").first
    type_into(page, first_section_title, "")
    with page.expect_response(re.compile(r"/edit$")) as saved:
        follow_link(page, "Save draft")
    assert saved.value.status == 422
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the section's title")
    expect(page).to_have_title(re.compile(r"^Error: Edit draft"))
    assert_focus_visible(page)
    check_page(page, "admin/thresholds-draft-editor-error")

    # The summary's link takes the keyboard user to the field.
    follow_link(page, "Enter the section's title")
    expect(page.get_by_label("Section title").first).to_be_focused()


def test_enter_in_the_draft_editor_saves_the_draft(portal, page: Page):
    """The form's first submit button is what Enter in a text field presses: it must be "Save
    draft", not "Add a section", or a keyboard user's save quietly adds an empty section."""
    portal.sign_in(page, ADMIN)
    page.goto(portal.url(f"{DOCUMENT}/edit"))
    type_into(page, page.get_by_label("Section title").first, "A continuum of need (revised)")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Draft version 2 has been saved.")).to_be_visible()
    expect(page.get_by_label("Section title").first).to_have_value("A continuum of need (revised)")
    expect(page.get_by_role("group", name=re.compile(r"^Section 5"))).to_have_count(0)


def test_create_a_threshold_document_with_mistakes(portal, page: Page):
    portal.sign_in(page, ADMIN)
    page.goto(portal.url("/thresholds/"))
    follow_link(page, "Create a threshold document")
    expect(page.get_by_role("heading", name="Create a threshold document")).to_be_visible()
    follow_link(page, "Create draft")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a title")
    expect(summary).to_contain_text("Enter a web address")
    check_page(page, "admin/thresholds-create-document-empty")

    type_into(page, page.get_by_label("Title"), "Early Help Offer")
    type_into(page, page.get_by_label("Web address"), SLUG)
    follow_link(page, "Create draft")
    expect(summary).to_contain_text("Another threshold document already uses this web address")
    expect(page.get_by_label("Title")).to_have_value("Early Help Offer")
    check_page(page, "admin/thresholds-create-document-error")

    type_into(page, page.get_by_label("Web address"), "early-help-offer")
    follow_link(page, "Create draft")
    expect(page).to_have_url(portal.url("/thresholds/early-help-offer/edit"))
    expect(page.get_by_text("Early Help Offer has been created as a draft.")).to_be_visible()


def test_acknowledgements_table(portal, page: Page):
    portal.sign_in(page, TRUST)
    page.goto(portal.url(DOCUMENT))
    follow_link(page, "See which agencies have acknowledged this version")
    expect(page).to_have_url(portal.url(f"{DOCUMENT}/versions/1/acknowledgements"))
    table = page.get_by_role("table", name="Acknowledgement by agency")
    expect(table.get_by_role("row", name=re.compile(r"^Nottinghamshire Police Acknowledged"))).to_be_visible()
    expect(table.get_by_role("row", name=re.compile(r"^Notts Connect Not yet"))).to_be_visible()
    check_page(page, "trust-member/thresholds-acknowledgements")


def test_document_page_for_a_partner(portal, page: Page):
    portal.sign_in(page, ACCOUNT_FOR_ROLE["partner"])
    page.goto(portal.url(DOCUMENT))
    expect(page.get_by_text("Version 1 · Current")).to_be_visible()
    check_page(page, "partner/thresholds-document")


# --- "What changed" is what a reader would notice (point 4) -------------------------------------------


def test_saving_the_draft_in_the_browser_changes_nothing_it_did_not_change(portal, page: Page):
    """The browser sends textarea line breaks as \\r\\n: stored as typed, one save showed sections A
    and D as changed, with "safe." struck out and added back, 12 changes instead of 3."""
    portal.sign_in(page, ADMIN)
    page.goto(portal.url(f"{DOCUMENT}/edit"))
    follow_link(page, "Save draft")
    expect(page.get_by_text("Draft version 2 has been saved.")).to_be_visible()
    page.goto(portal.url(f"{DOCUMENT}/compare?from=1&to=2"))
    comparison = page.locator("#comparison")
    expect(comparison).to_contain_text("3 changed, 1 added, 0 removed.")
    changed = comparison.locator(".portal-diff h3").all_inner_texts()
    assert [c.rsplit(" ", 1)[0].strip() for c in changed] == [
        "Summary of key amendments",
        "Level 3: Targeted early help",
        "Level 4: Specialist / statutory",
        "Pathway: Private fostering, level 2",
    ], changed
    text = comparison.inner_text()
    assert "**" not in text and "##" not in text
    expect(comparison.locator("del", has_text="safe.")).to_have_count(0)
