"""What the browser tests do again and again: sign in, run axe, move by keyboard, take pictures."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Locator, Page, Response, expect
from playwright.sync_api import Error as PlaywrightError

# `make screenshots` sets this: every page the accessibility tests check is also photographed.
SCREENSHOTS_DIR = os.environ.get("PORTAL_SCREENSHOTS", "")  # relative to where pytest runs
SCREENSHOT_WIDTHS = (1280, 375)

# The asset build copies axe-core (npm, pinned in package.json) here. Loading it by URL from
# the portal itself keeps the page's Content-Security-Policy (script-src 'self') in force.
AXE_URL = "/static/vendor/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}

# Chromium, and htmx for its requests, log every 4xx/5xx response; the tests check statuses.
_HARMLESS_CONSOLE = re.compile(
    r"^(Failed to load resource: the server responded with a status of|Response Status Error Code)"
)


def console_problem(message: ConsoleMessage) -> list[str]:
    """A console error other than a logged HTTP status: a script error or a CSP refusal."""
    if message.type != "error" or _HARMLESS_CONSOLE.match(message.text):
        return []
    return [f"Console error on {message.page.url if message.page else '?'}: {message.text}"]


# --- The demo partnership ----------------------------------------------------------------------

# One demo account per role (see README; every demo password is DEMO_PASSWORD).
ACCOUNT_FOR_ROLE = {
    "partner": "police@demo.test",
    "agency_lead": "police.lead@demo.test",
    "trust_member": "trust@demo.test",
    "programme_manager": "pm@demo.test",
    "participation_lead": "participation@demo.test",
    "admin": "admin@demo.test",
}


# --- Signing in ----------------------------------------------------------------------------


def sign_in(page: Page, login_url: str, email: str, password: str) -> None:
    page.goto(login_url)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()


# --- Accessibility ---------------------------------------------------------------------------

_RUN_AXE = """async (tags) => {
  const results = await window.axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ") + "  " + n.html.slice(0, 200)),
  }));
}"""


def axe_violations(page: Page) -> list[dict]:
    """Serious and critical WCAG 2.2 AA violations axe-core finds on the page as it is now."""
    if not page.evaluate("() => 'axe' in window"):
        page.add_script_tag(url=AXE_URL)
    violations = page.evaluate(_RUN_AXE, AXE_TAGS)
    return [v for v in violations if v["impact"] in FAILING_IMPACTS]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"    {node}" for node in v["nodes"][:5])
    return "\n".join(lines)


# Ids that something points at (a label, an aria attribute, an in-page link, such as the error
# summary's) must be unique, or the reference silently lands on the wrong element. axe-core no
# longer checks this for labels and links.
_AMBIGUOUS_REFERENCES = """() => {
  const count = new Map();
  for (const el of document.querySelectorAll("[id]")) count.set(el.id, (count.get(el.id) || 0) + 1);
  const referenced = new Set();
  for (const label of document.querySelectorAll("label[for]")) referenced.add(label.htmlFor);
  const idrefs = ["aria-labelledby", "aria-describedby", "aria-controls", "aria-owns",
    "aria-activedescendant", "aria-errormessage", "aria-details", "list"];
  for (const el of document.querySelectorAll(idrefs.map((name) => `[${name}]`).join(","))) {
    for (const name of idrefs) {
      for (const id of (el.getAttribute(name) || "").split(/\\s+/)) if (id) referenced.add(id);
    }
  }
  for (const link of document.querySelectorAll('a[href^="#"]')) {
    referenced.add(decodeURIComponent(link.getAttribute("href").slice(1)));
  }
  return [...referenced].filter((id) => (count.get(id) || 0) > 1).sort();
}"""


def check_page(page: Page, name: str) -> None:
    """Fail on serious or critical axe violations, or on a label, aria attribute or link that
    points at an id used twice. With `make screenshots`, also photograph the page."""
    violations = axe_violations(page)
    assert violations == [], f"axe found problems on {name} ({page.url}):\n" + describe_violations(violations)
    ambiguous = page.evaluate(_AMBIGUOUS_REFERENCES)
    assert ambiguous == [], f"On {name} ({page.url}) these ids are used twice but referenced: {ambiguous}"
    take_screenshots(page, name)


def take_screenshots(page: Page, name: str) -> None:
    if not SCREENSHOTS_DIR:
        return
    folder = Path(SCREENSHOTS_DIR)
    original = page.viewport_size or {"width": 1280, "height": 900}
    for width in SCREENSHOT_WIDTHS:
        path = folder / f"{name}-{width}px.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": width, "height": original["height"]})
        # caret="initial": hiding the caret injects a <style>, which the portal's CSP refuses.
        page.screenshot(path=path, full_page=True, caret="initial")
    page.set_viewport_size(original)


# --- Keyboard and focus ----------------------------------------------------------------------

_FOCUS_STATE = """(target) => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const invisible = (colour) => colour === "transparent" || /rgba\\(.*,\\s*0\\)$/.test(colour);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
    && !invisible(style.outlineColor);
  const shadow = style.boxShadow !== "none";
  return {
    onTarget: target !== null && el === target,
    inside: target !== null && target.contains(el),
    isBody: el === document.body || el === null,
    visible: outline || shadow,
    description: el ? el.outerHTML.slice(0, 160) : "nothing",
  };
}"""


def focus_state(page: Page, target: Locator | None = None) -> dict:
    handle = target.element_handle() if target is not None else None
    return page.evaluate(_FOCUS_STATE, handle)


def assert_focus_visible(page: Page) -> None:
    state = focus_state(page)
    assert not state["isBody"], "Nothing has focus."
    assert state["visible"], f"The focused element shows no outline or box-shadow: {state['description']}"


def assert_focus_inside(page: Page, container: Locator) -> None:
    state = focus_state(page, container)
    assert state["inside"], f"Focus is on {state['description']}, not inside {container}."


def tab_to(page: Page, target: Locator, *, max_presses: int = 150) -> None:
    """Press Tab until `target` has focus, checking that every stop on the way shows its focus."""
    handle = target.element_handle()
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        state = page.evaluate(_FOCUS_STATE, handle)
        if state["isBody"]:
            continue
        assert state["visible"], f"Focus is not visible on {state['description']}"
        if state["onTarget"]:
            return
    raise AssertionError(f"{target} could not be reached with Tab in {max_presses} presses.")


def expect_success_banner(page: Page, text: str) -> None:
    """After a redirect, the success banner says `text` and has taken focus (GOV.UK Frontend
    moves focus to it), with a visible focus style."""
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text(text)
    expect(banner).to_be_focused()
    assert_focus_visible(page)


def follow_link(page: Page, name: str) -> None:
    """Tab to a link or button by its accessible name and press Enter."""
    tab_to(
        page,
        page.get_by_role("link", name=name, exact=True).or_(
            page.get_by_role("button", name=name, exact=True)
        ),
    )
    page.keyboard.press("Enter")


def type_into(page: Page, target: Locator, text: str) -> None:
    """Tab to a text field, replace what it holds and type, as a keyboard user would."""
    tab_to(page, target)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


# --- htmx ------------------------------------------------------------------------------------------

_COUNT_SETTLES = """() => {
  if (window.portalTestSettles === undefined) {
    window.portalTestSettles = 0;
    document.body.addEventListener("htmx:afterSettle", () => { window.portalTestSettles += 1; });
  }
  return window.portalTestSettles;
}"""


@contextmanager
def htmx_swap(page: Page) -> Iterator[None]:
    """Wait until what the block does has been swapped in by htmx and settled (focus moved).

    The counter lives on `window`, so a full page load instead of a swap fails the wait.
    """
    before = page.evaluate(_COUNT_SETTLES)
    yield
    try:
        page.wait_for_function(
            "(before) => window.portalTestSettles > before && !document.querySelector('.htmx-request')",
            arg=before,
        )
    except PlaywrightError as error:
        raise AssertionError(
            f"No htmx swap settled on {page.url} (did the page load afresh instead?): {error.message}"
        ) from None


# A value put on `window` before an htmx request: still there afterwards means no page load.
_SET_WINDOW_MARKER = "() => { window.portalTestMarker = 'set before the swap'; }"
_WINDOW_MARKER_SURVIVED = "() => window.portalTestMarker === 'set before the swap'"


def mark_window(page: Page) -> None:
    """Leave a marker on the page's window, for `assert_no_page_load` to look for."""
    page.evaluate(_SET_WINDOW_MARKER)


def assert_no_page_load(page: Page) -> None:
    assert page.evaluate(_WINDOW_MARKER_SURVIVED), f"{page.url} was loaded afresh instead of swapped by htmx"


def csrf_token_of(page: Page) -> str:
    """The token the page hands htmx (hx-headers on the page wrapper)."""
    headers = page.locator(".portal-page").get_attribute("data-hx-headers")
    assert headers, "The page has no hx-headers: htmx requests would carry no X-CSRFToken"
    token = page.evaluate("(json) => JSON.parse(json)['X-CSRFToken']", headers)
    assert token, f"No X-CSRFToken in hx-headers: {headers}"
    return token


def assert_htmx_post_with_csrf_header(page: Page, response: Response) -> None:
    """The response answers an htmx POST that carried the page's CSRF token in X-CSRFToken."""
    request = response.request
    assert request.method == "POST"
    assert request.header_value("hx-request") == "true", f"{request.url} was not requested by htmx"
    sent = request.header_value("x-csrftoken")
    assert sent, f"The htmx POST to {request.url} carried no X-CSRFToken header"
    assert sent == csrf_token_of(page)
