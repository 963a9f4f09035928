"""Every page each role reaches is valid HTML, as the W3C Nu HTML Checker reads it (npm `vnu-jar`,
pinned in package.json; it needs Java). So are the pages forms answer with after a mistake and
the fragments htmx swaps in (each checked inside a minimal page).

The pages are found as tests/browser/test_accessibility.py finds them: from the home page, every
link on this site, one page per endpoint, for each role in the demo partnership, with CSRF
protection on (so each form's hidden token is there, as in production). The checker runs once,
on every page saved, not once per page.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import deque
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from app.actions.models import Action
from app.admin.demo import DEMO_PASSWORD
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ACCOUNTS = {
    "partner": "police@demo.test",
    "agency_lead": "police.lead@demo.test",
    "trust_member": "trust@demo.test",
    "programme_manager": "pm@demo.test",
    "participation_lead": "participation@demo.test",
    "admin": "admin@demo.test",
}
MAX_PAGES_PER_ROLE = 80

HTML_PAGE = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Fragment</title></head>'
    "<body>{}</body></html>"
)


def _vnu_command() -> list[str] | None:
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("The HTML checker cannot run: Java and node_modules/vnu-jar are needed (make setup).")
        pytest.skip("The HTML checker needs Java and node_modules/vnu-jar (make setup)")
    return [java, "-Xss4m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]


class Crawler:
    """A signed-in test client that saves each page it checks, named role/endpoint."""

    def __init__(self, app, folder: Path):
        self.app = app
        self.folder = folder
        self.saved: dict[str, str] = {}  # file name → page address
        self.client = app.test_client()
        self.adapter = app.url_map.bind("localhost")

    def token(self, body: str) -> str:
        found = re.search(r'name="csrf_token"[^>]* value="([^"]+)"', body) or re.search(
            r'"X-CSRFToken": "([^"]+)"', body
        )
        assert found, "no CSRF token on the page"
        return found.group(1)

    def sign_in(self, email: str) -> None:
        self.client = self.app.test_client()
        login = self.client.get("/login").get_data(as_text=True)
        response = self.client.post(
            "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": self.token(login)}
        )
        assert response.status_code == 303, response.status_code

    def save(self, name: str, path: str, body: str, *, fragment: bool = False) -> None:
        file = self.folder / (re.sub(r"[^a-z0-9_.-]+", "-", name.lower()) + ".html")
        file.write_text(HTML_PAGE.format(body) if fragment else body)
        self.saved[file.name] = f"{name} ({path})"

    def endpoint_of(self, path: str) -> str | None:
        try:
            endpoint, _ = self.adapter.match(path.split("?")[0], method="GET")
        except HTTPException:
            return None
        return endpoint

    def crawl(self, role: str) -> set[str]:
        """Follow every link from the home page, checking one page per endpoint."""
        to_visit, seen = deque(["/"]), set()
        while to_visit and len(seen) < MAX_PAGES_PER_ROLE:
            path = to_visit.popleft()
            endpoint = self.endpoint_of(path)
            if endpoint is None or endpoint in seen:
                continue
            seen.add(endpoint)
            response = self.client.get(path)
            if response.status_code in (301, 302, 303) or response.mimetype != "text/html":
                continue
            assert response.status_code == 200, f"{role}: {path} answered {response.status_code}"
            body = response.get_data(as_text=True)
            self.save(f"{role}/{endpoint}", path, body)
            links = re.findall(r'<a [^>]*href="(/[^"#]*)', body)
            to_visit.extend(link.replace("&amp;", "&") for link in links)
        return seen

    def post(
        self, name: str, path: str, data: dict, *, page: str, htmx: bool = False, wrap: str = "{}"
    ) -> None:
        """A form sent with a mistake: the page (or fragment) it answers with is checked too."""
        token = self.token(self.client.get(page).get_data(as_text=True))
        headers = {"X-CSRFToken": token} | ({"HX-Request": "true"} if htmx else {})
        response = self.client.post(path, data=data, headers=headers)
        assert response.status_code in (200, 409, 422), f"{name}: {response.status_code}"
        body = response.get_data(as_text=True)
        self.save(name, path, wrap.format(body) if htmx else body, fragment=htmx)

    def fragment(self, name: str, path: str, wrap: str = "{}") -> None:
        response = self.client.get(path, headers={"HX-Request": "true"})
        assert response.status_code == 200, f"{name}: {response.status_code}"
        self.save(name, path, wrap.format(response.get_data(as_text=True)), fragment=True)


def _action_id(**where) -> int:
    stmt = select(Action.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(Action, name) == value)
    return db.session.scalar(stmt.order_by(Action.id).limit(1))


def _crawl_everything(app, crawler: Crawler) -> None:
    page = crawler.client.get("/login")
    crawler.save("signed-out/login", "/login", page.get_data(as_text=True))
    crawler.save(
        "signed-out/404", "/no-such-page", crawler.client.get("/no-such-page").get_data(as_text=True)
    )
    for role, email in ACCOUNTS.items():
        crawler.sign_in(email)
        crawler.crawl(role)

    with app.app_context():
        police_action = _action_id(reference="P18-04")
        returned = _action_id(review="returned")
    columns = "".join(f"<th>{n}</th>" for n in range(1, 7))
    table = f'<table class="govuk-table"><thead><tr>{columns}</tr></thead><tbody>{{}}</tbody></table>'
    crawler.sign_in(ACCOUNTS["partner"])
    crawler.fragment("partner/update-row", f"/actions/{police_action}/update", table)
    crawler.post(
        "partner/update-row-error",
        f"/actions/{police_action}/update",
        {f"action-{police_action}-rag": "red"},
        page=f"/actions/{police_action}",
        htmx=True,
        wrap=table,
    )
    crawler.post("partner/update-page-error", f"/actions/{police_action}/update", {"rag": "red"}, page="/")
    crawler.post("partner/propose-error", "/actions/new", {"due_date": ["31", "13", "2027"]}, page="/")
    crawler.sign_in(ACCOUNTS["agency_lead"])
    crawler.save(
        "agency-lead/returned-proposal",
        f"/actions/{returned}",
        crawler.client.get(f"/actions/{returned}").text,
    )
    crawler.save(
        "agency-lead/revise-proposal",
        f"/actions/{returned}/revise",
        crawler.client.get(f"/actions/{returned}/revise").text,
    )
    crawler.sign_in(ACCOUNTS["trust_member"])
    crawler.post(
        "trust-member/challenge-error",
        f"/actions/{police_action}/challenges",
        {"challenge-text": ""},
        page=f"/actions/{police_action}",
    )
    crawler.sign_in(ACCOUNTS["programme_manager"])
    crawler.post(
        "programme-manager/close-error",
        f"/actions/{police_action}/close",
        {"close-reason": ""},
        page=f"/actions/{police_action}",
    )


def test_every_page_each_role_reaches_is_valid_html(app, database, csrf_app, tmp_path):
    if database != "sqlite":
        pytest.skip("The pages are the same on PostgreSQL; they are checked once, on SQLite.")
    command = _vnu_command()
    assert app.test_cli_runner().invoke(args=["demo", "seed"]).exit_code == 0
    crawler = Crawler(app, tmp_path)
    _crawl_everything(app, crawler)
    assert len(crawler.saved) > 60, sorted(crawler.saved)

    run = subprocess.run(  # noqa: S603 - our own pinned checker on files we wrote
        [*command, *sorted(str(tmp_path / name) for name in crawler.saved)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    messages = json.loads(run.stderr or "{}").get("messages", [])
    errors: dict[str, list[str]] = {}
    for message in messages:
        name = Path(message.get("url", "")).name
        page = crawler.saved.get(name, name)
        errors.setdefault(page, []).append(f"line {message.get('lastLine')}: {message['message']}")
    assert errors == {}, "The HTML checker found errors:\n" + "\n".join(
        f"{page}:\n  " + "\n  ".join(found) for page, found in sorted(errors.items())
    )
