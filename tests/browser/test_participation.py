"""Have your say in a real browser, on a 375 px phone: a young person sends feedback, another
says they do not feel safe and is shown where to get help, and a participation lead records what
was done about the flagged message. axe-core on every page; nothing scrolls sideways."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.participation.models import Feedback
from tests.browser.support import ACCOUNT_FOR_ROLE, check_page, expect_success_banner

PHONE = {"width": 375, "height": 740}


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


def assert_in_view(page: Page, name: str) -> None:
    box = page.get_by_role("button", name=name).bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"{name} is off screen"


def test_a_young_person_sends_feedback_on_a_phone(portal, page: Page):
    page.set_viewport_size(PHONE)
    page.goto(portal.url("/have-your-say"))
    check_page(page, "participation/give-feedback")
    assert_fits_the_phone(page)
    assert_in_view(page, "Send")
    page.get_by_label("What makes you feel safe?").check()
    page.get_by_label("What is good?").fill("The youth club on Fridays. The staff listen.")
    page.get_by_label("What should change?").fill("More buses home after nine.")
    page.get_by_label("14 to 15").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_text("Childline")).to_be_visible()
    check_page(page, "participation/thanks")
    assert_fits_the_phone(page)
    db.session.expire_all()
    kept = db.session.scalar(
        select(Feedback).where(Feedback.what_should_change == "More buses home after nine.")
    )
    assert kept is not None and not kept.flagged and kept.age_band == "14_15"


def test_a_young_person_who_does_not_feel_safe_is_shown_help_and_flagged(portal, page: Page):
    page.set_viewport_size(PHONE)
    page.goto(portal.url("/have-your-say"))
    page.get_by_label("What should change?").fill("I don't want to go home tonight.")
    page.get_by_label("I don\u2019t feel safe, or I want someone to talk to me").check()
    page.get_by_label("How can we reach you?").fill("Ring school and ask for me")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("If you are in danger now, call 999.")).to_be_visible()
    expect(page.get_by_role("link", name="0800 1111")).to_be_visible()
    db.session.expire_all()
    kept = db.session.scalar(
        select(Feedback).where(Feedback.what_should_change == "I don't want to go home tonight.")
    )
    assert kept.flagged and kept.wants_contact and kept.contact_details == "Ring school and ask for me"
    page.goto(portal.url("/have-your-say/get-help"))
    check_page(page, "participation/get-help")
    assert_fits_the_phone(page)
    page.goto(portal.url("/have-your-say/you-said-we-did"))
    check_page(page, "participation/you-said-we-did")
    assert_fits_the_phone(page)


def test_a_participation_lead_acts_on_a_flagged_message(portal, page: Page):
    page.set_viewport_size(PHONE)
    portal.sign_in(page, ACCOUNT_FOR_ROLE["participation_lead"])
    urgent = page.get_by_role("link", name="may show a young person at risk").first
    expect(urgent).to_be_visible()
    check_page(page, "participation_lead/home")
    urgent.click()
    expect(page.get_by_text("Urgent:")).to_be_visible()
    check_page(page, "participation_lead/flagged-message")
    assert_fits_the_phone(page)
    page.get_by_label("Referred to the MASH").check()
    page.get_by_label("Details").fill("Referred to the MASH at 10:40, reference MASH-2009-5120.")
    page.get_by_role("button", name="Record what was done").click()
    expect_success_banner(page, "What you did has been recorded")
    expect(page.get_by_text("Referred to the MASH, by Priya Shah")).to_be_visible()
    page.goto(portal.url("/feedback/"))
    check_page(page, "participation_lead/feedback")
    assert_fits_the_phone(page)
    page.goto(portal.url("/feedback/summary"))
    check_page(page, "participation_lead/summary")
