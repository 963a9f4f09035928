"""Threshold documents in a real browser: search as you type (and without JavaScript) with the
words practitioners use, an admin checking and publishing the draft today or for a later date,
everyone asked to read it, an agency lead acknowledging it, comparing versions, the way between
the public pages and signing in, and, on every page of the feature, axe-core, valid ids and dates,
and a 375px phone that never scrolls sideways.

The demo's "Pathway to Provision" has version 1 published 120 days ago (read by every demo account,
acknowledged by the police and Sherwood Vale Academy) and version 2 a draft making the MASH the
front door. The demo keeps a list of synonyms (CSE, DV, MASH...).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from app.admin.demo import DEMO_PASSWORD
from app.dates import today
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


PARTNER = ACCOUNT_FOR_ROLE["partner"]


def publish_version_two(portal, page: Page, *, on: date | None = None) -> None:
    """As the admin: check the demo's version 2 draft and publish it, in effect today or `on`."""
    portal.sign_in(page, ADMIN)
    page.goto(portal.url(f"{DOCUMENT}/publish"))
    expect(page.get_by_role("heading", name="Check and publish version 2")).to_be_visible()
    if on is not None:
        enter_date(page, "Date it takes effect", on.day, on.month, on.year)
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_text("Version 2 · Scheduled" if on else "Version 2 · Current")).to_be_visible()


def enter_date(page: Page, legend: str, *parts) -> None:
    group = page.get_by_role("group", name=legend)
    for label, value in zip(("Day", "Month", "Year"), parts, strict=True):
        group.get_by_label(label).fill(str(value))


def read_banner(page: Page):
    return page.locator(".govuk-notification-banner", has_text="New thresholds to read")


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


def test_admin_checks_what_changed_then_publishes_for_today(portal, page: Page, new_context):
    portal.sign_in(page, ADMIN)
    page.goto(portal.url(f"{DOCUMENT}/edit"))
    expect(page.get_by_role("heading", name="Edit Pathway to Provision")).to_be_visible()
    # Publishing starts near the top of the long editor, not only at its foot.
    tab_to(page, page.get_by_role("link", name="Check and publish this draft").first)
    page.keyboard.press("Enter")
    expect(page).to_have_url(portal.url(f"{DOCUMENT}/publish"))
    expect(page.get_by_role("heading", name="Check and publish version 2")).to_be_visible()
    expect(page.get_by_text("3 changed, 1 added, 0 removed.")).to_be_visible()
    changes = page.locator("main ul.govuk-list--bullet").first
    expect(changes).to_contain_text("Level 3: Targeted early help")
    expect(changes).to_contain_text("Pathway: Private fostering, level 2 (added)")
    effective = page.get_by_role("group", name="Date it takes effect")
    expect(effective.get_by_label("Day")).to_have_value(f"{today().day:02d}")
    expect(effective.get_by_label("Year")).to_have_value(str(today().year))
    check_page(page, "admin/thresholds-check-and-publish")

    follow_link(page, "Publish version 2")
    expect(page).to_have_url(portal.url(DOCUMENT))
    expect_success_banner(page, "Version 2 of Pathway to Provision is published and in effect from today.")
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

    # Every member of staff is told, on their home page, until they have read it.
    partner = new_context().new_page()
    portal.sign_in(partner, PARTNER)
    banner = read_banner(partner)
    expect(banner).to_contain_text("Read version 2 of Pathway to Provision (in effect since")
    check_page(partner, "partner/home-new-thresholds-to-read")
    follow_link(partner, f"Read version 2 of Pathway to Provision (in effect since {today():%-d %B %Y})")
    expect(partner).to_have_url(portal.url(f"{DOCUMENT}/versions/2#acknowledgement"))
    follow_link(partner, "I have read this version")
    expect_success_banner(partner, "We have recorded that you have read this version.")
    partner.goto(portal.url("/"))
    expect(partner.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()
    expect(read_banner(partner)).to_have_count(0)

    lead = new_context().new_page()
    portal.sign_in(lead, POLICE_LEAD)
    lead.goto(portal.url(DOCUMENT))
    expect(lead.get_by_text("Version 2 · Current")).to_be_visible()
    acknowledgement = lead.get_by_role("region", name="Acknowledgement")
    expect(acknowledgement).to_contain_text("Not yet acknowledged")
    expect(acknowledgement.get_by_role("button", name="Confirm for Nottinghamshire Police")).to_be_visible()


def test_a_version_published_for_a_later_date_is_scheduled_and_the_old_one_stays_current(
    portal, page: Page, new_context
):
    later = today() + timedelta(days=14)
    portal.sign_in(page, ADMIN)
    page.goto(portal.url(f"{DOCUMENT}/publish"))

    # An impossible date is named, and the error summary leads to the day box.
    enter_date(page, "Date it takes effect", 31, 2, later.year + 1)
    follow_link(page, "Publish version 2")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a real date for it to take effect")
    check_page(page, "admin/thresholds-check-and-publish-error")
    follow_link(page, "Enter a real date for it to take effect")
    expect(
        page.get_by_role("group", name=re.compile("Date it takes effect")).get_by_label("Day")
    ).to_be_focused()

    enter_date(page, re.compile("Date it takes effect"), later.day, later.month, later.year)
    follow_link(page, "Publish version 2")
    expect(page).to_have_url(portal.url(f"{DOCUMENT}/versions/2"))
    expect_success_banner(page, f"is published and takes effect on {later:%-d %B %Y}")
    expect(page.get_by_text("Version 2 · Scheduled")).to_be_visible()
    expect(page.get_by_text(f"This version takes effect on {later:%-d %B %Y}.")).to_be_visible()

    # Readers keep the current version, and search it, until then.
    reader = new_context().new_page()
    reader.goto(portal.url(DOCUMENT))
    expect(reader.get_by_text("Version 1 · Current")).to_be_visible()
    versions = reader.get_by_role("table", name="Versions of Pathway to Provision")
    expect(versions.get_by_role("row", name=re.compile(r"^Version 2 Scheduled"))).to_be_visible()
    reader.goto(portal.url("/thresholds/?q=MASH"))
    expect(reader.get_by_role("heading", name="0 results for “MASH”")).to_be_visible()

    # Staff are asked to read it, and agencies to acknowledge it, before it takes effect.
    lead = new_context().new_page()
    portal.sign_in(lead, POLICE_LEAD)
    expect(read_banner(lead)).to_contain_text(f"(takes effect on {later:%-d %B %Y})")
    expect(
        lead.get_by_role("link", name=re.compile(f"^{OUTSTANDING} \\(version 2\\), which takes effect"))
    ).to_be_visible()


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


# --- Search finds what practitioners type (issue 9, point 3) ----------------------------------------

# Each query as a practitioner types it, and a result it must find in version 2 of the demo.
PRACTITIONERS_QUERIES = [
    ("MASH", "Level 3: Targeted early help – who to contact", "The Multi-Agency Safeguarding Hub (MASH)"),
    ("domestic abuse", "Domestic violence, level 3", "Domestic violence: standard or medium risk"),
    ("self harm", "Level 3: Targeted early help", "Self-harming behaviour"),
    ("sexual abuse", "Level 4: Specialist / statutory", "physical, sexual or emotional abuse"),
    ("CSE", "Level 4: Specialist / statutory", "A child at risk of sexual exploitation"),
]


def test_search_finds_the_words_practitioners_use(portal, page: Page, new_context):
    # Version 2 makes the MASH the front door: published, it is what readers see and search.
    publish_version_two(portal, new_context().new_page())
    page.goto(portal.url("/thresholds/"))
    mark_window(page)
    search = page.get_by_label("Search levels, indicators and pathways")
    for query, label, text in PRACTITIONERS_QUERIES:
        type_into(page, search, "")
        with htmx_swap(page):
            page.keyboard.type(query)
        heading = page.get_by_role("heading", name=re.compile(rf"^\d+ results? for “{query}”$"))
        expect(heading).to_be_visible()
        expect(heading).not_to_have_text(re.compile("^0 results"))
        hit = search_results(page).filter(has=page.get_by_role("link", name=label, exact=True))
        expect(hit.filter(has_text=text).first).to_be_visible()
    assert_no_page_load(page)
    check_page(page, "signed-out/thresholds-search-results")

    # The MASH result leads to the very heading it was found under.
    type_into(page, search, "")
    with htmx_swap(page):
        page.keyboard.type("MASH")
    link = search_results(page).get_by_role("link", name="Level 3: Targeted early help – who to contact")
    tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page).to_have_url(portal.url(f"{DOCUMENT}#level-3-contact"))
    expect(page.locator("[id='level-3-contact']")).to_be_in_viewport()


def test_when_search_finds_nothing_it_offers_the_pathways_and_numbers_to_call(portal, page: Page):
    page.goto(portal.url("/thresholds/?q=zebra+crossing"))
    results = page.locator("#threshold-results")
    expect(results.get_by_role("heading", name="0 results for “zebra crossing”")).to_be_visible()
    expect(results).not_to_contain_text("documents below")
    expect(results.get_by_role("link", name="0300 500 80 80").first).to_be_visible()
    expect(results).to_contain_text("Nottinghamshire Domestic Violence Forum outreach: 0808 800 0340")
    check_page(page, "signed-out/thresholds-search-nothing-found")
    follow_link(page, "Neglect")
    expect(page).to_have_url(re.compile(rf"{DOCUMENT}\?concern=Neglect#pathways$"))
    expect(page.locator("#pathway-results .portal-pathway")).to_have_count(2)
    expect(page.get_by_label("Type of concern")).to_have_value("Neglect")


LINE_2_HAS_ONE_WORD = (
    "Line 2 has only one word or phrase: add another that means the same, after a comma, or remove the line"
)


def test_admin_keeps_the_list_of_words_that_mean_the_same(portal, page: Page):
    portal.sign_in(page, ADMIN)
    page.goto(portal.url("/thresholds/"))
    follow_link(page, "Words that search treats as the same")
    expect(page).to_have_url(portal.url("/thresholds/search-synonyms"))
    words = page.get_by_label("Words that mean the same")
    expect(words).to_have_value(re.compile(r"^CSE, child sexual exploitation, sexual exploitation\n"))
    check_page(page, "admin/thresholds-search-synonyms")

    type_into(page, words, "front door, Notts Connect\nsafe")
    follow_link(page, "Save the synonyms")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Line 2 has only one word or phrase")
    check_page(page, "admin/thresholds-search-synonyms-error")
    follow_link(page, LINE_2_HAS_ONE_WORD)
    expect(words).to_be_focused()

    type_into(page, words, "front door, Notts Connect")
    follow_link(page, "Save the synonyms")
    expect_success_banner(page, "The search synonyms have been saved.")
    page.goto(portal.url("/thresholds/?q=front+door"))
    expect(search_results(page).filter(has_text="call Notts Connect for advice")).to_have_count(1)


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


# --- One contents list, and the way between public pages and signing in (point 6) ---------------------


def test_contents_list_each_part_once(portal, page: Page):
    page.goto(portal.url(DOCUMENT))
    contents = page.get_by_role("navigation", name="Contents").get_by_role("link")
    assert contents.all_inner_texts() == [
        "A. A continuum of need",
        "B. Levels of need",
        "C. Pathways",
        "D. Specialist guidance and neighbouring-authority contacts",
        "Versions",
    ]
    follow_link(page, "B. Levels of need")
    expect(page.get_by_role("heading", name="Level 1 Universal")).to_be_in_viewport()
    section_b = page.get_by_role("region", name="B. Levels of need")
    expect(section_b.get_by_role("heading", name="Level 4 Specialist / statutory")).to_be_visible()
    section_c = page.get_by_role("region", name="C. Pathways")
    expect(section_c.get_by_role("heading", name="Neglect causing significant harm")).to_be_visible()


def test_public_thresholds_and_sign_in_lead_to_each_other(portal, page: Page):
    page.goto(portal.url("/login"))
    follow_link(page, "read the partnership's public thresholds of need and referral pathways")
    expect(page).to_have_url(portal.url("/thresholds/"))
    follow_link(page, "Pathway to Provision")
    expect(page).to_have_url(portal.url(DOCUMENT))
    follow_link(page, "Sign in")
    expect(page).to_have_url(portal.url(f"/login?next={DOCUMENT}"))
    page.get_by_label("Email address").fill(PARTNER)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(portal.url(DOCUMENT))
    expect(page.get_by_text("Signed in as")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_have_count(0)


def test_an_impossible_review_date_names_its_field(portal, page: Page):
    portal.sign_in(page, ADMIN)
    page.goto(portal.url(f"{DOCUMENT}/edit"))
    enter_date(page, "Next review date", 30, 2, 2027)
    type_into(page, page.get_by_label("Section title").first, "")
    follow_link(page, "Save draft")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    # In the order of the fields: the review date comes before the sections.
    assert summary.get_by_role("link").all_inner_texts() == [
        "Enter a real next review date",
        "Enter the section's title",
    ]
    follow_link(page, "Enter a real next review date")
    expect(page.get_by_role("group", name="Next review date").get_by_label("Day")).to_be_focused()


# --- Every page of the feature: valid ids and dates, and it fits a phone ---------------------------------

_PAGE_PROBLEMS = """() => {
  const problems = [];
  const seen = new Map();
  for (const el of document.querySelectorAll("[id]")) seen.set(el.id, (seen.get(el.id) || 0) + 1);
  for (const [id, n] of seen) if (n > 1) problems.push(`id "${id}" is used ${n} times`);
  for (const el of document.querySelectorAll("time[datetime]")) {
    const value = el.getAttribute("datetime");
    if (!/^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2})?(Z|[+-]\\d{2}:\\d{2})?)?$/.test(value)) {
      problems.push(`datetime="${value}" is not a date or a time to the second`);
    }
  }
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth > width) {
    const wide = [...document.querySelectorAll("main *")]
      .filter((el) => el.getBoundingClientRect().right > width + 1);
    problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth}px): ` +
      wide.slice(0, 3).map((el) => el.outerHTML.slice(0, 100)).join(" | "));
  }
  for (const form of document.querySelectorAll("main form")) {
    const buttons = [...form.querySelectorAll("button, input[type=submit]")]
      .filter((b) => !b.hidden && b.type === "submit");
    const primary = buttons.find((b) => !b.classList.contains("govuk-button--secondary")) || buttons[0];
    if (!primary) continue;
    const box = primary.getBoundingClientRect();
    if (box.left < 0 || box.right > width) {
      problems.push(`"${primary.textContent.trim() || primary.value}" is outside the screen`);
    }
  }
  return problems;
}"""

PHONE = {"width": 375, "height": 740}


def assert_page_is_sound(page: Page, path: str) -> None:
    problems = page.evaluate(_PAGE_PROBLEMS)
    assert problems == [], f"{path}: " + "; ".join(problems)


def test_every_thresholds_page_is_valid_and_fits_a_phone(portal, new_context):
    pages = {
        POLICE_LEAD: ["/", DOCUMENT],
        None: [
            "/login",
            "/thresholds/",
            "/thresholds/?q=missing",
            "/thresholds/?q=zebra",
            DOCUMENT,
            f"{DOCUMENT}/compare",
        ],
        ADMIN: [
            f"{DOCUMENT}/edit",
            f"{DOCUMENT}/publish",
            f"{DOCUMENT}/versions/2",
            f"{DOCUMENT}/compare",
            f"{DOCUMENT}/versions/1/acknowledgements",
            "/thresholds/new",
            "/thresholds/search-synonyms",
        ],
    }
    for account, paths in pages.items():
        phone = new_context().new_page()
        phone.set_viewport_size(PHONE)
        if account:
            portal.sign_in(phone, account)
        for path in paths:
            phone.goto(portal.url(path))
            assert_page_is_sound(phone, path)
    # The states after a mistake, too (still as the admin).
    phone.goto(portal.url("/thresholds/new"))
    phone.get_by_role("button", name="Create draft").click()
    expect(phone.locator(".govuk-error-summary")).to_be_visible()
    assert_page_is_sound(phone, "/thresholds/new (errors)")
