"""Browser tests: Debian's Chromium, driven by Playwright, against the portal on a live server.

Each test gets its own server process (pytest-flask's `live_server`, function scope) serving a
fresh copy of a SQLite file that holds the demo partnership, with CSRF protection switched on as
in production. The app is made once for the session and its templates compiled before the first
server is forked, so no server compiles them again. Playwright never downloads a browser: it
launches the system Chromium. Without one, the browser tests are set aside with one line saying
how to install it; in CI (CI=true), or when screenshots were asked for, a missing Chromium is a
failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page

from app.admin.demo import DEMO_PASSWORD
from app.extensions import db
from tests.browser.support import SCREENSHOTS_DIR, console_problem, sign_in
from tests.conftest import BROWSER_TESTS_NOT_RUN, make_app

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = (
    f"no Chromium at {CHROMIUM}. Install it with `sudo apt-get install -y chromium` "
    "(or point CHROMIUM at one)."
)
# pyproject.toml runs the live server on this address (--live-server-host), so the browser
# and Flask agree on the host name (pytest-flask would otherwise say localhost.localdomain).
LIVE_SERVER_HOST = "127.0.0.1"
HERE = Path(__file__).resolve().parent


def chromium_missing() -> bool:
    return not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK))


def chromium_required() -> bool:
    return os.environ.get("CI") == "true" or bool(SCREENSHOTS_DIR)


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if HERE in item.path.parents]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
    if browser_items and chromium_missing() and not chromium_required():
        # Set aside with one line in the summary, rather than one "skipped" line per test.
        chosen = set(browser_items)
        items[:] = [item for item in items if item not in chosen]
        config.hook.pytest_deselected(items=browser_items)
        not_run = f"{len(browser_items)} browser tests not run: {INSTALL_HINT}"
        config.stash[BROWSER_TESTS_NOT_RUN] = not_run  # tests/conftest.py says it at the end
        if hasattr(config, "workeroutput"):  # a pytest-xdist worker: tell the controller
            config.workeroutput["browser_tests_not_run"] = not_run


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    if chromium_missing():
        # Only reached in CI or for `make screenshots`: there, no browser is a failure.
        pytest.fail(f"Browser tests cannot run: {INSTALL_HINT}", pytrace=False)
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_executable) -> dict:
    return {**browser_type_launch_args, "executable_path": chromium_executable, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url() -> None:
    """Each test has its own server, so there is no suite-wide base URL. (This also replaces
    pytest-playwright's fallback fixture, which pytest 9 warns about: a session fixture defined
    as an instance method.)"""
    return None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args) -> dict:
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 900},
        "locale": "en-GB",
        "timezone_id": "Europe/London",
    }


@pytest.fixture
def new_context(new_context):
    """Every browser context fails its test on a script error or a CSP violation."""
    problems: list[str] = []

    def _new_context(**kwargs):
        context = new_context(**kwargs)
        context.set_default_timeout(10_000)
        context.on("console", lambda message: problems.extend(console_problem(message)))
        context.on("weberror", lambda error: problems.append(f"Uncaught error: {error.error}"))
        return context

    yield _new_context
    assert problems == [], "The browser reported problems:\n" + "\n".join(problems)


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory, chromium_executable) -> Path:
    """A SQLite file with the schema and the demo partnership, made once and copied per test."""
    path = tmp_path_factory.mktemp("browser") / "demo.sqlite3"
    app = make_app(f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def browser_app(demo_database, tmp_path_factory) -> Iterator[Flask]:
    """One app for every browser test, serving the file that each test's fresh copy replaces."""
    path = tmp_path_factory.mktemp("portal") / "portal.sqlite3"
    shutil.copyfile(demo_database, path)
    app = make_app(f"sqlite:///{path}", WTF_CSRF_ENABLED=True, SERVER_NAME=LIVE_SERVER_HOST)
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(browser_app, demo_database) -> Iterator[Flask]:
    """Overrides the suite's database-parametrised app: the browser tests run on SQLite only,
    each on a fresh copy of the demo partnership."""
    with browser_app.app_context():
        path = Path(db.engine.url.database)
        db.engine.dispose()  # no connection of this process may outlive the file it reads
    # A new file put in place atomically: a server that outlived its test keeps the old one.
    for leftover in path.parent.glob(path.name + "-*"):  # -journal, -wal, -shm
        leftover.unlink()
    fresh = path.with_name(path.name + ".new")
    shutil.copyfile(demo_database, fresh)
    fresh.replace(path)
    config_before = dict(browser_app.config)
    yield browser_app
    with browser_app.app_context():
        db.session.remove()
        db.engine.dispose()
    browser_app.config.clear()
    browser_app.config.update(config_before)


@dataclass
class Portal:
    """The running portal: its address, and signing in through the real form."""

    base_url: str
    app: Flask

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def sign_in(self, page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
        sign_in(page, self.url("/login"), email, password)


@pytest.fixture
def portal(live_server, app) -> Portal:
    # The server process is forked before this process opens any connection to the copy, so
    # the two never share a pooled SQLite connection.
    return Portal(base_url=live_server.url(), app=app)
