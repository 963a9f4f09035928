"""The portal on a phone (375px wide) and on a desktop (1280px), as people use it.

- No page any role reaches is wider than the phone's screen, and every form's main button is
  on screen (lists become stacked cards; an inline update opens full width in its card).
- Nothing jumps as the page's script arrives: the layout shift (CLS) of every page stays under
  0.1, measured with a PerformanceObserver while the script is held back, as on a slow phone
  network, so the first paint comes before it.
- The overdue bar never paints over the action's reference; the header's menu is one row at
  1280px even for an administrator, who has the most entries.
"""

from __future__ import annotations

import re
import time
from collections import deque

import pytest
from playwright.sync_api import Page, expect

from app.auth.models import Role
from tests.browser.support import ACCOUNT_FOR_ROLE, htmx_swap
from tests.browser.test_accessibility import LINKS_ON_THIS_SITE, endpoint_of, starting_pages

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
MAX_LAYOUT_SHIFT = 0.1
SCRIPT_DELAY_SECONDS = 0.4

_WIDTHS = """() => ({
  page: document.documentElement.scrollWidth,
  screen: window.innerWidth,
  buttons: [...document.querySelectorAll("main form")]
    .map((form) => form.querySelector("button[type=submit], button:not([type]), input[type=submit]"))
    .filter((button) => button && button.offsetParent !== null)
    .map((button) => {
      const box = button.getBoundingClientRect();
      return {text: button.textContent.trim() || button.value, left: box.left, right: box.right};
    }),
})"""

# Every layout shift since the page began to load (buffered), not caused by the user's input.
_LAYOUT_SHIFT = """() => new Promise((resolve) => {
  let total = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  });
  observer.observe({type: "layout-shift", buffered: true});
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => resolve(total), 100)));
})"""


def phone(new_context, **options) -> Page:
    page = new_context(**options).new_page()
    page.set_viewport_size(PHONE)
    return page


def assert_fits(page: Page, where: str) -> None:
    sizes = page.evaluate(_WIDTHS)
    assert sizes["page"] <= sizes["screen"], (
        f"{where} is {sizes['page']}px wide on a {sizes['screen']}px screen: it pans sideways"
    )
    off_screen = [b for b in sizes["buttons"] if b["left"] < 0 or b["right"] > sizes["screen"]]
    assert off_screen == [], f"On {where} these buttons are off the screen: {off_screen}"


def hold_back_the_script(page: Page) -> None:
    """As on a slow phone network: the page paints before its script has arrived."""

    def slowly(route):
        time.sleep(SCRIPT_DELAY_SECONDS)
        route.continue_()

    page.route(re.compile(r"/static/vendor/portal\.[0-9a-f]+\.js$"), slowly)


def layout_shift(page: Page) -> float:
    page.wait_for_function("() => document.body.classList.contains('govuk-frontend-supported')")
    return page.evaluate(_LAYOUT_SHIFT)


@pytest.mark.parametrize("role", [str(role) for role in Role])
def test_every_page_fits_a_phone_and_nothing_jumps_as_it_loads(portal, new_context, role: str):
    page = phone(new_context)
    portal.sign_in(page, ACCOUNT_FOR_ROLE[role])
    hold_back_the_script(page)
    to_visit = deque(["/", *starting_pages(portal.app, role)])
    checked: set[str] = set()
    too_wide, jumpy = [], []
    while to_visit and len(checked) < 80:
        path = to_visit.popleft()
        endpoint = endpoint_of(portal.app, path)
        if endpoint is None or endpoint in checked:
            continue
        checked.add(endpoint)
        response = page.goto(portal.url(path))
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        shift = layout_shift(page)
        if shift >= MAX_LAYOUT_SHIFT:
            jumpy.append(f"{path}: {shift:.3f}")
        try:
            assert_fits(page, f"{role} {path}")
        except AssertionError as problem:
            too_wide.append(str(problem))
        # Links marked `download` fetch a file (CSV, PDF), not a page to lay out.
        to_visit.extend(page.eval_on_selector_all("a[href]:not([download])", LINKS_ON_THIS_SITE))
    assert too_wide == []
    assert jumpy == [], f"Pages whose layout shifts by {MAX_LAYOUT_SHIFT} or more as they load: {jumpy}"
    assert {"home.index", "actions.list_actions", "programme.show_programme"} <= checked


def test_the_inline_update_opens_full_width_and_can_be_posted_on_a_phone(portal, new_context):
    page = phone(new_context)
    portal.sign_in(page, "health@demo.test")
    page.goto(portal.url("/actions/"))
    assert_fits(page, "the action list")
    card = page.locator("#action-results tbody tr").filter(
        has=page.get_by_role("link", name=re.compile("^Update"))
    )
    card = card.first
    row_id = card.get_attribute("id")
    with htmx_swap(page):
        card.get_by_role("link", name=re.compile("^Update")).click()
    form_row = page.locator(f"#{row_id}")
    expect(form_row.get_by_role("button", name="Post update")).to_be_visible()
    assert_fits(page, "the action list with an update open")
    card_box = form_row.bounding_box()
    list_box = page.locator("#action-results").bounding_box()
    assert card_box and list_box and card_box["width"] >= list_box["width"] - 1, "the form is not full width"
    for label in ("What has happened since the last update", "Green", "Amber", "Red", "Percentage complete"):
        box = form_row.get_by_label(label, exact=True).first.bounding_box()
        assert box and 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"], f"{label} is cut off"


def test_the_overdue_bar_has_room_of_its_own(portal, page: Page):
    portal.sign_in(page, ACCOUNT_FOR_ROLE["trust_member"])
    page.goto(portal.url("/actions/?overdue=1"))
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        gap = page.evaluate(
            """() => {
              const row = document.querySelector(".portal-row--overdue");
              const cell = row.querySelector("td");
              const bar = parseFloat(getComputedStyle(cell).boxShadow.match(/(\\d+)px/)?.[1] || "0")
                || parseFloat(getComputedStyle(row).borderLeftWidth);
              const text = cell.querySelector("a").getBoundingClientRect().left;
              const edge = Math.min(cell.getBoundingClientRect().left, row.getBoundingClientRect().left);
              return {bar, room: text - edge};
            }"""
        )
        assert gap["bar"] >= 5, gap
        assert gap["room"] >= gap["bar"] + 5, f"At {viewport['width']}px the bar touches the text: {gap}"


def test_the_menu_is_one_row_at_1280px(portal, page: Page):
    portal.sign_in(page, ACCOUNT_FOR_ROLE["admin"])
    page.set_viewport_size(DESKTOP)
    tops = page.locator(".govuk-service-navigation__item").evaluate_all(
        "items => items.map((item) => Math.round(item.getBoundingClientRect().top))"
    )
    assert len(tops) >= 8 and len(set(tops)) == 1, f"The menu wraps: its entries start at {tops}"
    expect(page.locator(".portal-header__service")).to_have_text("Partnership Portal")


def test_the_menu_on_a_phone_opens_with_its_button_and_without_javascript_is_open(portal, new_context):
    page = phone(new_context)
    portal.sign_in(page, ACCOUNT_FOR_ROLE["partner"])
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link", name="Actions")).to_be_hidden()
    menu.get_by_role("button", name="Menu").click()
    expect(menu.get_by_role("link", name="Actions")).to_be_visible()

    plain = phone(new_context, java_script_enabled=False)
    portal.sign_in(plain, ACCOUNT_FOR_ROLE["partner"])
    menu = plain.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link", name="Actions")).to_be_visible()
    expect(menu.get_by_role("button", name="Menu")).to_be_hidden()


def test_every_page_describes_itself(portal, page: Page):
    portal.sign_in(page, ACCOUNT_FOR_ROLE["programme_manager"])
    for path in ("/", "/actions/", "/programme/", "/thresholds/"):
        page.goto(portal.url(path))
        description = page.locator('meta[name="description"]').get_attribute("content")
        assert description and len(description) > 40, f"{path}: {description!r}"
