"""Every form the portal shows, found by visiting every GET route as a role: the route-wide
attack tests (fuzzing, stored XSS) post to each, so a new form is covered as soon as it is shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from app.auth.models import Agency
from app.extensions import db
from tests.factories import PASSWORD, make_user

# Forms that end the session or the account the tests sign in with.
NOT_POSTED = ("/logout",)


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, radio, checkbox, hidden, number, date, email, password, file
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    page: str
    action: str
    fields: dict[str, Field] = field(default_factory=dict)

    def defaults(self) -> dict[str, str]:
        """What a person who changed nothing would send."""
        values = {}
        for f in self.fields.values():
            if f.kind in ("select", "radio"):
                values[f.name] = f.value or (f.options[0] if f.options else "")
            elif f.kind == "checkbox":
                continue
            else:
                values[f.name] = f.value
        return values

    @property
    def free_text(self) -> list[str]:
        return [f.name for f in self.fields.values() if f.kind in ("text", "textarea", "search", "email")]


class _FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.textarea: Field | None = None

    def handle_starttag(self, tag, attrs):  # noqa: C901 - one branch per kind of form element
        a = dict(attrs)
        if tag == "form":
            method = (a.get("method") or "get").lower()
            hx_post = a.get("data-hx-post") or a.get("hx-post")
            if method == "post" or hx_post:
                self.form = Form(self.page, a.get("action") or hx_post or self.page)
            return
        if self.form is None or not a.get("name"):
            if tag == "option" and self.select is not None:
                self._option(a)
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            existing = self.form.fields.get(name)
            if kind in ("radio", "checkbox") and existing is not None:
                existing.options.append(a.get("value", "on"))
                if "checked" in a:
                    existing.value = a.get("value", "on")
                return
            value = a.get("value", "") if kind not in ("radio", "checkbox") or "checked" in a else ""
            options = [a.get("value", "on")] if kind in ("radio", "checkbox") else []
            self.form.fields[name] = Field(name, kind, value, options)
        elif tag == "textarea":
            self.textarea = self.form.fields[name] = Field(name, "textarea")
        elif tag == "select":
            self.select = self.form.fields[name] = Field(name, "select")

    def _option(self, a):
        value = a.get("value", "")
        self.select.options.append(value)
        if "selected" in a:
            self.select.value = value

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form" and self.form is not None:
            self.forms.append(self.form)
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def forms_in(page: str, html: str) -> list[Form]:
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms


def sign_in_as(client, role: str, ids: dict):
    agency = db.session.get(Agency, ids["agency_id"])
    user = make_user(role=role, agency=agency)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    return user


def get_pages(app, ids: dict) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            paths.append(rule.build(ids, append_unknown=False)[1])
    return sorted(set(paths))


def forms_a_role_sees(app, client, ids: dict) -> list[Form]:
    """One form per (action, field names): every form on every page this client can open."""
    found: dict[tuple, Form] = {}
    for path in get_pages(app, ids):
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for form in forms_in(path, response.get_data(as_text=True)):
            if form.action.split("?")[0] in NOT_POSTED:
                continue
            found.setdefault((form.action, tuple(sorted(form.fields))), form)
    return list(found.values())
