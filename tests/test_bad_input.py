"""Bad input is answered with 400 or 404, never a 500, on SQLite and PostgreSQL (issue 8)."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from app.actions.models import ProgressUpdate
from app.audit import record
from app.audit.models import AuditEvent
from app.auth.models import Agency, SignInThrottle, UserSession
from app.extensions import db
from app.forms import new_token
from tests.factories import (
    make_action,
    make_agency,
    make_project,
    make_threshold_document,
    make_user,
)

BAD_REQUEST_TITLE = "Sorry, there is a problem with that request"


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- 1. Characters the database cannot store ----------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/thresholds/?q=%00",
        "/thresholds/?q=a%00b",
        "/thresholds/a%00b",
        "/thresholds/doc/versions/1?concern=%00",
        "/thresholds/?%00=1",
        "/login?next=/%00",
        "/no-such-page%00",
    ],
)
def test_nul_in_the_path_or_query_string_is_400(app, client, path):
    make_threshold_document(slug="doc")
    response = client.get(path)
    assert response.status_code == 400
    assert BAD_REQUEST_TITLE in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/actions/?q=%00", "/admin/users?q=x%00", "/admin/audit/?actor=%00"])
def test_nul_in_a_signed_in_search_is_400(app, client, as_role, path):
    as_role("admin")
    assert client.get(path).status_code == 400


def test_nul_in_a_progress_note_is_400_and_saves_nothing(app, client, as_role):
    health = make_agency("NHS Bassetlaw (PCT)")
    action = make_action(owner=health)
    as_role("partner", agency=health)
    response = client.post(
        f"/actions/{action.id}/update",
        data={
            "lock_version": action.lock_version,
            "submission_token": "token-nul-0123456789abcdef0123456789",
            "note": "Briefings held\x00 in all three districts.",
            "rag": action.rag,
            "rag_reason": "",
            "percent_complete": 40,
            "status": "in_progress",
        },
    )
    assert response.status_code == 400
    assert BAD_REQUEST_TITLE in response.get_data(as_text=True)
    assert count(ProgressUpdate) == 0


def test_nul_in_an_agency_name_is_400_and_saves_nothing(app, client, as_role):
    as_role("admin")
    before = count(Agency)
    response = client.post(
        "/admin/agencies/new", data={"name": "Notts\x00Connect", "kind": "other", "district": "Countywide"}
    )
    assert response.status_code == 400
    assert count(Agency) == before


def test_nul_in_a_form_field_name_is_400(app, client, as_role):
    as_role("admin")
    response = client.post(
        "/admin/agencies/new", data={"name": "Notts Connect", "kind": "other", "district": "x", "\x00": "1"}
    )
    assert response.status_code == 400
    assert count(Agency, Agency.name == "Notts Connect") == 0


def test_other_unusual_text_is_stored_as_typed(app, client, as_role):
    """Only what the database cannot hold is refused: accents, dashes and emoji are fine."""
    as_role("admin")
    name = "Crèche São Tomé – Ünïcode 🚸 \u200b\ufeff"
    response = client.post(
        "/admin/agencies/new",
        data={"submission_token": new_token(), "name": name, "kind": "other", "district": "Ollerton"},
    )
    assert response.status_code == 303
    assert count(Agency, Agency.name == name) == 1


def test_nul_in_the_sign_in_email_is_400_and_counts_no_failure(app, client):
    make_user(email="someone@example.test")
    response = client.post(
        "/login", data={"email": "someone\x00@example.test", "password": "a long password"}
    )
    assert response.status_code == 400
    assert count(SignInThrottle) == 0 and count(AuditEvent) == 0


def test_nul_in_the_sign_in_email_is_400_with_csrf_on(csrf_app, client):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": "a\x00@example.test", "password": "a long password", "csrf_token": token}
    )
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert BAD_REQUEST_TITLE in body and "Traceback" not in body
    assert count(SignInThrottle) == 0


def test_nul_in_the_user_agent_is_400_and_starts_no_session(app, client):
    """The User-Agent is stored with each session, so it is checked like the form."""
    user = make_user()
    response = client.post(
        "/login",
        data={"email": user.email, "password": "a long test passphrase"},
        headers={"User-Agent": "Mozilla/5.0\x00"},
    )
    assert response.status_code == 400
    assert count(UserSession) == 0


# --- 2. Ids beyond the database's range -------------------------------------------------------


def test_a_version_number_beyond_the_database_range_is_404_anonymously(app, client):
    make_threshold_document(slug="doc")
    assert client.get("/thresholds/doc/versions/1").status_code == 200
    assert client.get("/thresholds/doc/versions/2147483648").status_code == 404
    assert client.get("/thresholds/doc/versions/2147483647").status_code == 404


def test_an_action_id_beyond_the_database_range_is_404(app, client, as_role):
    as_role("admin")
    assert client.get("/actions/9223372036854775808").status_code == 404
    assert client.get("/actions/2147483648").status_code == 404
    assert client.get("/actions/2147483647").status_code == 404


def test_the_largest_id_the_database_holds_still_reaches_the_view(app):
    urls = app.url_map.bind("localhost")
    assert urls.match("/actions/2147483647") == ("actions.show_action", {"action_id": 2147483647})
    with pytest.raises(Exception) as refused:
        urls.match("/actions/2147483648")
    assert getattr(refused.value, "code", None) == 404


def _int_rules(app):
    return sorted(
        (r for r in app.url_map.iter_rules() if "<int:" in r.rule), key=lambda r: (r.rule, r.endpoint)
    )


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_every_int_url_part_beyond_the_database_range_is_404(app, client, as_role, number):
    as_role("admin")
    make_threshold_document(slug="doc")
    rules = _int_rules(app)
    assert rules
    for rule in rules:
        path = re.sub(r"<int:\w+>", str(number), rule.rule).replace("<slug>", "doc")
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(path, method=method)
        assert response.status_code == 404, (method, path, response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        "/actions/?agency=2147483648&project=9223372036854775808",
        "/actions/export?agency=9223372036854775808",
        "/people?agency=2147483648",
        "/admin/users?agency=9223372036854775808&page=-1",
        "/thresholds/doc/versions/1?level=9223372036854775808",
    ],
)
def test_query_string_ids_beyond_the_database_range_are_ignored(app, client, as_role, path):
    as_role("admin")
    make_threshold_document(slug="doc")
    assert client.get(path).status_code == 200


# --- 3. Page links carry only the list's own parameters ----------------------------------------

JUNK = "endpoint=x&_method=y&_external=1&_scheme=javascript&_anchor=top"
JUNK_NAMES = {"endpoint", "_method", "_external", "_scheme", "_anchor"}


def _actions(agency, monkeypatch):
    for _ in range(3):
        make_action(title="Brief all staff on the thresholds")
    return "/actions/", {"q": "Brief", "sort": "reference"}


def _users(agency, monkeypatch):
    make_user(agency=agency)
    make_user(agency=agency)
    return "/admin/users", {"q": "example", "status": "active", "agency": str(agency.id)}


def _agencies(agency, monkeypatch):
    for name in ("Notts Connect", "Notts Youth Justice", "Notts Open Door"):
        make_agency(name)
    return "/admin/agencies", {"q": "Notts", "status": "active"}


def _audit(agency, monkeypatch):
    actor = make_user(agency=agency, email="auditor@example.test")
    for _ in range(3):
        record("user.update", actor, before={"a": 1}, after={"a": 2}, actor=actor)
    db.session.commit()
    return "/admin/audit/", {"actor": "auditor", "from": "2000-01-01", "to": "2100-12-31"}


def _people(agency, monkeypatch):
    make_user(agency=agency)
    make_user(agency=agency)
    return "/people", {"agency": str(agency.id)}


def _project(agency, monkeypatch):
    project = make_project()
    for _ in range(3):
        make_action(project=project)
    return f"/programme/projects/{project.id}", {}


def _thresholds(agency, monkeypatch):
    monkeypatch.setattr("app.thresholds.search.PER_PAGE", 1)
    make_threshold_document(slug="doc")
    return "/thresholds/", {"q": "Level"}


# Each builds a list at least three pages long (one row a page) and returns (path, its filters).
PAGINATED_LISTS = {
    "actions": _actions,
    "users": _users,
    "agencies": _agencies,
    "audit": _audit,
    "people": _people,
    "project": _project,
    "thresholds": _thresholds,
}


def _page_links(body: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*[?&](?:amp;)?page=\d+[^"]*)"', body)]


@pytest.mark.parametrize("name", ["actions", "users", "agencies", "audit", "people", "project", "thresholds"])
def test_page_links_carry_the_list_filters_and_nothing_else(app, client, as_role, monkeypatch, name):
    agency = make_agency("Nottinghamshire Police")
    as_role("admin", agency=agency)
    app.config["PAGE_SIZE"] = 1
    path, filters = PAGINATED_LISTS[name](agency, monkeypatch)
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    response = client.get(f"{path}?{query}&{JUNK}&page=2")
    assert response.status_code == 200
    links = _page_links(response.get_data(as_text=True))
    assert links, "the list should show links to its other pages"
    for link in links:
        url = urlsplit(link)
        args = parse_qs(url.query)
        assert (url.scheme, url.netloc, url.path, url.fragment) == ("", "", path, "")
        assert not JUNK_NAMES & set(args)
        assert {k: v[0] for k, v in args.items() if k != "page"} == filters
    assert {parse_qs(urlsplit(link).query)["page"][0] for link in links} >= {"1", "3"}


# --- 4. Date filters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "to=9999-12-31",
        "from=9999-12-31",
        "from=0001-01-01",
        "to=1899-12-31",
        "from=2101-01-01",
        "from=2026-02-30",
        "to=not-a-date",
    ],
)
def test_audit_dates_out_of_range_are_ignored_and_explained(app, client, as_role, query):
    as_role("admin")
    response = client.get(f"/admin/audit/?{query}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Dates must be real dates from 1900 to 2100" in body
    assert "auth.sign_in" in body or "Signed in" in body  # the filter was ignored, not applied


def test_audit_dates_at_the_edges_of_the_range_filter(app, client, as_role):
    as_role("admin")
    response = client.get("/admin/audit/?from=1900-01-01&to=2100-12-31")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Dates must be real dates" not in body
    assert 'value="1900-01-01"' in body and 'value="2100-12-31"' in body
    empty = client.get("/admin/audit/?from=1900-01-01&to=1900-01-02").get_data(as_text=True)
    assert "No events match" in empty
