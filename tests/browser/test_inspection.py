"""Inspection readiness in a real browser: the programme manager plans an activity and sees the
clash as they type (htmx), keeps it with a reason; an agency lead gives their agency's view and
the programme manager consolidates a new version of the self-assessment; the timetable is a day
list on a 375 px phone. axe-core on every page."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.inspection.models import Activity, AgencyInput, AssessmentVersion, JudgementArea
from tests.browser.support import ACCOUNT_FOR_ROLE, check_page, expect_success_banner

PHONE = {"width": 375, "height": 740}


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


def _a_busy_slot() -> Activity:
    return db.session.scalar(
        select(Activity).where(Activity.location == "County Hall, Committee Room 1").order_by(Activity.day)
    )


def test_the_scheduler_shows_a_clash_as_you_edit_and_keeps_it_only_with_a_reason(portal, page: Page):
    busy = _a_busy_slot()
    portal.sign_in(page, ACCOUNT_FOR_ROLE["programme_manager"])
    page.goto(portal.url("/inspection/schedule/"))
    check_page(page, "programme_manager/inspection-schedule")
    page.get_by_role("link", name="Add an activity").click()
    expect(page.get_by_label("Type of activity")).to_be_visible()  # the click only starts the load
    check_page(page, "programme_manager/inspection-new-activity")
    page.get_by_label("Type of activity").select_option("police")
    page.get_by_label("Title").fill("Meeting with the MASH police manager")
    page.get_by_label("Day").fill(str(busy.day.day))
    page.get_by_label("Month").fill(str(busy.day.month))
    page.get_by_label("Year").fill(str(busy.day.year))
    page.get_by_label("Starts").fill(busy.starts_at.strftime("%H:%M"))
    page.get_by_label("Ends").fill(busy.ends_at.strftime("%H:%M"))
    page.get_by_label("Room or place").fill("County Hall, Room B7")
    expect(page.get_by_text("No clashes with other activities.")).to_be_visible()
    page.get_by_label("Room or place").fill("County Hall, Committee Room 1")
    page.get_by_label("Room or place").press("Tab")
    clash = page.get_by_test_id("clashes")
    expect(clash).to_contain_text("County Hall, Committee Room 1 is booked for")
    check_page(page, "programme_manager/inspection-activity-clash")
    page.get_by_role("button", name="Save the activity").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("give a reason to save it anyway")
    check_page(page, "programme_manager/inspection-activity-refused")
    page.get_by_label("Reason to keep a clash").fill(
        "The lead inspector asked to join the managers' meeting."
    )
    page.get_by_role("button", name="Save the activity").click()
    expect_success_banner(page, "The activity has been added to the schedule")
    db.session.expire_all()
    kept = db.session.scalar(
        select(Activity).where(
            Activity.location == "County Hall, Committee Room 1",
            Activity.title == "Meeting with the MASH police manager",
            Activity.day == busy.day,
        )
    )
    assert kept is not None and kept.override_reason.startswith("The lead inspector asked")


def test_the_timetable_is_a_day_list_on_a_phone(portal, page: Page):
    page.set_viewport_size(PHONE)
    portal.sign_in(page, ACCOUNT_FOR_ROLE["agency_lead"])
    expect(page.get_by_text("Your inspection schedule")).to_be_visible()
    page.goto(portal.url("/inspection/schedule/"))
    check_page(page, "agency_lead/inspection-schedule-phone")
    assert_fits_the_phone(page)
    page.get_by_role("link", name="Show by room").click()
    expect(page.get_by_role("link", name="Show by time")).to_be_visible()
    assert_fits_the_phone(page)
    page.goto(portal.url("/inspection/"))
    check_page(page, "agency_lead/inspection-overview-phone")
    assert_fits_the_phone(page)


def test_an_agency_view_then_a_consolidated_version_of_the_self_assessment(portal, page: Page, new_context):
    area = db.session.scalar(select(JudgementArea).where(JudgementArea.name == "Capacity to improve"))
    portal.sign_in(page, ACCOUNT_FOR_ROLE["agency_lead"])
    page.goto(portal.url("/inspection/self-assessment/"))
    check_page(page, "agency_lead/self-assessment")
    page.get_by_role("link", name="Capacity to improve").click()
    page.get_by_label("Good", exact=True).check()
    page.get_by_label("Your agency's view").fill(
        "The police public protection unit has trebled its MASH staff."
    )
    page.get_by_role("button", name="Save your agency's view").click()
    expect_success_banner(page, "Your agency's view has been saved")
    check_page(page, "agency_lead/self-assessment-area")

    manager = new_context().new_page()
    portal.sign_in(manager, ACCOUNT_FOR_ROLE["programme_manager"])
    manager.goto(portal.url(f"/inspection/self-assessment/{area.id}"))
    expect(
        manager.get_by_text("The police public protection unit has trebled its MASH staff.")
    ).to_be_visible()
    manager.get_by_role("group", name="The partnership's grade").get_by_label("Adequate", exact=True).check()
    manager.get_by_label("Strengths").fill("Leaders know the weaknesses; the improvement plan is on track.")
    manager.get_by_label("Areas for development").fill("Agency staff turnover in the Mansfield team.")
    manager.get_by_role("button", name="Save a new version").click()
    expect_success_banner(manager, "Version 1 of the self-assessment of Capacity to improve has been saved")
    expect(manager.locator("#versions")).to_contain_text("Adequate")
    check_page(manager, "programme_manager/self-assessment-area")
    db.session.expire_all()
    assert (
        db.session.scalar(select(AssessmentVersion.grade).where(AssessmentVersion.area_id == area.id))
        == "adequate"
    )
    assert (
        db.session.scalar(select(AgencyInput.suggested_grade).where(AgencyInput.area_id == area.id)) == "good"
    )
