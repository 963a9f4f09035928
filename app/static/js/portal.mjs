// The portal's only script: start GOV.UK Frontend, and keep htmx swaps accessible.
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

const banner = () => document.getElementById("htmx-error-banner");

function showBanner(title, message) {
  const region = banner();
  if (!region) return;
  region.replaceChildren();
  const heading = document.createElement("h2");
  heading.className = "govuk-heading-m";
  heading.tabIndex = -1;
  heading.textContent = title;
  const body = document.createElement("p");
  body.className = "govuk-body";
  body.textContent = message;
  region.append(heading, body);
  heading.focus();
}

// After a swap: start any GOV.UK components in the new content, then move focus to what
// the server marked (an error summary, the edited row's heading, a status message).
document.body.addEventListener("htmx:afterSettle", (event) => {
  const scope = event.detail.elt && event.detail.elt.isConnected ? event.detail.elt : document.body;
  try {
    initAll({ scope: scope.parentElement || scope });
  } catch (error) {
    // Components already started elsewhere on the page are left as they are.
  }
  const target = document.querySelector("[data-swap-focus]");
  if (target) {
    target.removeAttribute("data-swap-focus");
    if (!target.hasAttribute("tabindex")) target.tabIndex = -1;
    target.focus();
  }
});

// Clear an old error banner when a new request starts.
document.body.addEventListener("htmx:beforeRequest", () => {
  const region = banner();
  if (region) region.replaceChildren();
});

// Errors the server did not explain (a proxy's 502, say) still reach the user.
document.body.addEventListener("htmx:responseError", (event) => {
  const xhr = event.detail.xhr;
  if (!xhr.getResponseHeader("HX-Retarget")) {
    showBanner("Sorry, there is a problem", "Your change could not be saved. Reload the page and try again.");
  }
});

document.body.addEventListener("htmx:sendError", () => {
  showBanner(
    "The portal cannot be reached",
    "Check your connection and try again. Nothing you entered has been saved.",
  );
});
