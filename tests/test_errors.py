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
