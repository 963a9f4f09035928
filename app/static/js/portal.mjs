// The portal's only script: start the GOV.UK Frontend components we use, and keep htmx swaps
// accessible. Bundled by scripts/build-assets.mjs with only those components.
import {
  Button,
  CharacterCount,
  Checkboxes,
  createAll,
  ErrorSummary,
  ExitThisPage,
  NotificationBanner,
  Radios,
  ServiceNavigation,
  SkipLink,
} from "govuk-frontend";

const COMPONENTS = [
  Button,
  CharacterCount,
  Checkboxes,
  ErrorSummary,
  ExitThisPage,
  NotificationBanner,
  Radios,
  ServiceNavigation,
  SkipLink,
];

function startComponents(scope = document) {
  // Components already started (outside a swapped part of the page) are left as they are.
  const onError = () => {};
  for (const Component of COMPONENTS) {
    createAll(Component, undefined, { scope, onError });
  }
  startFinders(scope);
}

// A finder inside a bigger form (an action's contributing agencies): a box marked
// data-finds="<its button's id>". Without JavaScript the button is the form's first submit
// button, so Enter in any field finds (nothing is lost: the form comes back as typed). With it,
// the button only finds (htmx), Enter in the box finds, and Enter elsewhere sends the form as
// its main button would.
function startFinders(scope) {
  for (const box of scope.querySelectorAll("[data-finds]")) {
    const button = document.getElementById(box.dataset.finds);
    if (button) button.type = "button";
  }
}

document.addEventListener("keydown", (event) => {
  const box = event.target;
  if (event.key !== "Enter" || !(box instanceof HTMLInputElement) || !box.dataset.finds) return;
  event.preventDefault();
  document.getElementById(box.dataset.finds)?.click();
});

document.body.classList.add("js-enabled", "govuk-frontend-supported");
startComponents();

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

// A full page's own markers are not for later swaps (GOV.UK's error summary focuses itself).
for (const marked of document.querySelectorAll("[data-swap-focus]")) {
  marked.removeAttribute("data-swap-focus");
}

// After a swap: start any GOV.UK components in the new content, then move focus to what the
// server marked inside it (an error summary, the edited row's heading, a status message).
document.body.addEventListener("htmx:afterSettle", (event) => {
  const swapped = event.target instanceof Element && event.target.isConnected ? event.target : null;
  if (!swapped) return;
  startComponents(swapped.parentElement || swapped);
  const target = swapped.matches("[data-swap-focus]") ? swapped : swapped.querySelector("[data-swap-focus]");
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

// A form marked data-saves-first="#other-form" is sent only once that form's answers are saved.
// A change waits 300 ms for its autosave; a submit clicked meanwhile would carry the version before
// it (a 409) or leave the last answer behind. So the submit waits for the autosave, then goes; if
// the autosave is refused (a number that breaks a rule), the submit stays and the error shows.
const unsent = new WeakSet();
const inFlight = new WeakMap();
const waiting = new Map();

document.body.addEventListener("change", (event) => {
  const form = event.target.form;
  if (form && form.hasAttribute("data-hx-post")) unsent.add(form);
});

document.body.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt;
  unsent.delete(form);
  inFlight.set(form, (inFlight.get(form) || 0) + 1);
});

document.body.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt;
  inFlight.set(form, Math.max(0, (inFlight.get(form) || 1) - 1));
  const submit = waiting.get(form);
  if (!submit || unsent.has(form) || inFlight.get(form)) return;
  waiting.delete(form);
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  if (status >= 200 && status < 300) submit.form.requestSubmit(submit.button);
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  const saving = form.dataset.savesFirst && document.querySelector(form.dataset.savesFirst);
  if (!saving || (!unsent.has(saving) && !inFlight.get(saving))) return;
  event.preventDefault();
  waiting.set(saving, { form, button: event.submitter || null });
});
