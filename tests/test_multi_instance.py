"""Two app instances, one PostgreSQL and one Redis: the production shape (docs/DEPLOYMENT.md).

Each instance is a real gunicorn process on its own port, with production settings. A session
made on one works on the other, signing out on one ends it on the other, rate limits count
across both, and a simultaneous edit through both saves one and tells the other (409).

Needs TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL; `make test-multi` runs only this file.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.extensions import db
from config import normalise_database_url
from tests import factories
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")

pytestmark = pytest.mark.skipif(
    not (TEST_DATABASE_URL and TEST_REDIS_URL),
    reason="needs TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Instance:
    """One gunicorn serving the portal, and a browser-like client with its own cookie."""

    def __init__(self, env: dict):
        self.port = _free_port()
        self.process = subprocess.Popen(  # noqa: S603 - our own virtualenv's gunicorn
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "--workers",
                "1",
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
        )
        for _ in range(150):
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the instance did not start")

    def request(self, method: str, path: str, cookie: str = "", form: dict | None = None, token: str = ""):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": cookie} if cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if token:
            headers["X-CSRFToken"] = token
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode()
        finally:
            connection.close()
        set_cookie = response.getheader("Set-Cookie")
        return response.status, content, set_cookie.split(";", 1)[0] if set_cookie else None

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=15)


class Browser:
    """A cookie and a CSRF token, carried from one instance to another like a load balancer would."""

    def __init__(self):
        self.cookie = ""
        self.token = ""

    def get(self, instance: Instance, path: str):
        status, body, cookie = instance.request("GET", path, self.cookie)
        self.cookie = cookie or self.cookie
        found = re.search(r'"X-CSRFToken": "([^"]+)"', body) or re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"', body
        )
        if found:
            self.token = found.group(1)
        return status, body

    def post(self, instance: Instance, path: str, form: dict):
        status, body, cookie = instance.request("POST", path, self.cookie, form, self.token)
        self.cookie = cookie or self.cookie
        return status, body

    def sign_in(self, instance: Instance, email: str, password: str = factories.PASSWORD) -> int:
        self.get(instance, "/login")
        status, _ = self.post(instance, "/login", {"email": email, "password": password})
        if status == 303:
            self.get(instance, "/")
        return status


@pytest.fixture(scope="module")
def shared_database():
    """A PostgreSQL database of this module's own, with the schema, dropped afterwards."""
    server = make_url(normalise_database_url(TEST_DATABASE_URL))
    name = f"{server.database}_multi_{os.getpid()}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    app = make_app(url)
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield url, app
    with app.app_context():
        db.engine.dispose()  # before the database goes: no connection of ours may outlive it
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# A Redis database of this module's own (one per pytest-xdist worker: gw0 → 14, gw1 → 13, ...).
REDIS_DB = 14 - int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


def _redis_url() -> str:
    parts = urllib.parse.urlsplit(TEST_REDIS_URL)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, f"/{REDIS_DB}", "", ""))


def _redis():
    import redis

    return redis.Redis.from_url(_redis_url())


@pytest.fixture(scope="module")
def two_instances(shared_database):
    url, _app = shared_database
    redis_url = _redis_url()
    env = {
        "PORTAL_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": url,
        "RATELIMIT_STORAGE_URI": redis_url,
        "SIGN_IN_RATE_LIMIT": "6 per minute",
        # Sessions and limits across instances, signed in with the demo passwords (no authenticator).
        "MFA_REQUIRED_ROLES": "",
    }
    instances = [Instance(env), Instance(env)]
    yield instances
    for instance in instances:
        instance.stop()
    _redis().flushdb()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each test starts with no sign-in attempts counted (all come from 127.0.0.1)."""
    _redis().flushdb()


def _with_data(app, build):
    with app.app_context():
        result = build()
        db.session.remove()
        return result


def test_a_session_made_on_one_instance_works_on_the_other_until_signed_out(shared_database, two_instances):
    _, app = shared_database
    a, b = two_instances
    email = _with_data(app, lambda: factories.make_user(role="trust_member").email)
    browser = Browser()
    assert browser.sign_in(a, email) == 303
    status, body = browser.get(b, "/")
    assert status == 200 and "Signed in as" in body
    status, _ = browser.post(a, "/logout", {})
    assert status == 303
    status, _ = browser.get(b, "/")
    assert status == 302, "signing out on one instance ends the session on every instance"


def test_rate_limits_count_across_both_instances(shared_database, two_instances):
    _, app = shared_database
    a, b = two_instances
    emails = _with_data(app, lambda: [factories.make_user().email for _ in range(7)])
    browser = Browser()
    statuses = []
    for n, email in enumerate(emails):
        instance = a if n % 2 else b
        browser.get(instance, "/login")
        statuses.append(browser.post(instance, "/login", {"email": email, "password": "wrong guess"})[0])
    assert statuses[:6] == [422] * 6
    assert statuses[6] == 429, "the seventh attempt, on either instance, is over the shared limit"


def test_a_simultaneous_edit_through_both_instances_saves_one(shared_database, two_instances):
    _, app = shared_database
    a, b = two_instances

    def build():
        pm = factories.make_user(role="programme_manager")
        action = factories.make_action()
        return pm.email, action.id

    email, action_id = _with_data(app, build)
    first, second = Browser(), Browser()
    assert first.sign_in(a, email) == 303
    assert second.sign_in(b, email) == 303
    barrier = threading.Barrier(2)
    statuses = {}

    def update(name, browser, instance):
        browser.get(instance, f"/actions/{action_id}/update")
        barrier.wait()
        statuses[name] = browser.post(
            instance,
            f"/actions/{action_id}/update",
            {
                "lock_version": "1",
                "submission_token": secrets.token_urlsafe(24),
                "note": f"Update through {name}",
                "rag": "green",
                "percent_complete": "40",
                "status": "in_progress",
            },
        )[0]

    threads = [
        threading.Thread(target=update, args=("a", first, a)),
        threading.Thread(target=update, args=("b", second, b)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values()) == [303, 409]
