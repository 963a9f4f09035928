import time

import pytest

from tests.conftest import make_app
from tests.factories import make_user


def test_404_page_is_friendly(app, client):
    response = client.get("/no-such-page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page not found" in page and "Traceback" not in page
    assert "<title>Page not found" in page


def test_405_page(app, client):
    response = client.put("/login")
    assert response.status_code == 405
    assert "That action is not allowed here" in response.get_data(as_text=True)


def test_403_page(app, client, as_role):
    as_role("partner")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "You do not have permission" in response.get_data(as_text=True)


@pytest.mark.fresh_app  # it adds a route
def test_500_page_hides_the_traceback(app, client):
    @app.get("/explode")
    def explode():
        raise RuntimeError("secret internals")

    response = client.get("/explode")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page
    assert "secret internals" not in page and "Traceback" not in page


def test_htmx_errors_are_sent_to_the_error_banner(app, client, as_role):
    as_role("partner")
    response = client.get("/admin/users", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#htmx-error-banner"
    assert response.headers["HX-Reswap"] == "innerHTML"
    body = response.get_data(as_text=True)
    assert "<html" not in body and "You do not have permission" in body


def test_400_from_oversized_request(app, client):
    response = client.post("/login", data={"email": "x" * (3 * 1024 * 1024), "password": "y"})
    assert response.status_code == 413


UNREACHABLE = [
    "postgresql+psycopg://postgres@127.0.0.1:9/nowhere",
    "sqlite:////no-such-directory/anywhere/portal.sqlite3",
]


@pytest.mark.parametrize("url", UNREACHABLE)
def test_database_down_gives_503_with_retry_after(url):
    app = make_app(url)
    client = app.test_client()
    assert client.get("/login").status_code == 200  # pages that need no data still work
    response = client.post("/login", data={"email": "someone@example.test", "password": "a password here"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert "cannot reach its database" in page and "Traceback" not in page


@pytest.mark.parametrize("url", UNREACHABLE)
def test_health_check_reports_database_down(url):
    response = make_app(url).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unreachable"}


def test_health_check_ok(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_signed_in_user_gets_503_not_500_when_the_database_goes(
    app, client, sign_in, database_urls, database
):
    sign_in(make_user())
    cookie = client.get_cookie("portal_session").value
    broken = make_app(UNREACHABLE[1]).test_client()
    broken.set_cookie("portal_session", cookie)
    response = broken.get("/")
    assert response.status_code == 503


@pytest.mark.parametrize(
    "path",
    [
        "/admin/users?agency=" + "9" * 25,
        "/admin/users?page=" + "9" * 25,
        "/people?agency=abc",
        "/thresholds/?q=a&page=" + "9" * 25,
    ],
)
def test_odd_numbers_in_query_strings_are_not_500s(app, client, as_role, path):
    as_role("admin")
    assert client.get(path).status_code == 200


def test_a_failure_in_the_middle_of_a_submission_leaves_nothing_half_written(
    app, client, as_role, monkeypatch
):
    """The agency is added and its audit event recorded, then something breaks before the
    commit: the answer is the 500 page, and neither the agency nor the audit event exists."""
    from sqlalchemy import func, select

    import app.admin.services as admin_services
    from app.audit.models import AuditEvent
    from app.auth.models import Agency
    from app.extensions import db
    from app.forms import new_token

    as_role("admin")
    events_before = db.session.scalar(select(func.count(AuditEvent.id)))
    real_record = admin_services.record

    def record_then_break(*args, **kwargs):
        real_record(*args, **kwargs)
        db.session.flush()  # the rows are in the database, uncommitted
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(admin_services, "record", record_then_break)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.post(
        "/admin/agencies/new",
        data={"submission_token": new_token(), "name": "Half Written Agency", "kind": "police"},
    )
    assert response.status_code == 500 and "the disk filled up" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Agency.id)).where(Agency.name == "Half Written Agency")) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id))) == events_before


@pytest.mark.parametrize("url", UNREACHABLE)
def test_database_down_gives_the_words_back_in_a_form_to_send_again(url):
    """No JavaScript: the 503 page has what was typed, in a form that posts it again; passwords
    and codes are never written back, and the one-time token goes with it so a resend saves once."""
    app = make_app(url)
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    words = "He said <b>he</b> hits me & I don't want to go home"
    response = client.post(
        "/have-your-say?from=school",
        data={
            "what_should_change": words,
            "what_is_good": "",
            "age_band": "13-15",
            "submission_token": "a1b2c3d4e5f6a7b8",
            "password": "never-shown-again",
            "code": "123456",
        },
    )
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "What you typed" in page
    assert 'action="/have-your-say?from=school"' in page
    assert "He said &lt;b&gt;he&lt;/b&gt; hits me &amp; I don&#39;t want to go home</textarea>" in page
    assert '<label class="govuk-label" for="kept-1">What should change</label>' in page
    assert '<input type="hidden" name="submission_token" value="a1b2c3d4e5f6a7b8">' in page
    assert "never-shown-again" not in page and "123456" not in page
    assert 'name="what_is_good"' not in page, "an empty box is not given back"
    assert "If you need help now" in page and 'href="tel:08001111"' in page, "where to get help now"
    assert page.index("If you need help now") < page.index("What you typed"), "help comes first"


@pytest.mark.parametrize("url", UNREACHABLE[1:])
def test_the_boxes_given_back_are_sized_to_the_words(url):
    app = make_app(url)
    app.config["WTF_CSRF_ENABLED"] = False
    short, long = "More buses", "I want someone to listen to me. " * 12
    page = (
        app.test_client()
        .post("/have-your-say", data={"what_is_good": short, "what_should_change": long})
        .get_data(as_text=True)
    )
    assert f'name="what_is_good" rows="3">{short}</textarea>' in page
    assert 'name="what_should_change" rows="10">' in page, "384 characters: ten lines of 40"


@pytest.mark.parametrize("url", UNREACHABLE[1:])
def test_staff_pages_do_not_show_young_peoples_help(url):
    app = make_app(url)
    app.config["WTF_CSRF_ENABLED"] = False
    response = app.test_client().post("/login", data={"email": "a@example.org", "password": "x" * 12})
    assert response.status_code == 503
    assert "If you need help now" not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", UNREACHABLE)
def test_database_down_during_an_htmx_post_says_the_words_are_still_in_the_form(url):
    app = make_app(url)
    app.config["WTF_CSRF_ENABLED"] = False
    response = app.test_client().post(
        "/have-your-say", data={"what_should_change": "More buses"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 503
    assert response.headers["HX-Retarget"] == "#htmx-error-banner"
    body = response.get_data(as_text=True)
    assert "What you typed is still in the form" in body
    assert "More buses" not in body and "<form" not in body
    assert 'href="/have-your-say/get-help">Where to get help now</a>' in body


def test_after_the_database_restarts_the_next_request_succeeds(app, client, as_role, database):
    """Every connection the portal holds is cut, as a PostgreSQL restart or fail-over does: the
    pool checks a connection idle for a second before use (app/connection_check.py), so the next
    request after that is a 200."""
    if database != "postgresql":
        pytest.skip("SQLite has no server to restart")
    from sqlalchemy import create_engine, text

    from app.extensions import db

    as_role("partner")
    assert client.get("/").status_code == 200
    # As at the end of any request (the test suite's app context outlives its requests): the
    # connection goes back to the pool, which now holds it.
    db.session.remove()
    url = db.engine.url
    killer = create_engine(url, isolation_level="AUTOCOMMIT")
    with killer.connect() as connection:
        cut = connection.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    killer.dispose()
    assert cut >= 1
    time.sleep(app.config["DATABASE_CHECK_AFTER_IDLE_SECONDS"] + 0.1)
    assert client.get("/").status_code == 200


REDIS_DOWN = """
from app import create_app
from config import TestingConfig

class Config(TestingConfig):
    SQLALCHEMY_DATABASE_URI = {url!r}
    RATELIMIT_STORAGE_URI = "redis://127.0.0.1:1/0"  # nobody answers there

app = create_app(Config)
if {create_schema!r}:
    from app.extensions import db

    with app.app_context():
        db.create_all()
client = app.test_client()
answer = client.post("/login", data={{"email": "nobody@example.test", "password": "x" * 12}})
print("status", answer.status_code)
"""


def test_with_redis_down_rate_limits_fall_back_to_memory_and_say_so(
    app, database_urls, database, repo_root, tmp_path
):
    """RATELIMIT_STORAGE_URI names a Redis nobody answers on: signing in still works (limits are
    counted in the process meanwhile) and the fall-back is logged. In a process of its own: the
    limiter's storage is shared by every app in a process.

    On SQLite the other process gets a database file of its own: when it closed the suite's file
    on exit it could remove the write-ahead log's shared-memory file from under this process's
    open connections, and later writes here failed with "disk I/O error"."""
    import subprocess
    import sys

    own_file = database == "sqlite"
    url = f"sqlite:///{tmp_path / 'redis-down.sqlite3'}" if own_file else database_urls[database]
    script = REDIS_DOWN.format(url=url, create_schema=own_file)
    done = subprocess.run(  # noqa: S603 - our own script, run with this interpreter
        [sys.executable, "-c", script], cwd=repo_root, capture_output=True, text=True, timeout=60
    )
    assert "status 422" in done.stdout, done.stderr[-2000:]
    assert "in-memory storage" in done.stderr, done.stderr[-2000:]
