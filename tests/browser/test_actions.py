"""Partnership actions in a real browser: a progress update posted inside the list's row with
htmx (and again without JavaScript), filtering and paging the list, a challenge raised by the
Children's Trust and answered by the owner agency, and axe-core on the pages and form errors.

The demo has 56 accepted actions (25 a page): 4 red, 42 green. NHS Nottinghamshire County's
P02-03 is green and on track; the police own P18-04, which no one has challenged.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from app.actions.models import Action
from app.auth.models import Agency, AgencyKind
from app.extensions import db
from tests.browser.support import (
    ACCOUNT_FOR_ROLE,
    assert_focus_inside,
    assert_focus_visible,
    assert_htmx_post_with_csrf_header,
    assert_no_page_load,
    check_page,
    expect_success_banner,
    follow_link,
    htmx_swap,
    mark_window,
    tab_to,
    type_into,
)

HEALTH = "health@demo.test"  # partner, NHS Nottinghamshire County (PCT)
POLICE = ACCOUNT_FOR_ROLE["partner"]  # partner, Nottinghamshire Police
TRUST = ACCOUNT_FOR_ROLE["trust_member"]
PCT = "NHS Nottinghamshire County (PCT)"
ACTIONS_ON_A_PAGE = 25
NOTE = "Health visitors briefed in two of the three localities."
REASON = "The third locality has no health visitor lead until March."
CHALLENGE = "What is the date for the last locality, and who is covering until then?"
RESPONSE = "The locality manager covers until the new lead starts on 3 March."


def action_id(reference: str) -> int:
    return db.session.scalar(select(Action.id).where(Action.reference == reference))


def rows(page: Page) -> Locator:
    return page.locator("#action-results tbody tr")


def agency_option_value(page: Page, name: str) -> str:
    """An agency's id, as the list's Agency filter offers it."""
    value = page.get_by_label("Agency", exact=True).locator("option", has_text=name).get_attribute("value")
    assert value, f"No {name} in the Agency filter"
    return value


def open_action(page: Page, reference: str) -> None:
    """Tab to the action's link in the list and press Enter."""
    tab_to(page, page.locator("#action-results").get_by_role("link", name=re.compile(rf"^{reference}\b")))
    page.keyboard.press("Enter")


def result_count(page: Page) -> Locator:
    return page.locator("#action-results .portal-result-count")


# --- A progress update inside the row ------------------------------------------------------------


def test_update_an_action_in_its_row(portal, page: Page):
    portal.sign_in(page, HEALTH)
    page.goto(portal.url("/actions/"))
    page.goto(portal.url(f"/actions/?agency={agency_option_value(page, PCT)}"))
    expect(page.get_by_label("Agency", exact=True)).to_have_value(agency_option_value(page, PCT))
    listed = rows(page).count()
    assert listed > 1
    row = page.locator(f"#action-{action_id('P02-03')}")
    expect(row.locator(".portal-rag")).to_have_text("Green")
    mark_window(page)

    with htmx_swap(page):
        follow_link(page, "Update P02-03")
    heading = row.get_by_role("heading", name=re.compile(r"^Update P02-03: "))
    expect(heading).to_be_focused()
    assert_focus_visible(page)
    expect(rows(page)).to_have_count(listed)

    # The reason is asked for only once the RAG changes; RAG and status are told apart in a line.
    reason = row.get_by_label("Reason for changing the RAG status")
    expect(reason).to_be_hidden()
    expect(row).to_contain_text("RAG is how confident you are")

    # Amber without a reason: the row shows the error, with focus on the summary.
    type_into(page, row.get_by_label("What has happened since the last update"), NOTE)
    tab_to(page, row.get_by_label("Green", exact=True))
    page.keyboard.press("ArrowRight")
    expect(row.get_by_label("Amber", exact=True)).to_be_checked()
    expect(reason).to_be_visible()
    page.keyboard.press("ArrowLeft")
    expect(reason).to_be_hidden()
    page.keyboard.press("ArrowRight")
    with htmx_swap(page), page.expect_response(re.compile(r"/update$")) as posted:
        follow_link(page, "Post update")
    assert posted.value.status == 422
    assert_htmx_post_with_csrf_header(page, posted.value)
    summary = row.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Give a reason for changing the RAG status")
    assert_focus_visible(page)
    expect(rows(page)).to_have_count(listed)
    expect(row.get_by_label("What has happened since the last update")).to_have_value(NOTE)
    expect(row.get_by_label("Amber", exact=True)).to_be_checked()
    check_page(page, "partner/actions-update-row-error")

    # The summary's link leads to the field; with a reason the update is posted.
    follow_link(page, "Give a reason for changing the RAG status")
    expect(row.get_by_label("Reason for changing the RAG status")).to_be_focused()
    page.keyboard.type(REASON)
    with htmx_swap(page), page.expect_response(re.compile(r"/update$")) as posted:
        follow_link(page, "Post update")
    assert posted.value.status == 200
    assert_htmx_post_with_csrf_header(page, posted.value)
    status = row.get_by_role("status")
    expect(status).to_have_text("Update posted on P02-03.")
    expect(status).to_be_focused()
    assert_focus_inside(page, row)
    expect(row.locator(".portal-rag")).to_have_text("Amber")
    expect(rows(page)).to_have_count(listed)
    assert_no_page_load(page)

    open_action(page, "P02-03")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"health visitor", re.IGNORECASE))
    latest = page.locator(".portal-history__item").first
    expect(latest).to_contain_text("RAG changed from Green to Amber.")
    expect(latest).to_contain_text(f"Reason for the RAG change: {REASON}")
    expect(latest).to_contain_text(NOTE)
    check_page(page, "partner/action-after-update")


def test_update_without_javascript_uses_the_update_page(portal, new_context):
    page = new_context(java_script_enabled=False).new_page()
    action = action_id("P02-03")
    portal.sign_in(page, HEALTH)
    page.goto(portal.url("/actions/"))
    page.goto(portal.url(f"/actions/?agency={agency_option_value(page, PCT)}"))
    page.get_by_role("link", name="Update P02-03").click()
    expect(page).to_have_url(portal.url(f"/actions/{action}/update"))
    expect(page.get_by_role("heading", name=re.compile(r"^Update: "))).to_be_visible()

    page.get_by_label("What has happened since the last update").fill(NOTE)
    expect(page.get_by_label("Reason for changing the RAG status")).to_be_hidden()
    page.get_by_label("Amber", exact=True).check()
    expect(page.get_by_label("Reason for changing the RAG status")).to_be_visible()  # CSS, no script
    page.get_by_role("button", name="Post update").click()
    summary = page.locator(".govuk-error-summary")
    problem = summary.get_by_role("link", name="Give a reason for changing the RAG status")
    expect(problem).to_have_attribute("href", "#rag_reason")
    expect(page).to_have_title(re.compile(r"^Error: "))

    page.get_by_label("Reason for changing the RAG status").fill(REASON)
    page.get_by_role("button", name="Post update").click()
    expect(page).to_have_url(portal.url(f"/actions/{action}"))
    expect(page.get_by_text("Update posted on P02-03.")).to_be_visible()
    latest = page.locator(".portal-history__item").first
    expect(latest).to_contain_text("RAG changed from Green to Amber.")
    expect(latest).to_contain_text(f"Reason for the RAG change: {REASON}")


# --- Filtering and paging ----------------------------------------------------------------------


def test_filter_and_page_through_the_list(portal, page: Page):
    portal.sign_in(page, TRUST)
    page.goto(portal.url("/actions/"))
    expect(result_count(page)).to_have_text("Showing 1 to 25 of 56 actions")
    check_page(page, "trust-member/actions")
    mark_window(page)

    tab_to(page, page.get_by_label("RAG", exact=True))
    with htmx_swap(page):
        page.keyboard.type("Red")
    expect(page).to_have_url(re.compile(r"[?&]rag=red(&|$)"))
    expect(result_count(page)).to_have_text("Showing 1 to 4 of 4 actions")
    expect(rows(page).locator(".portal-rag")).to_have_text(["Red"] * 4)
    expect(page.get_by_label("RAG", exact=True)).to_be_focused()

    tab_to(page, page.get_by_label("Overdue only"))
    with htmx_swap(page):
        page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"[?&]rag=red&.*overdue=1"))
    expect(result_count(page)).to_have_text("Showing 1 to 1 of 1 actions")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Overdue")
    expect(page.get_by_label("Overdue only")).to_be_focused()
    assert_no_page_load(page)

    # Back: htmx has kept no copy of the page (historyCacheSize 0), so it asks for it again.
    page.go_back()
    expect(page).to_have_url(re.compile(r"[?&]rag=red(&|$)"))
    expect(page).not_to_have_url(re.compile(r"overdue=1"))
    expect(result_count(page)).to_have_text("Showing 1 to 4 of 4 actions")
    expect(page.get_by_label("RAG", exact=True)).to_have_value("red")
    expect(page.get_by_label("Overdue only")).not_to_be_checked()

    follow_link(page, "Clear filters")
    expect(page).to_have_url(portal.url("/actions/"))
    expect(result_count(page)).to_have_text("Showing 1 to 25 of 56 actions")

    tab_to(page, page.get_by_label("RAG", exact=True))
    with htmx_swap(page):
        page.keyboard.type("Green")
    expect(result_count(page)).to_have_text("Showing 1 to 25 of 42 actions")
    first_on_page_one = rows(page).first.get_by_role("link").first.get_attribute("href")

    pages = page.get_by_role("navigation", name="actions pages")
    tab_to(page, pages.get_by_role("link", name="Page 2"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]rag=green&.*page=2$"))
    expect(result_count(page)).to_have_text("Showing 26 to 42 of 42 actions")
    expect(rows(page)).to_have_count(42 - ACTIONS_ON_A_PAGE)
    expect(page.get_by_label("RAG", exact=True)).to_have_value("green")

    page.go_back()
    expect(page).to_have_url(re.compile(r"[?&]rag=green(&|$)"))
    expect(result_count(page)).to_have_text("Showing 1 to 25 of 42 actions")
    expect(rows(page).first.get_by_role("link").first).to_have_attribute("href", first_on_page_one)
    expect(page.get_by_label("RAG", exact=True)).to_have_value("green")
    expect(page.locator("table")).to_have_count(1)  # the whole page, not a fragment inside it


# --- Challenges ----------------------------------------------------------------------------------


def test_trust_challenges_and_the_owner_agency_responds(portal, page: Page, new_context):
    portal.sign_in(page, TRUST)
    page.goto(portal.url("/actions/"))
    tab_to(page, page.get_by_label("Agency", exact=True))
    with htmx_swap(page):
        page.keyboard.type("Nottinghamshire Police")
    expect(page).to_have_url(re.compile(r"[?&]agency=\d+"))
    open_action(page, "P18-04")
    expect(page).to_have_url(portal.url(f"/actions/{action_id('P18-04')}"))
    challenges = page.locator("#challenges")
    expect(challenges).to_contain_text("No one has challenged this action.")
    mark_window(page)

    # Sent empty first: the section shows the error, with focus on its summary.
    with htmx_swap(page), page.expect_response(re.compile(r"/challenges$")) as posted:
        follow_link(page, "Raise challenge")
    assert posted.value.status == 422
    assert_htmx_post_with_csrf_header(page, posted.value)
    expect(challenges.locator(".govuk-error-summary")).to_be_focused()
    expect(challenges).to_contain_text("Write your challenge")
    check_page(page, "trust-member/action-challenge-error")

    type_into(page, challenges.get_by_label("Your challenge or question"), CHALLENGE)
    with htmx_swap(page), page.expect_response(re.compile(r"/challenges$")) as posted:
        follow_link(page, "Raise challenge")
    assert posted.value.status == 200
    assert_htmx_post_with_csrf_header(page, posted.value)
    expect(challenges.get_by_role("status")).to_have_text("Your challenge has been sent to the owner agency.")
    expect(challenges.get_by_role("status")).to_be_focused()
    expect(challenges).to_contain_text(CHALLENGE)
    expect(challenges).to_contain_text("Awaiting response")
    expect(challenges.get_by_label("Your challenge or question")).to_have_value("")
    assert_no_page_load(page)

    police = new_context().new_page()
    portal.sign_in(police, POLICE)
    # The home page leads straight to the challenge, with the date it is due by.
    waiting = re.compile(r"^1 challenge is waiting for your agency’s response \(due by \d+ \w+ \d{4}\)$")
    tab_to(police, police.get_by_role("link", name=waiting))
    police.keyboard.press("Enter")
    expect(police).to_have_url(re.compile(rf"/actions/{action_id('P18-04')}#challenge-\d+$"))
    answer = police.locator("#challenges")
    expect(answer).to_contain_text(CHALLENGE)
    expect(answer).to_contain_text("Response due by")
    mark_window(police)
    type_into(police, answer.get_by_label("Respond for Nottinghamshire Police"), RESPONSE)
    with htmx_swap(police), police.expect_response(re.compile(r"/response$")) as posted:
        follow_link(police, "Send response")
    assert posted.value.status == 200
    assert_htmx_post_with_csrf_header(police, posted.value)
    expect(answer.get_by_role("status")).to_have_text("Your response has been recorded.")
    expect(answer.get_by_role("status")).to_be_focused()
    expect(answer).to_contain_text("Answered")
    expect(answer).to_contain_text(RESPONSE)
    assert_no_page_load(police)
    check_page(police, "partner/action-challenge-answered")

    police.goto(portal.url("/"))
    expect(police.get_by_role("heading", name="Welcome, PC Tom Hargreaves")).to_be_visible()
    expect(police.get_by_text("challenge is waiting")).to_have_count(0)

    # The loop closes: the Trust member's home page says the challenge was answered (the demo has
    # one answered already), and leads to the answers, to read and close.
    page.goto(portal.url("/"))
    answered = page.get_by_role(
        "link", name="2 challenges have been answered: read the responses and close them"
    )
    tab_to(page, answered)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/actions/\?challenge=answered$"))
    open_action(page, "P18-04")
    expect(challenges).to_contain_text("Answered")
    expect(challenges).to_contain_text(RESPONSE)
    with htmx_swap(page):
        follow_link(page, "Close this challenge")
    expect(challenges.get_by_role("status")).to_have_text("The challenge has been closed.")
    expect(challenges).to_contain_text("Closed")
    page.goto(portal.url("/"))
    expect(
        page.get_by_role("link", name="1 challenge has been answered: read the response and close it")
    ).to_be_visible()


# --- A returned proposal, and a likely duplicate -----------------------------------------------------


def test_a_returned_proposal_is_edited_and_sent_again_or_withdrawn(portal, page: Page):
    lead = ACCOUNT_FOR_ROLE["agency_lead"]
    portal.sign_in(page, lead)
    follow_link(
        page,
        "1 proposed action was returned by the programme manager: "
        "change it and send it again, or withdraw it",
    )
    expect(page).to_have_url(re.compile(r"/actions/\?review=returned$"))
    open_action_titled(page, "Police officers attend every school safeguarding briefing")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Police officers attend every school safeguarding briefing"
    )
    expect(page.get_by_text("Returned by the programme manager: Please withdraw this one")).to_be_visible()
    rag = page.locator(".govuk-summary-list__row", has=page.get_by_text("RAG", exact=True))
    expect(rag).to_contain_text("Not rated until it is accepted into the programme")
    check_page(page, "agency-lead/action-returned-proposal")

    follow_link(page, "Edit and send it again")
    expect(page.get_by_role("heading", name="Edit your proposal")).to_be_visible()
    expect(page.get_by_label("Evidence")).to_have_count(0)
    type_into(
        page,
        page.get_by_label("What will be done, and how we will know it has worked"),
        "An officer joins the termly briefings that P13-04 does not cover: independent schools.",
    )
    check_page(page, "agency-lead/action-revise-proposal")
    follow_link(page, "Save and send to the programme manager")
    expect_success_banner(page, "Your proposal has been sent to the programme manager again.")
    expect(page.locator(".govuk-inset-text").first).to_contain_text("The programme manager will add it")

    # The agency's other proposal, still waiting: withdrawn.
    page.goto(portal.url("/actions/?review=proposed"))
    open_action_titled(page, "Police attendance at every initial child protection conference")
    follow_link(page, "Withdraw this proposal")
    expect_success_banner(page, "Your proposal has been withdrawn.")
    expect(page.get_by_text("Nottinghamshire Police withdrew this proposal.")).to_be_visible()
    expect(page.get_by_role("button", name="Withdraw this proposal")).to_have_count(0)


def open_action_titled(page: Page, title: str) -> None:
    row = page.locator("#action-results tbody tr", has_text=title)
    tab_to(page, row.get_by_role("link").first)
    page.keyboard.press("Enter")


def test_a_likely_duplicate_is_pointed_out_and_can_be_proposed_anyway(portal, page: Page):
    portal.sign_in(page, ACCOUNT_FOR_ROLE["agency_lead"])
    page.goto(portal.url("/actions/new"))
    type_into(
        page,
        page.get_by_label("Action", exact=True),
        "Police attend every initial child protection conference",
    )
    type_into(page, page.get_by_label("Named owner"), "DI Sarah Bennett")
    tab_to(page, page.get_by_label("Day").last)
    page.keyboard.type("30")
    page.keyboard.press("Tab")
    page.keyboard.type("6")
    page.keyboard.press("Tab")
    page.keyboard.type("2027")
    follow_link(page, "Propose action")
    warning = page.locator("#similar-actions")
    expect(warning).to_contain_text("The partnership may already have this action")
    expect(warning.get_by_role("link", name=re.compile("Police attendance at every initial"))).to_be_visible()
    expect(page.get_by_label("Action", exact=True)).to_have_value(
        "Police attend every initial child protection conference"
    )
    check_page(page, "agency-lead/actions-propose-likely-duplicate")
    follow_link(page, "Propose it anyway")
    expect_success_banner(page, "Your action has been sent to the programme manager")


# --- Accessibility of the other pages ------------------------------------------------------------


def test_propose_an_action_with_mistakes(portal, page: Page):
    portal.sign_in(page, HEALTH)
    page.goto(portal.url("/actions/"))
    follow_link(page, "Propose an action for your agency")
    expect(page.get_by_role("heading", name=f"Propose an action for {PCT}")).to_be_visible()
    expect(page.get_by_label("Evidence")).to_have_count(0)  # nothing done yet to show evidence of
    follow_link(page, "Propose action")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the action")
    expect(summary).to_contain_text("Enter the due date")
    check_page(page, "partner/actions-propose-empty")

    type_into(page, page.get_by_label("Action", exact=True), "A named GP lead for safeguarding")
    type_into(page, page.get_by_label("Named owner"), "Sue Whitfield")
    tab_to(page, page.get_by_label("Day").last)
    page.keyboard.type("31")
    page.keyboard.press("Tab")
    page.keyboard.type("13")
    page.keyboard.press("Tab")
    page.keyboard.type("2027")
    follow_link(page, "Propose action")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a real due date")
    follow_link(page, "Enter a real due date")
    type_into(page, page.get_by_label("Month").last, "3")
    follow_link(page, "Propose action")
    expect_success_banner(page, "Your action has been sent to the programme manager")


# Nottinghamshire villages and towns: with the demo's dozen agencies, more than the form lists.
SCHOOL_PLACES = (
    "Arnold",
    "Bingham",
    "Blidworth",
    "Calverton",
    "Carlton",
    "Cotgrave",
    "Eastwood",
    "Edwinstowe",
    "Farndon",
    "Forest Town",
    "Gedling",
    "Hucknall",
    "Keyworth",
    "Kimberley",
    "Lowdham",
    "Misterton",
    "Ollerton",
    "Rainworth",
    "Ravenshead",
    "Ruddington",
    "Selston",
    "Southwell",
    "Tuxford",
    "Warsop",
)


def add_primary_schools() -> None:
    db.session.add_all(
        Agency(name=f"{place} Primary School", kind=AgencyKind.SCHOOL, district="Countywide", active=True)
        for place in SCHOOL_PLACES
    )
    db.session.commit()


def test_a_county_finds_contributing_agencies_by_name_as_it_types(portal, page: Page):
    """More agencies than the form lists: only those ticked show, others are found by name (htmx,
    no page load), a ticked one stays ticked through the next search, and it is saved. Enter in
    the search box finds; in another field it sends the form."""
    add_primary_schools()
    portal.sign_in(page, ACCOUNT_FOR_ROLE["programme_manager"])
    page.goto(portal.url("/actions/new"))
    choices = page.locator("#contributor-choices")
    expect(choices.get_by_role("checkbox")).to_have_count(0)
    mark_window(page)
    search = page.get_by_label("Find a contributing agency by name")
    with htmx_swap(page):
        type_into(page, search, "forest")
    expect(page.locator("#contributor-status")).to_have_text("1 agency found whose name contains “forest”.")
    expect(choices.get_by_role("checkbox")).to_have_count(1)
    expect(search).to_be_focused()  # typing goes on where it was
    page.keyboard.press("Tab")  # past "Find agencies" to what was found, below it
    page.keyboard.press("Tab")
    expect(page.get_by_label("Forest Town Primary School")).to_be_focused()
    page.keyboard.press("Space")
    with htmx_swap(page):
        type_into(page, search, "primary")
    # The demo's Trentbank Primary School and ours but Forest Town, which is ticked.
    expect(page.locator("#contributor-status")).to_have_text(
        f"The first 20 of {1 + len(SCHOOL_PLACES) - 1} agencies whose names contain “primary”: "
        "type more of the name to narrow them down."
    )
    expect(page.get_by_label("Forest Town Primary School")).to_be_checked()
    expect(choices.get_by_role("checkbox").first).to_have_accessible_name("Forest Town Primary School")
    expect(page.get_by_label("Arnold Primary School")).not_to_be_checked()
    assert_no_page_load(page)
    check_page(page, "programme-manager/actions-add-find-contributors")

    # Enter in the box finds; it does not send the form.
    with htmx_swap(page):
        search.fill("hucknall")
        search.press("Enter")
    expect(page.locator("#contributor-status")).to_have_text("1 agency found whose name contains “hucknall”.")
    assert_no_page_load(page)

    page.get_by_label("Action", exact=True).fill("Designated safeguarding leads at the spring training day")
    page.get_by_label("Project", exact=True).select_option(index=1)
    page.get_by_label("Owner agency").select_option(label="Nottinghamshire Police")
    page.get_by_label("Day").last.fill("30")
    page.get_by_label("Month").last.fill("6")
    page.get_by_label("Year").last.fill("2027")
    # Enter in any other field sends the form, as "Add action" would (not "Find agencies").
    page.get_by_label("Named owner").fill("DI Sarah Bennett")
    page.get_by_label("Named owner").press("Enter")
    expect_success_banner(page, "has been created")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Forest Town Primary School")


def test_programme_and_project_pages(portal, page: Page):
    portal.sign_in(page, TRUST)
    page.goto(portal.url("/programme/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Safeguarding and Looked After Children Improvement Programme"
    )
    check_page(page, "trust-member/programme")
    follow_link(page, "P01 Ensure children and young people are safe")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ensure children and young people are safe")
    check_page(page, "trust-member/programme-project")
